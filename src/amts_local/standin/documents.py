"""Running a batch job: documents in, translations and auxiliary details out, in the real S3 layout."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

from amts.translate.job_outputs import engine_field
from amts.translate.markup import parse_document, render_parts
from amts.translate.rules import (
    MAX_DOCUMENT_BYTES,
)

from amts_local.engines.chain import (
    EngineChain,
    TranslationMemoryEngine,
    standin_chain,
    translate_document,
)
from amts_local.standin.core import FIRST_DOCUMENT, STAND_IN_NAME, ServiceError, _Job
from amts_local.standin.parallel_data import ParallelDataOps


class DocumentRunner(ParallelDataOps):
    """A job's work: read its input folder, translate each document with the engine chain, write outputs and the
    auxiliary details file (with the neutral ``engine`` field)."""

    def _run_job(self, job: _Job) -> None:
        request = job.request
        in_bucket, in_prefix = self._split_s3(request["InputDataConfig"]["S3Uri"], job.region, "input")
        out_bucket, out_key = self._split_s3(job.output_uri, job.region, "output")
        content_type = request["InputDataConfig"]["ContentType"]
        in_prefix = in_prefix.rstrip("/") + "/"  # a folder: s3://b/in/run1 must not pick up s3://b/in/run10/...
        keys: list[tuple[str, int]] = []
        paginator = self.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=in_bucket, Prefix=in_prefix):
            keys.extend((o["Key"], o["Size"]) for o in page.get("Contents", []) if not o["Key"].endswith("/"))
        if not keys:
            raise ServiceError("InvalidRequestException", f"The input folder s3://{in_bucket}/{in_prefix} is empty.")
        base = in_prefix
        nested_details = [k for k, _ in keys if "details" in PurePosixPath(k[len(base) :]).parts[:-1]]
        if nested_details:
            raise ServiceError(
                "InvalidRequestException",
                f"The input folder must not contain a folder named 'details' ({nested_details[0]}).",
            )
        src = request["SourceLanguageCode"]
        memory = None
        pd_names = request.get("ParallelDataNames") or []
        if pd_names:
            pd = self._parallel_data[pd_names[0]]
            memory = TranslationMemoryEngine(
                pd.rows, pd.source_language, pd.target_languages, fuzzy_threshold=self.fuzzy_threshold
            )
        documents: dict[str, str | None] = {}
        errors: dict[str, tuple[str, str]] = {}  # relative name -> (kind, message)
        for key, size in keys:
            relative = key[len(base) :]
            first = FIRST_DOCUMENT in job.error_documents and key == keys[0][0]
            if first or relative in job.error_documents or PurePosixPath(relative).name in job.error_documents:
                errors[relative] = ("customer", "Injected failure: the document could not be translated.")
            elif size > MAX_DOCUMENT_BYTES:
                errors[relative] = ("customer", f"The document is {size} bytes, over the 20 MB limit.")
            elif content_type not in ("text/plain", "text/html"):
                errors[relative] = ("server", f"The stand-in does not translate {content_type} documents.")
            else:
                raw = self.s3.get_object(Bucket=in_bucket, Key=key)["Body"].read()
                try:
                    documents[relative] = raw.decode("utf-8")
                except UnicodeDecodeError:
                    errors[relative] = ("customer", "The document is not valid UTF-8.")
        translated = 0
        for tgt in request["TargetLanguageCodes"]:
            chain = standin_chain(src, tgt, memory=memory, apertium=self.apertium)
            term_name, terms = self._terms_for(request.get("TerminologyNames") or [], src, tgt)
            characters = 0
            details: list[dict[str, Any]] = []
            for relative, text in documents.items():
                assert text is not None
                output, record, applied = self._translate_document(text, content_type, src, tgt, chain, terms)
                characters += record["billedCharacters"]
                target_rel = str(PurePosixPath(relative).with_name(f"{tgt}.{PurePosixPath(relative).name}"))
                self.s3.put_object(Bucket=out_bucket, Key=out_key + target_rel, Body=output.encode("utf-8"))
                entry: dict[str, Any] = {
                    "sourceFile": relative,
                    "targetFile": target_rel,
                    "auxiliaryData": {"appliedTerminologies": []},
                    "engine": record,
                }
                if term_name and applied:
                    entry["auxiliaryData"]["appliedTerminologies"] = [
                        {"name": term_name, "terms": [{"sourceText": s, "targetText": t} for s, t in applied]}
                    ]
                details.append(entry)
            for relative, (kind, message) in errors.items():
                details.append(
                    {
                        "sourceFile": relative,
                        "errorCode": "CustomerError" if kind == "customer" else "InternalServerError",
                        "errorMessage": message,
                    }
                )
            engines_used = sorted({e for d in details for e in d.get("engine", {}).get("engines", [])})
            aux = {
                "sourceLanguageCode": src,
                "targetLanguageCode": tgt,
                "charactersTranslated": str(characters),
                "documentCountWithCustomerError": str(sum(1 for k, _ in errors.values() if k == "customer")),
                "documentCountWithServerError": str(sum(1 for k, _ in errors.values() if k == "server")),
                "inputDataPrefix": request["InputDataConfig"]["S3Uri"],
                "outputDataPrefix": job.output_uri,
                "details": details,
                "engine": engine_field(
                    STAND_IN_NAME, engines_used, note="written by the AMTS offline stand-in, not by AWS"
                ),
            }
            self.s3.put_object(
                Bucket=out_bucket,
                Key=f"{out_key}details/{tgt}.auxiliary-translation-details.json",
                Body=json.dumps(aux, indent=2, ensure_ascii=False).encode("utf-8"),
            )
            translated = len(documents)
        job.details = {
            "TranslatedDocumentsCount": translated,
            "DocumentsWithErrorsCount": len(errors),
            "InputDocumentsCount": len(keys),
        }
        if errors and not documents:
            job.status = "FAILED"
            job.message = f"No document could be translated ({len(errors)} with errors); see the details folder."
        elif errors:
            job.status = "COMPLETED_WITH_ERROR"
            job.message = f"{len(errors)} document(s) could not be translated: {', '.join(sorted(errors))}"
        else:
            job.status = "COMPLETED"

    def _translate_document(
        self,
        text: str,
        content_type: str,
        src: str,
        tgt: str,
        chain: EngineChain,
        terms: Sequence[tuple[str, str]],
    ) -> tuple[str, dict[str, Any], list[tuple[str, str]]]:
        doc = parse_document(text, content_type)
        units = doc.units()
        output, results, applied = translate_document(doc, chain, src, tgt, terms)
        segments = [
            {
                "id": unit.element_id if unit.element_id is not None else f"unit-{i}",
                "engine": ", ".join(dict.fromkeys(r.engines)),
            }
            for i, (unit, r) in enumerate(zip(units, results, strict=True))
        ]
        billed = sum(len(render_parts(u.parts, html_output=False)) for u in units)
        record = {
            "engines": sorted({e for r in results for e in r.engines}),
            "segments": segments,
            "billedCharacters": billed,
        }
        return output, record, applied
