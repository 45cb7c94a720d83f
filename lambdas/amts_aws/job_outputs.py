"""Find and read what a finished Translate batch job left in S3: ``<out>/<ACCOUNT>-TranslateText-<JobId>/``, its
``details/<lang>.auxiliary-translation-details.json`` and the translated files (the data types are
``amts.translate.job_outputs``)."""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath
from typing import Any

from amts.translate.job_outputs import DocumentError, JobOutputs, JobState, TranslateServiceError, split_s3_uri

from amts_aws.s3 import list_keys


def read_job_outputs(s3_client: Any, state: JobState, *, account_id: str | None = None) -> JobOutputs:
    """The translated files and the auxiliary details of a COMPLETED or COMPLETED_WITH_ERROR job."""
    if not state.has_outputs:
        raise TranslateServiceError(
            f"job {state.job_id} is {state.status}; outputs exist only for COMPLETED or COMPLETED_WITH_ERROR"
            + (f" ({state.message})" if state.message else "")
        )
    output_uri = _output_folder(state, account_id)
    bucket, prefix = split_s3_uri(output_uri)
    keys = list_keys(s3_client, bucket, prefix)
    auxiliary: dict[str, dict[str, Any]] = {}
    for key in keys:
        match = re.fullmatch(re.escape(prefix) + r"details/(.+)\.auxiliary-translation-details\.json", key)
        if match:
            body = s3_client.get_object(Bucket=bucket, Key=key)["Body"].read()
            auxiliary[match.group(1)] = json.loads(body.decode("utf-8"))
    documents: dict[str, dict[str, str]] = {}
    errors: list[DocumentError] = []
    characters: dict[str, int] = {}
    for lang, aux in auxiliary.items():
        characters[lang] = int(aux.get("charactersTranslated", 0) or 0)
        for entry in aux.get("details", []):
            source_file = str(entry.get("sourceFile", ""))
            if entry.get("targetFile"):
                documents.setdefault(lang, {})[source_file] = prefix + str(entry["targetFile"])
            if entry.get("errorCode") or entry.get("errorMessage"):
                errors.append(
                    DocumentError(lang, source_file, str(entry.get("errorCode", "")), str(entry.get("errorMessage")))
                )
    for key in keys:  # files the details did not list (the real file may omit them): <lang>.<name>
        relative = key[len(prefix) :]
        if relative.startswith("details/"):
            continue
        name = PurePosixPath(relative).name
        for lang in auxiliary or {}:
            if name.startswith(f"{lang}.") and relative not in set(documents.get(lang, {}).values()):
                source_name = str(PurePosixPath(relative).with_name(name[len(lang) + 1 :]))
                documents.setdefault(lang, {}).setdefault(source_name, key)
    return JobOutputs(state.job_id, output_uri, documents, characters, errors, auxiliary)


def _output_folder(state: JobState, account_id: str | None) -> str:
    uri = state.output_s3_uri or ""
    folder_suffix = f"-TranslateText-{state.job_id}/"
    if uri.endswith((folder_suffix, folder_suffix.rstrip("/"))):
        return uri.rstrip("/") + "/"
    if not account_id:
        raise TranslateServiceError(
            f"cannot locate the outputs of job {state.job_id}: the described output URI {uri!r} lacks the "
            "job folder and no account id was configured"
        )
    return uri.rstrip("/") + f"/{account_id}{folder_suffix}"
