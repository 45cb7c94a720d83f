"""What a finished Amazon Translate batch job left, as data: its state, outputs and the engines that wrote them.

The state machine drives Translate itself (parallel data, jobs, polling); the pipeline only reads a job's results:
``job_state`` maps DescribeTextTranslationJob's properties; ``amts_aws.job_outputs.read_job_outputs`` finds
``<out>/<ACCOUNT>-TranslateText-<JobId>/`` in S3 and reads ``details/<lang>.auxiliary-translation-details.json``.

Engines are named by a neutral ``engine`` field in the auxiliary details file (``engine_field`` writes it,
``recorded_engine`` reads it). Amazon Translate writes none, so a file without it names Amazon Translate; any
other engine (the offline stand-in, or another service behind the same contract) names itself there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
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
    "recorded_engine",
    "segment_engines",
    "split_s3_uri",
]
