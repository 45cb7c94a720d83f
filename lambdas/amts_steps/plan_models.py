"""What starts a run and what Plan makes of it: the execution input (and the Starter's answer to a batch), the
Plan step's request and its output, one ``PairTask`` per language pair; and the base of every step model.

Step Functions payloads are capped at 256 KiB, so these models carry S3 keys and counts, never documents.
Field names are snake_case because the state machine (JSONPath) addresses them as written here.
"""

from __future__ import annotations

from typing import Annotated, Literal

from amts.errors import InputError
from amts.keys import chapter_problem
from amts.languages import LanguagePair, check_language
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

# Step Functions execution names: 1-80 characters that CloudWatch logging also accepts.
EXECUTION_NAME_PATTERN = r"^[0-9A-Za-z_-]{1,80}$"
# Translate resource names (parallel data, terminology).
RESOURCE_NAME_PATTERN = r"^([A-Za-z0-9-]_?)+$"


class StepModel(BaseModel):
    """The base of the workflow's models: unknown fields refused, values frozen."""

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


def _refuse_empty(message: str) -> AfterValidator:
    """An empty list would run nothing: refused, with ``message`` saying what leaving the field out does."""

    def check(value: list[str]) -> list[str]:
        if not value:
            raise ValueError(message)
        return value

    return AfterValidator(check)


def _known_pairs(value: list[str]) -> list[str]:
    try:
        canonical = [str(LanguagePair.parse(item)) for item in value]
    except InputError as exc:  # pydantic reports ValueErrors per field, so every problem is listed at once
        raise ValueError(exc.message) from None
    if len(set(canonical)) != len(canonical):
        raise ValueError(f"duplicate language pair in {value}")
    return canonical


def _relative_chapters(value: list[str]) -> list[str]:
    return sorted({_check_chapter(path) for path in value})


def _relative_renames(value: dict[str, str]) -> dict[str, str]:
    for old, new in value.items():
        _check_chapter(old)
        _check_chapter(new)
    news = list(value.values())
    if len(set(news)) != len(news):
        raise ValueError("renames maps two old chapters to the same new one; keep the one it continues")
    return value


class RunInput(StepModel):
    """The execution input. Every field is optional: ``{}`` translates the whole book into every configured pair."""

    # The validators check a given value only: a field left out (None) is the default its description names.
    pairs: (
        Annotated[
            list[str],
            _refuse_empty("pairs is empty; omit it to run every configured pair"),
            AfterValidator(_known_pairs),
        ]
        | None
    ) = Field(default=None, description="language pairs to run, e.g. ['en-zh']; default: every pair in the config")
    chapters: (
        Annotated[
            list[str],
            _refuse_empty("chapters is empty; omit it to run the whole book"),
            AfterValidator(_relative_chapters),
        ]
        | None
    ) = Field(
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
    renames: Annotated[dict[str, str], AfterValidator(_relative_renames)] | None = Field(
        default=None,
        description="chapters that moved, old path -> new path (relative to book/<source>/): the new chapter is "
        "synchronized against the old one's translation; default: moved chapters are found by content",
    )
    trigger: list[SourceObject] = Field(default_factory=list, description="the uploads that started this run")
    trigger_total: int | None = Field(default=None, ge=0, description="how many uploads, when trigger is cut short")


class SourceObject(StepModel):
    """One uploaded object that triggered the run (kept for the report)."""

    key: str
    version_id: str | None = None
    size: int = 0


# --------------------------------------------------------------------------------------------------------------
# Plan: the validated input resolved against the pipeline config
# --------------------------------------------------------------------------------------------------------------


class PlanRequest(StepModel):
    """What the state machine passes to the Plan function: the raw execution input and the execution's name."""

    input: dict[str, object]
    execution_name: str = Field(pattern=EXECUTION_NAME_PATTERN)


class PairSettings(StepModel):
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


class TranslateSettings(StepModel):
    """The ``Settings`` block of StartTextTranslationJob (only the keys Translate accepts for batch jobs)."""

    Formality: Literal["FORMAL", "INFORMAL"] | None = None
    Profanity: Literal["MASK"] | None = None


class PairTask(StepModel):
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


class PollSchedulePlan(StepModel):
    """The waits of one polling loop, computed from the config (JSONPath intrinsics cannot multiply)."""

    schedule: list[int] = Field(min_length=1, description="seconds to wait before each poll")
    max_attempts: int = Field(ge=1)

    @model_validator(mode="after")
    def _length(self) -> PollSchedulePlan:
        if self.max_attempts != len(self.schedule):
            raise ValueError("max_attempts must equal the schedule's length")
        return self


class PollPlan(StepModel):
    """Polling of Translate jobs and of parallel-data imports."""

    job: PollSchedulePlan
    parallel_data: PollSchedulePlan


class SkippedBookKey(StepModel):
    """A key of the book's folders the validator refused: listed in the report, never processed."""

    key: str
    reason: str


class RunPlan(StepModel):
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
# Starter
# --------------------------------------------------------------------------------------------------------------


class Rejection(StepModel):
    """An upload the starter refused, with the reason a person can act on."""

    key: str
    version_id: str | None = None
    reason: str


class StartResult(StepModel):
    """What the starter did with one batch."""

    execution_name: str | None = None
    execution_arn: str | None = None
    duplicate: bool = False
    accepted: list[SourceObject] = Field(default_factory=list)
    rejected: list[Rejection] = Field(default_factory=list)


RunInput.model_rebuild()
