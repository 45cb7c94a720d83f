"""TranslateText, answered with the engine named in the response headers."""

from __future__ import annotations

import re
from typing import Any

from amts.languages import TRANSLATE_LANGUAGES
from amts.translate.rules import (
    MAX_TRANSLATE_TEXT_BYTES,
)

from amts_local.engines.chain import (
    standin_chain,
)
from amts_local.standin.core import ServiceError
from amts_local.standin.documents import DocumentRunner


class RealTimeOps(DocumentRunner):
    """TranslateText: the same engines as the jobs, on one text."""

    def _op_translate_text(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        text = params.get("Text", "")
        if len(text.encode("utf-8")) > MAX_TRANSLATE_TEXT_BYTES:
            raise ServiceError(
                "TextSizeLimitExceededException",
                f"Input text size exceeds limit. Max length of request text allowed is {MAX_TRANSLATE_TEXT_BYTES} "
                "bytes.",
            )
        src, tgt = params.get("SourceLanguageCode", ""), params.get("TargetLanguageCode", "")
        if src == "auto":
            src = "zh" if re.search("[\u4e00-\u9fff]", text) else "en"
        for lang in (src, tgt):
            if lang not in TRANSLATE_LANGUAGES:
                raise ServiceError("UnsupportedLanguagePairException", f"The language code {lang!r} is not supported.")
        term_name, terms = self._terms_for(params.get("TerminologyNames") or [], src, tgt)
        body: dict[str, Any] = {"SourceLanguageCode": src, "TargetLanguageCode": tgt}
        if src == tgt:
            body["TranslatedText"] = text
            engines = ["identity"]
            applied: list[tuple[str, str]] = []
        else:
            chain = standin_chain(src, tgt, apertium=self.apertium)
            output, record, applied = self._translate_document(text, "text/plain", src, tgt, chain, terms)
            body["TranslatedText"] = output
            engines = record["engines"]
        if term_name and applied:
            body["AppliedTerminologies"] = [
                {"Name": term_name, "Terms": [{"SourceText": s, "TargetText": t} for s, t in applied]}
            ]
        if params.get("Settings"):
            body["AppliedSettings"] = dict(params["Settings"])
        body["ResponseMetadata"] = {"HTTPStatusCode": 200, "HTTPHeaders": {"x-amts-engine": ", ".join(engines)}}
        return body
