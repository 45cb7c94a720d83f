"""What a finished Amazon Translate batch job left in S3, read through an injected S3 client.

The state machine drives Translate itself (parallel data, jobs, polling); the pipeline only reads a job's results:
``job_state`` maps DescribeTextTranslationJob's properties, ``read_job_outputs`` finds
``<out>/<ACCOUNT>-TranslateText-<JobId>/`` and reads ``details/<lang>.auxiliary-translation-details.json``.

Engines are named by a neutral ``engine`` field in the auxiliary details file (``engine_field`` writes it,
``recorded_engine`` reads it). Amazon Translate writes none, so a file without it names Amazon Translate; any
other engine (the offline stand-in, or another service behind the same contract) names itself there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any, Literal

from amts.errors import AmtsError, InputError
from amts.translate.rules import parse_s3_uri

AWS_ENGINE = "Amazon Translate"
ENGINE_FIELD = "engine"


class TranslateServiceError(AmtsError):
    """Amazon Translate refused or failed a request; the message says what happened in plain words."""


JobPhase = Literal["pending", "running", "succeeded", "partial", "failed", "stopping", "stopped"]
JOB_STATUS_PHASES: dict[str, tuple[JobPhase, bool]] = {
    "SUBMITTED": ("pending", False),
    "IN_PROGRESS": ("running", False),
    "COMPLETED": ("succeeded", True),
    "COMPLETED_WITH_ERROR": ("partial", True),
    "FAILED": ("failed", True),
    "STOP_REQUESTED": ("stopping", False),
    "STOPPED": ("stopped", True),
}


@dataclass(frozen=True)
class JobState:
    job_id: str
    status: str
    phase: JobPhase
    terminal: bool
    message: str | None
    output_s3_uri: str | None
    details: dict[str, int]
    submitted_at: datetime | None = None
    end_at: datetime | None = None

    @property
    def has_outputs(self) -> bool:
        return self.status in ("COMPLETED", "COMPLETED_WITH_ERROR")


@dataclass(frozen=True)
class DocumentError:
    target_language: str
    source_file: str
    code: str
    message: str


@dataclass
class JobOutputs:
    job_id: str
    output_s3_uri: str
    documents: dict[str, dict[str, str]]  # target language -> source file -> output key
    characters_translated: dict[str, int]
    errors: list[DocumentError]
    auxiliary: dict[str, dict[str, Any]]  # target language -> the parsed auxiliary details file


@dataclass(frozen=True)
class EngineRecord:
    """The engine that translated a job: its name and the engines inside it (memory, Apertium, ...)."""

    name: str
    engines: tuple[str, ...]


def engine_field(name: str, engines: Sequence[str], **extra: Any) -> dict[str, Any]:
    """The ``engine`` field an engine other than Amazon Translate writes into an auxiliary details file."""
    return {"name": name, "engines": sorted(set(engines)), **extra}


_MATCH_SCORE = re.compile(r" \((fuzzy) [0-9.]+\)")


def engine_kind(label: str) -> str:
    """An engine label as the reports count it, without per-segment detail: a match score goes
    (``translation-memory (fuzzy 0.86)`` -> ``translation-memory (fuzzy)``), and a segment made by several engines
    (``pseudo, translation-memory (exact)``, as the engine field joins them) names each kind once, in a fixed order
    (``pseudo + translation-memory (exact)``), so a book's segments fall into a handful of kinds."""
    kinds = {_MATCH_SCORE.sub(r" (\1)", part.strip()) for part in label.split(", ")}
    return " + ".join(sorted(kind for kind in kinds if kind)) or "unknown"


def recorded_engine(details: Mapping[str, Any]) -> EngineRecord | None:
    """The engine named in an auxiliary details file, or None when it names none (Amazon Translate); its engines
    as kinds (``engine_kind``)."""
    record = details.get(ENGINE_FIELD)
    if not isinstance(record, dict):
        return None
    kinds = dict.fromkeys(engine_kind(str(e)) for e in record.get("engines", []))
    return EngineRecord(str(record.get("name") or "unnamed engine"), tuple(kinds))


def segment_engines(entry: Mapping[str, Any]) -> list[str]:
    """The engine kind (``engine_kind``) of each segment of one document entry of a details file (empty when not
    recorded)."""
    record = entry.get(ENGINE_FIELD)
    if not isinstance(record, dict):
        return []
    return [engine_kind(str(segment.get("engine") or "unknown")) for segment in record.get("segments", [])]


def split_s3_uri(uri: str) -> tuple[str, str]:
    parsed = parse_s3_uri(uri)
    if parsed is None:
        raise InputError(f"not an S3 URI: {uri!r} (expected s3://bucket/prefix/)")
    return parsed


def job_state(props: Mapping[str, Any]) -> JobState:
    """Map a DescribeTextTranslationJob ``TextTranslationJobProperties`` to a ``JobState``."""
    status = str(props.get("JobStatus", ""))
    if status not in JOB_STATUS_PHASES:
        raise TranslateServiceError(f"job {props.get('JobId')} has an unknown status {status!r}")
    phase, terminal = JOB_STATUS_PHASES[status]
    return JobState(
        job_id=str(props.get("JobId")),
        status=status,
        phase=phase,
        terminal=terminal,
        message=props.get("Message"),
        output_s3_uri=props.get("OutputDataConfig", {}).get("S3Uri"),
        details={k: int(v) for k, v in (props.get("JobDetails") or {}).items()},
        submitted_at=props.get("SubmittedTime"),
        end_at=props.get("EndTime"),
    )


def read_job_outputs(s3_client: Any, state: JobState, *, account_id: str | None = None) -> JobOutputs:
    """The translated files and the auxiliary details of a COMPLETED or COMPLETED_WITH_ERROR job."""
    if not state.has_outputs:
        raise TranslateServiceError(
            f"job {state.job_id} is {state.status}; outputs exist only for COMPLETED or COMPLETED_WITH_ERROR"
            + (f" ({state.message})" if state.message else "")
        )
    output_uri = _output_folder(state, account_id)
    bucket, prefix = split_s3_uri(output_uri)
    keys = _keys_under(s3_client, bucket, prefix)
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


def _keys_under(s3_client: Any, bucket: str, prefix: str) -> list[str]:
    """Every object key under ``prefix`` (all pages of the listing)."""
    keys: list[str] = []
    for page in s3_client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(item["Key"] for item in page.get("Contents", []))
    return keys


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


__all__ = [
    "AWS_ENGINE",
    "JOB_STATUS_PHASES",
    "DocumentError",
    "EngineRecord",
    "JobOutputs",
    "JobState",
    "TranslateServiceError",
    "engine_field",
    "engine_kind",
    "job_state",
    "read_job_outputs",
    "recorded_engine",
    "segment_engines",
    "split_s3_uri",
]
