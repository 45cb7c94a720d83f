"""Custom terminologies: import, get, list, and the terms applied to a translation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from amts.errors import InputError
from amts.languages import TRANSLATE_LANGUAGES
from amts.translate.parallel_data import ParallelRow, write_delimited, write_tmx
from amts.translate.parallel_data_reading import parse_parallel_data
from amts.translate.terminology import MAX_TERM_BYTES, parse_terminology_file

from amts_local.standin.core import ServiceError, StandInCore, _data_location, _json_location, _page, _Terminology


class TerminologyOps(StandInCore):
    """ImportTerminology, GetTerminology, ListTerminologies, and the terms a request applies."""

    def _op_import_terminology(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        name = params.get("Name", "")
        self._check_name(name)
        if params.get("MergeStrategy") != "OVERWRITE":
            raise ServiceError("InvalidParameterValueException", "The only supported merge strategy is OVERWRITE.")
        data_spec = params.get("TerminologyData", {})
        raw = data_spec.get("File", b"")
        data = raw.encode() if isinstance(raw, str) else bytes(raw)
        fmt = data_spec.get("Format", "")
        if name not in self._terminologies and len(self._terminologies) >= 100:
            raise ServiceError("LimitExceededException", "The limit of 100 terminologies is reached.")
        try:
            if fmt == "TMX":
                parsed = parse_parallel_data(data, fmt="TMX", name=name)
                if parsed.fatal:
                    raise InputError(parsed.problems[0].message if parsed.problems else "not a valid TMX file")
                languages = [parsed.source_language, *parsed.target_languages]
                rows = [(r.src, *r.tgts) for _, r in parsed.records]
            else:
                languages, rows = parse_terminology_file(data, fmt)
        except (InputError, UnicodeDecodeError) as exc:
            raise ServiceError("InvalidParameterValueException", f"The terminology file is not valid: {exc}") from None
        bad = [lang for lang in languages if lang not in TRANSLATE_LANGUAGES]
        if len(languages) < 2 or bad:
            raise ServiceError(
                "InvalidParameterValueException",
                f"The terminology file's header must hold language codes; not valid: {bad or languages}",
            )
        if len(languages) > 11:
            raise ServiceError(
                "InvalidParameterValueException", "A terminology file holds at most 10 target languages."
            )
        kept = [r for r in rows if len(r) == len(languages) and all(len(c.encode()) <= MAX_TERM_BYTES for c in r)]
        now = self.clock.now()
        previous = self._terminologies.get(name)
        props: dict[str, Any] = {
            "Name": name,
            "Arn": f"arn:aws:translate:{region}:{self.account_id}:terminology/{name}/LATEST",
            "SourceLanguageCode": languages[0],
            "TargetLanguageCodes": languages[1:],
            "SizeBytes": len(data),
            "TermCount": len(kept),
            "CreatedAt": previous.properties["CreatedAt"] if previous else now,
            "LastUpdatedAt": now,
            "Directionality": data_spec.get("Directionality", "UNI"),
            "SkippedTermCount": len(rows) - len(kept),
            "Format": fmt,
        }
        if params.get("Description") is not None:
            props["Description"] = params["Description"]
        auxiliary = None
        if len(rows) != len(kept):
            auxiliary = {"skippedTerms": [list(r) for r in rows if r not in kept]}
        self._terminologies[name] = _Terminology(props, kept, languages, data, fmt, auxiliary)
        body: dict[str, Any] = {"TerminologyProperties": dict(props)}
        if auxiliary:
            body["AuxiliaryDataLocation"] = _json_location(auxiliary)
        return body

    def _op_get_terminology(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        name = params.get("Name", "")
        self._check_name(name)
        term = self._found(self._terminologies.get(name), "terminology", name)
        fmt = params.get("TerminologyDataFormat") or term.fmt
        rows = [ParallelRow(r[0], tuple(r[1:])) for r in term.rows]
        if fmt == "TMX":
            data = write_tmx(rows, term.languages[0], term.languages[1:])
        else:
            data = write_delimited(rows, term.languages[0], term.languages[1:], fmt)
        body: dict[str, Any] = {
            "TerminologyProperties": dict(term.properties),
            "TerminologyDataLocation": _data_location(data),
        }
        if term.auxiliary:
            body["AuxiliaryDataLocation"] = _json_location(term.auxiliary)
        return body

    def _op_list_terminologies(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        items = [dict(t.properties) for t in self._terminologies.values()]
        return _page(items, params, "TerminologyPropertiesList")

    def _terms_for(self, names: Sequence[str], src: str, tgt: str) -> tuple[str | None, list[tuple[str, str]]]:
        if not names:
            return None, []
        if len(names) > 1:
            raise ServiceError("InvalidRequestException", "Only one terminology can be applied per request.")
        term = self._found(self._terminologies.get(names[0]), "terminology", names[0])
        if term.languages[0] != src or tgt not in term.languages[1:]:
            return names[0], []  # a terminology for other languages is ignored, as by the service
        column = term.languages.index(tgt)
        return names[0], [(r[0], r[column]) for r in term.rows if r[0] and r[column]]
