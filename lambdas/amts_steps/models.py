"""Typed boundaries of the workflow: the execution input and every step's input and output.

Step Functions payloads are capped at 256 KiB, so these models carry S3 keys and counts, never documents.
Field names are snake_case because the state machine (JSONPath) addresses them as written here.
"""

from __future__ import annotations

from typing import Literal

from amts.errors import InputError
from amts.keys import chapter_problem
from amts.languages import LanguagePair, check_language
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Step Functions execution names: 1-80 characters that CloudWatch logging also accepts.
EXECUTION_NAME_PATTERN = r"^[0-9A-Za-z_-]{1,80}$"
# Translate resource names (parallel data, terminology).
RESOURCE_NAME_PATTERN = r"^([A-Za-z0-9-]_?)+$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_chapter(path: str) -> str:
    """The one chapter-path validator (``amts.keys``), as a ValueError pydantic reports per field."""
    problem = chapter_problem(path)
    if problem is not None:
        raise ValueError(f"bad chapter path {path!r}: {problem}; expected e.g. 'chapter_intro/index.md'")
    return path


# --------------------------------------------------------------------------------------------------------------
# Execution input (what a person types in the Step Functions console, or what the starter sends)
# --------------------------------------------------------------------------------------------------------------


class RunInput(_Model):
    """The execution input. Every field is optional: ``{}`` translates the whole book into every configured pair."""

    pairs: list[str] | None = Field(
        default=None, description="language pairs to run, e.g. ['en-zh']; default: every pair in the config"
    )
    chapters: list[str] | None = Field(
        default=None,
        description="chapter paths relative to book/<source>/, e.g. 'chapter_intro/index.md'; default: whole book",
    )
    evaluate: bool | None = Field(
        default=None, description="score against the human translation with and without ACT; default: per pair"
    )
    publish: bool = Field(
        default=True, description="write translated chapters and state to the output bucket (false: evaluation only)"
    )
    run_id: str | None = Field(
        default=None,
        pattern=EXECUTION_NAME_PATTERN,
        description="a label for the report; the run's files are kept under the execution name whatever it says",
    )
    renames: dict[str, str] | None = Field(
        default=None,
        description="chapters that moved, old path -> new path (relative to book/<source>/): the new chapter is "
        "synchronized against the old one's translation; default: moved chapters are found by content",
    )
    trigger: list[SourceObject] = Field(default_factory=list, description="the uploads that started this run")
    trigger_total: int | None = Field(default=None, ge=0, description="how many uploads, when trigger is cut short")

    @field_validator("pairs")
    @classmethod
    def _pairs_known(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        if not value:
            raise ValueError("pairs is empty; omit it to run every configured pair")
        try:
            canonical = [str(LanguagePair.parse(item)) for item in value]
        except InputError as exc:  # pydantic reports ValueErrors per field, so every problem is listed at once
            raise ValueError(exc.message) from None
        if len(set(canonical)) != len(canonical):
            raise ValueError(f"duplicate language pair in {value}")
        return canonical

    @field_validator("renames")
    @classmethod
    def _renames_relative(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value is None:
            return None
        for old, new in value.items():
            _check_chapter(old)
            _check_chapter(new)
        news = list(value.values())
        if len(set(news)) != len(news):
            raise ValueError("renames maps two old chapters to the same new one; keep the one it continues")
        return value

    @field_validator("chapters")
    @classmethod
    def _chapters_relative(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        if not value:
            raise ValueError("chapters is empty; omit it to run the whole book")
        return sorted({_check_chapter(path) for path in value})


class SourceObject(_Model):
    """One uploaded object that triggered the run (kept for the report)."""

    key: str
    version_id: str | None = None
    size: int = 0


# --------------------------------------------------------------------------------------------------------------
# Plan: the validated input resolved against the pipeline config
# --------------------------------------------------------------------------------------------------------------


class PlanRequest(_Model):
    """What the state machine passes to the Plan function: the raw execution input and the execution's name."""

    input: dict[str, object]
    execution_name: str = Field(pattern=EXECUTION_NAME_PATTERN)


class PairSettings(_Model):
    """One language pair with its options, resolved from the config and the execution input."""

    source: str
    target: str
    parallel_data_name: str = Field(pattern=RESOURCE_NAME_PATTERN, max_length=256)
    terminology_name: str | None = Field(default=None, pattern=RESOURCE_NAME_PATTERN, max_length=256)
    formality: Literal["FORMAL", "INFORMAL"] | None = None
    profanity: Literal["MASK"] | None = None
    evaluate: bool = False
    reference_prefix: str = Field(description="input-bucket prefix of the human translation, e.g. book/zh/")
    fuzzy_threshold: float | None = Field(default=0.9, gt=0.0, le=1.0, description="None: fuzzy reuse off")
    mt_suggestions: bool = False

    @model_validator(mode="after")
    def _codes_known(self) -> PairSettings:
        try:
            check_language(self.source, what="source language")
            check_language(self.target, what="target language")
        except InputError as exc:
            raise ValueError(exc.message) from None
        return self

    @property
    def name(self) -> str:
        return f"{self.source}-{self.target}"

    def reference_key(self, path: str) -> str:
        """Input-bucket key of a chapter's human translation (the reference Score compares with)."""
        return f"{self.reference_prefix}{path}"


class TranslateSettings(_Model):
    """The ``Settings`` block of StartTextTranslationJob (only the keys Translate accepts for batch jobs)."""

    Formality: Literal["FORMAL", "INFORMAL"] | None = None
    Profanity: Literal["MASK"] | None = None


class PairTask(_Model):
    """One item of the Map over language pairs: everything a pair's steps need, small enough for the payload."""

    run_id: str = Field(pattern=EXECUTION_NAME_PATTERN)
    pair: PairSettings
    pair_name: str
    chapters: list[str] | None = Field(
        default=None, description="chapter paths to translate; None: every chapter of the book (Stage lists them)"
    )
    chapter_count: int = Field(ge=1)
    publish: bool
    evaluate: bool
    job_name: str = Field(description="Translate job name for the ACT job; the baseline adds '-baseline'")
    client_token: str = Field(pattern=r"^[a-zA-Z0-9-]{1,60}$", description="idempotency token base for the jobs")
    settings: dict[str, str] = Field(default_factory=dict, description="Translate job Settings (may be empty)")
    renames: dict[str, str] = Field(
        default_factory=dict, description="new chapter path -> the old path it continues (from the execution input)"
    )


class PollSchedulePlan(_Model):
    """The waits of one polling loop, computed from the config (JSONPath intrinsics cannot multiply)."""

    schedule: list[int] = Field(min_length=1, description="seconds to wait before each poll")
    max_attempts: int = Field(ge=1)

    @model_validator(mode="after")
    def _length(self) -> PollSchedulePlan:
        if self.max_attempts != len(self.schedule):
            raise ValueError("max_attempts must equal the schedule's length")
        return self


class PollPlan(_Model):
    """Polling of Translate jobs and of parallel-data imports."""

    job: PollSchedulePlan
    parallel_data: PollSchedulePlan


class SkippedBookKey(_Model):
    """A key of the book's folders the validator refused: listed in the report, never processed."""

    key: str
    reason: str


class RunPlan(_Model):
    """Output of the Plan step: the Map items plus the polling schedules the state machine applies.

    ``run_id`` is the execution name: every key the run writes (job folders, reports, run details) is derived
    from it, never from user input. ``label`` is the execution input's ``run_id``, shown in the report.
    """

    run_id: str = Field(pattern=EXECUTION_NAME_PATTERN)
    label: str | None = None
    skipped_keys: list[SkippedBookKey] = Field(default_factory=list)
    pairs: list[PairTask]
    poll: PollPlan
    report_prefix: str
    history_events_worst_case: int


# --------------------------------------------------------------------------------------------------------------
# Per-pair steps
# --------------------------------------------------------------------------------------------------------------


class ParallelDataResult(_Model):
    """Output of BuildParallelData: where the CSV is and whether there is anything to import."""

    has_data: bool
    name: str
    s3_uri: str | None = None
    content_hash: str | None = None
    pair_count: int = Field(default=0, description="records in the parallel-data file (after filtering)")
    chapters_aligned: int = 0
    held_out_pairs: int = Field(
        default=0, description="records the held-out (evaluated) chapters would add: left out by the leakage guard"
    )
    client_token: str | None = Field(default=None, description="create/update token derived from the content hash")
    format: Literal["CSV", "TMX"] = "CSV"


class ParallelDataStep(_Model):
    """Input of BuildParallelData."""

    task: PairTask


class StageResult(_Model):
    """Output of Stage: the jobs' input/output locations and customizations, or nothing to translate."""

    needs_translation: bool
    input_s3_uri: str
    output_s3_uri: str
    baseline_output_s3_uri: str
    parallel_data_names: list[str] = Field(default_factory=list, description="[] when there is no parallel data")
    baseline_parallel_data_names: list[str] = Field(default_factory=list, description="always []: no ACT")
    terminology_names: list[str] = Field(default_factory=list)
    stage_key: str = Field(description="work-bucket key of the stage manifest (per chapter: segment ids, hashes)")
    staged_prefix: str = Field(
        default="", description="work-bucket prefix of the staged documents Release copies into the job folder"
    )
    baseline_wanted: bool = Field(
        default=False,
        description="run the baseline job (no ACT): evaluation is on, there is parallel data, and Score will score "
        "at least one staged chapter (translated whole, with a human reference); otherwise it would only bill again",
    )
    documents: int = 0
    segments: int = 0
    characters: int = 0


class StageStep(_Model):
    """Input of Stage."""

    task: PairTask
    parallel_data: ParallelDataResult


class JobResult(_Model):
    """A finished Translate job as the poll loop leaves it (TextTranslationJobProperties, trimmed)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    JobId: str
    JobStatus: str
    Message: str | None = None
    OutputDataConfig: dict[str, object] = Field(default_factory=dict)
    JobDetails: dict[str, int] = Field(default_factory=dict)
    ParallelDataNames: list[str] = Field(default_factory=list)

    @property
    def output_s3_uri(self) -> str:
        uri = self.OutputDataConfig.get("S3Uri")
        return uri if isinstance(uri, str) else ""


class JobsResult(_Model):
    """What the job Parallel produces: the customized (ACT when there is parallel data) job and the baseline."""

    customized: JobResult | None = None
    baseline: JobResult | None = None


class AssembleStep(_Model):
    """Input of Assemble."""

    task: PairTask
    stage: StageResult
    jobs: JobsResult = Field(default_factory=JobsResult)


class AssembleResult(_Model):
    """Output of Assemble: counts plus the work-bucket key of the per-chapter details."""

    chapters_published: int
    segments_translated: int
    segments_untranslated: int
    characters_billed: int
    details_key: str
    published_keys_sample: list[str] = Field(default_factory=list)
    engine: str | None = None
    chapters_failed: list[str] = Field(default_factory=list, description="chapters Translate gave no output for")
    proposals: list[str] = Field(
        default_factory=list, description="chapters that kept their human file, with the reason (a proposal beside it)"
    )
    renames: list[str] = Field(default_factory=list, description="chapters synced from their old path: 'old -> new'")
    published_with_problems: list[str] = Field(
        default_factory=list,
        description="new or moved chapters published with a skeleton-mismatch marker, with the reason",
    )


class ScoreStep(_Model):
    """Input of Score: the pair, what was staged and assembled, and the jobs (baseline for the comparison)."""

    action: Literal["score"] = "score"
    task: PairTask
    parallel_data: ParallelDataResult | None = Field(
        default=None, description="BuildParallelData's result (the report's pair counts); None: counts unknown"
    )
    stage: StageResult
    jobs: JobsResult = Field(default_factory=JobsResult)
    assemble: AssembleResult


class PairResult(_Model):
    """One pair's outcome as gathered by the Map: succeeded with figures, or failed with the cause."""

    pair_name: str
    status: Literal["SUCCEEDED", "FAILED", "NOTHING_TO_TRANSLATE"]
    error: str | None = None
    cause: str | None = None
    chapters_published: int = 0
    segments_translated: int = 0
    segments_untranslated: int = 0  # MT units published as their English, marked "untranslated"
    characters_billed: int = 0
    score_key: str | None = None
    bleu: float | None = None
    chrf: float | None = None
    bleu_baseline: float | None = None
    chrf_baseline: float | None = None
    engine: str | None = None


# --------------------------------------------------------------------------------------------------------------
# Starter
# --------------------------------------------------------------------------------------------------------------


class Rejection(_Model):
    """An upload the starter refused, with the reason a person can act on."""

    key: str
    version_id: str | None = None
    reason: str


class StartResult(_Model):
    """What the starter did with one batch."""

    execution_name: str | None = None
    execution_arn: str | None = None
    duplicate: bool = False
    accepted: list[SourceObject] = Field(default_factory=list)
    rejected: list[Rejection] = Field(default_factory=list)


RunInput.model_rebuild()


# --------------------------------------------------------------------------------------------------------------
# Stage manifest (work bucket, read by Assemble and Score)
# --------------------------------------------------------------------------------------------------------------


class StagedChapter(_Model):
    """One chapter of a pair's run: how it is translated and where its pieces are."""

    path: str
    mode: Literal["whole", "sync", "proposal"] = Field(
        description="whole: every segment goes to MT (evaluation); sync: only the changes (a new chapter has no "
        "old translation: all of it); proposal: the chapter keeps its human file and its machine translation is "
        "offered beside it"
    )
    index: int
    document: str | None = Field(default=None, description="job input file name, None when nothing goes to MT")
    etag: str | None = Field(default=None, description="ETag of the staged document as Stage wrote and measured it")
    plan_key: str | None = Field(default=None, description="work-bucket key of the sync plan (mode sync)")
    units: int = 0
    characters: int = 0
    note: str | None = None
    previous_path: str | None = Field(default=None, description="the old path the chapter was synced from (renamed)")
    human_key: str | None = Field(
        default=None, description="input-bucket key of the human file a proposal chapter keeps, when none is published"
    )
    translation_at_path: bool = Field(
        default=False,
        description="a translation (published or human) is at the chapter's own path: it is kept "
        "unless the synced output has its source's skeleton (amts.sync.chapter_outcome)",
    )
    refusal: str | None = Field(default=None, description="why the sync against that translation was refused")

    @property
    def translated_whole(self) -> bool:
        """Sent to MT whole: the only kind of chapter Score compares with the human reference."""
        return self.mode == "whole" and self.document is not None


class StageManifest(_Model):
    run_id: str
    pair_name: str
    chapters: list[StagedChapter]
    gone: list[str] = Field(
        default_factory=list,
        description="published translations whose source chapter is no longer in the book, each with where it "
        "moved when a rename of this run explains it (the run report lists them)",
    )


# --------------------------------------------------------------------------------------------------------------
# Release: the approved, staged documents into the job folder
# --------------------------------------------------------------------------------------------------------------


class ReleaseStep(_Model):
    """Input of Release: the pair and what Stage staged."""

    task: PairTask
    stage: StageResult


class ReleaseResult(_Model):
    """Output of Release: the job folder now holds exactly these documents, and nothing else."""

    job_prefix: str
    documents: int
    characters: int
