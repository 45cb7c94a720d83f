"""The pipeline configuration: one typed model, read from three places that must agree.

- the CDK app reads it from the ``cdk.json`` context key ``amts:pipeline`` and bakes it into the stack;
- the Lambda handlers read it (lazily, once per cold start) from the ``AMTS_PIPELINE_CONFIG`` environment
  variable, which the stack sets to ``PipelineConfig.to_env_json()``;
- the local runtime reads it from ``cdk.json`` with ``load_pipeline_config_from_cdk_json``.

The limits the state machine needs (concurrency, polling, retries) are handed to it as ASL substitutions
by ``asl_limit_substitutions``, so the deployed stack and the local runtime substitute the same values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from amts import config
from amts.errors import InputError
from amts.language_profiles import FORMALITY_TARGETS, NO_PROFANITY_MASKING, profile
from amts.languages import LanguagePair, check_language

# Amazon Translate limits (developer guide quotas): at most 10 concurrent batch jobs per account and region.
TRANSLATE_MAX_CONCURRENT_JOBS = 10
# Lambda allows 4 KB for all environment variables of a function together; keep the config well below.
MAX_ENV_CONFIG_BYTES = 3072

# Translate resource names: ^([A-Za-z0-9-]_?)+$ (no leading underscore, no double underscore, no dots).
_RESOURCE_NAME = r"^([A-Za-z0-9-]_?)+$"
ResourceName = Annotated[str, Field(min_length=1, max_length=256, pattern=_RESOURCE_NAME)]
Prefix = Annotated[str, Field(min_length=1, max_length=512, pattern=r"^[A-Za-z0-9!_.*'()/-]+/$")]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LanguagePairConfig(_Frozen):
    """One translation direction and its options."""

    source: str = Field(description="source language code (Amazon Translate code, e.g. en)")
    target: str = Field(description="target language code (e.g. zh, es, zh-TW)")
    parallel_data_name: ResourceName | None = Field(
        default=None, description="Translate parallel-data resource for ACT; default amts-<source>-<target>"
    )
    terminology_name: ResourceName | None = Field(
        default=None, description="Translate custom terminology applied to the job (Translate accepts one)"
    )
    terminology_key: str | None = Field(
        default=None,
        min_length=1,
        description="input-bucket key of the glossary the terminology is built from (markdown, CSV or TSV)",
    )
    formality: Literal["FORMAL", "INFORMAL"] | None = Field(default=None, description="Translate Settings.Formality")
    mask_profanity: bool = Field(default=False, description="Translate Settings.Profanity = MASK")
    reference_prefix: Prefix | None = Field(
        default=None,
        description="input-bucket prefix of the existing human translation; default book/<target>/",
    )
    evaluation: bool = Field(default=True, description="also run a baseline job without ACT and score both")
    fuzzy_threshold: float | None = Field(
        default=0.9,
        gt=0.0,
        le=1.0,
        description="sync keeps the human translation of an old sentence at least this similar to a changed one "
        "(marked for review with the English change); null turns fuzzy reuse off",
    )
    mt_suggestions: bool = Field(
        default=False,
        description="also machine-translate each fuzzy-kept sentence and offer it in its review marker (costs the "
        "characters of those sentences)",
    )

    @field_validator("source", "target")
    @classmethod
    def _known_language(cls, code: str, info: ValidationInfo) -> str:
        try:
            return check_language(code, what=f"{info.field_name} language")
        except InputError as exc:
            raise ValueError(exc.message) from None

    @model_validator(mode="after")
    def _fill_defaults(self) -> Self:
        if self.source == self.target:
            raise ValueError(f"source and target language are both {self.source!r}")
        target = profile(self.target)
        # Translate silently ignores settings a target does not support; a team asking for one should know.
        if self.formality is not None and not target.formality:
            raise ValueError(
                f"formality {self.formality} is not supported by Amazon Translate for target {self.target!r} "
                f"(formality targets: {', '.join(sorted(FORMALITY_TARGETS))}); remove it"
            )
        if self.mask_profanity and not target.profanity_masking:
            raise ValueError(
                f"Amazon Translate cannot mask profanity in {self.target!r} "
                f"(unsupported targets: {', '.join(sorted(NO_PROFANITY_MASKING))}); set mask_profanity to false"
            )
        # Frozen model: defaults derived from the languages are filled in once, here.
        if self.parallel_data_name is None:
            object.__setattr__(self, "parallel_data_name", f"amts-{self.source}-{self.target}")
        if self.reference_prefix is None:
            object.__setattr__(self, "reference_prefix", f"{config.SOURCE_PREFIX}{self.target}/")
        return self

    @property
    def pair(self) -> LanguagePair:
        return LanguagePair(self.source, self.target)

    @property
    def key(self) -> str:
        """The pair's name in reports, prefixes and execution input, e.g. ``en-zh``."""
        return f"{self.source}-{self.target}"

    @property
    def source_prefix(self) -> str:
        """Input-bucket prefix of the source book, e.g. ``book/en/``."""
        return f"{config.SOURCE_PREFIX}{self.source}/"

    @property
    def translation_settings(self) -> dict[str, str]:
        """The ``Settings`` block of StartTextTranslationJob (empty when no option is set)."""
        settings: dict[str, str] = {}
        if self.formality is not None:
            settings["Formality"] = self.formality
        if self.mask_profanity:
            settings["Profanity"] = "MASK"
        return settings


class PollSchedule(_Frozen):
    """Capped exponential backoff for a wait loop: wait initial, then x backoff_rate, never more than max."""

    initial_seconds: int = Field(ge=1, le=3600)
    max_seconds: int = Field(ge=1, le=86_400)
    backoff_rate: float = Field(ge=1.0, le=10.0)
    max_wait_seconds: int = Field(ge=60, le=31_536_000, description="give up (fail the pair) after this long")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.max_seconds < self.initial_seconds:
            raise ValueError(f"max_seconds ({self.max_seconds}) is below initial_seconds ({self.initial_seconds})")
        if self.max_wait_seconds < self.initial_seconds:
            raise ValueError("max_wait_seconds is shorter than the first wait")
        return self

    def worst_case_polls(self) -> int:
        """How many polls the loop makes before giving up (bounds the execution's history events)."""
        waited, wait, polls = 0.0, float(self.initial_seconds), 0
        while waited < self.max_wait_seconds:
            waited += wait
            polls += 1
            wait = min(wait * self.backoff_rate, float(self.max_seconds))
        return polls


class PollingConfig(_Frozen):
    """Wait loops in the state machine."""

    translation_job: PollSchedule = PollSchedule(
        initial_seconds=60, max_seconds=1800, backoff_rate=2.0, max_wait_seconds=4 * 86_400
    )
    parallel_data: PollSchedule = PollSchedule(
        initial_seconds=30, max_seconds=600, backoff_rate=2.0, max_wait_seconds=12 * 3600
    )


class RetryConfig(_Frozen):
    """Step Functions ``Retry`` on Translate throttling / quota / concurrent-modification errors."""

    interval_seconds: int = Field(default=5, ge=1, le=3600)
    max_attempts: int = Field(default=8, ge=0, le=99)
    backoff_rate: float = Field(default=2.0, ge=1.0, le=10.0)
    max_delay_seconds: int = Field(default=300, ge=1, le=31_622_400)


class BudgetConfig(_Frozen):
    """The cost guard: a run whose estimate (every pair, ACT and baseline jobs) exceeds a cap starts no job.

    The per-run caps apply to one execution; the daily and monthly caps to the sum of every execution's
    reservation in the spend ledger (UTC days and months; None: no cap).
    """

    max_characters_per_run: int = Field(default=5_000_000, ge=1)
    max_cost_usd_per_run: float = Field(default=400.0, gt=0)
    max_cost_usd_per_day: float | None = Field(default=1_000.0, gt=0)
    max_cost_usd_per_month: float | None = Field(default=5_000.0, gt=0)
    # Amazon Translate list prices (USD per million characters): batch standard, batch with ACT.
    price_per_million_characters: float = Field(default=15.0, gt=0)
    price_per_million_characters_act: float = Field(default=60.0, gt=0)


class PipelineConfig(_Frozen):
    """Everything a deployment is configured with: the ``amts:pipeline`` context of ``cdk.json``."""

    language_pairs: tuple[LanguagePairConfig, ...] = Field(min_length=1, max_length=50)
    max_concurrency: int = Field(
        default=4, ge=1, le=TRANSLATE_MAX_CONCURRENT_JOBS, description="Map MaxConcurrency over the pairs (<= 10)"
    )
    max_object_bytes: int = Field(default=20 * 1024 * 1024, ge=1, le=20 * 1024 * 1024)
    polling: PollingConfig = PollingConfig()
    retry: RetryConfig = RetryConfig()
    budget: BudgetConfig = BudgetConfig()

    @model_validator(mode="after")
    def _distinct_pairs(self) -> Self:
        keys = [pair.key for pair in self.language_pairs]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            raise ValueError(f"duplicate language pair(s): {', '.join(duplicates)}")
        # With evaluation on, each pair runs two jobs at once (ACT and baseline).
        jobs = self.max_concurrency * (2 if any(p.evaluation for p in self.language_pairs) else 1)
        if jobs > TRANSLATE_MAX_CONCURRENT_JOBS:
            raise ValueError(
                f"max_concurrency {self.max_concurrency} with evaluation on starts up to {jobs} Translate jobs at "
                f"once; Amazon Translate allows {TRANSLATE_MAX_CONCURRENT_JOBS}: use max_concurrency <= "
                f"{TRANSLATE_MAX_CONCURRENT_JOBS // 2}"
            )
        return self

    def pair(self, key: str) -> LanguagePairConfig:
        """The configured pair named ``key`` (e.g. ``en-zh``)."""
        for candidate in self.language_pairs:
            if candidate.key == key:
                return candidate
        known = ", ".join(p.key for p in self.language_pairs)
        raise InputError(f"language pair {key!r} is not configured; configured pairs: {known}")

    @property
    def source_languages(self) -> tuple[str, ...]:
        return tuple(sorted({p.source for p in self.language_pairs}))

    def to_env_json(self) -> str:
        """Compact JSON for the ``AMTS_PIPELINE_CONFIG`` environment variable."""
        text = self.model_dump_json(exclude_none=True)
        if len(text.encode()) > MAX_ENV_CONFIG_BYTES:
            raise InputError(
                f"the pipeline config is {len(text.encode())} bytes as JSON; Lambda environment variables allow "
                f"4 KB in total, so keep it under {MAX_ENV_CONFIG_BYTES} bytes (fewer pairs or shorter names)"
            )
        return text


def _validate(data: object, *, source: str) -> PipelineConfig:
    try:
        return PipelineConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()
        )
        raise InputError(f"invalid pipeline config: {problems}", path=source) from None


def load_pipeline_config(data: Mapping[str, Any], *, source: str = "<context>") -> PipelineConfig:
    """Validate the ``amts:pipeline`` context value (a mapping), naming ``source`` in errors."""
    return _validate(data, source=source)


def load_pipeline_config_from_env(environ: Mapping[str, str]) -> PipelineConfig:
    """Read the config from the environment variable the stack sets (handlers pass ``os.environ``)."""
    raw = environ.get(config.ENV_PIPELINE_CONFIG)
    if raw is None:
        raise InputError(f"environment variable {config.ENV_PIPELINE_CONFIG} is not set")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg} at offset {exc.pos}", path=config.ENV_PIPELINE_CONFIG) from None
    return _validate(data, source=config.ENV_PIPELINE_CONFIG)


def cdk_context(path: str | Path) -> dict[str, Any]:
    """The ``context`` object of ``cdk.json``: the one reader of the file outside CDK (bad file: one-line error)."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", path=str(source)) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 at byte {exc.start}", path=str(source)) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg}", path=str(source), line=exc.lineno) from None
    context = document.get("context") if isinstance(document, dict) else None
    if not isinstance(context, dict):
        raise InputError("no context object", path=str(source))
    return context


def load_pipeline_config_from_cdk_json(path: str | Path) -> PipelineConfig:
    """Read the config from ``cdk.json`` (the local runtime uses the same file the stack is built from)."""
    context = cdk_context(path)
    if config.CDK_CONTEXT_PIPELINE not in context:
        raise InputError(f"no context key {config.CDK_CONTEXT_PIPELINE!r}", path=str(path))
    return _validate(context[config.CDK_CONTEXT_PIPELINE], source=f"{path} (context {config.CDK_CONTEXT_PIPELINE})")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def asl_limit_substitutions(pipeline: PipelineConfig) -> dict[str, str]:
    """The limit placeholders of the ASL (names in ``amts.config``) with their values as JSON number text."""
    job, pdata, retry = pipeline.polling.translation_job, pipeline.polling.parallel_data, pipeline.retry
    values: dict[str, float] = {
        config.ASL_MAX_CONCURRENCY: pipeline.max_concurrency,
        config.ASL_JOB_POLL_INITIAL_SECONDS: job.initial_seconds,
        config.ASL_JOB_POLL_MAX_SECONDS: job.max_seconds,
        config.ASL_JOB_POLL_BACKOFF_RATE: job.backoff_rate,
        config.ASL_JOB_POLL_MAX_WAIT_SECONDS: job.max_wait_seconds,
        config.ASL_PARALLEL_DATA_POLL_INITIAL_SECONDS: pdata.initial_seconds,
        config.ASL_PARALLEL_DATA_POLL_MAX_SECONDS: pdata.max_seconds,
        config.ASL_PARALLEL_DATA_POLL_BACKOFF_RATE: pdata.backoff_rate,
        config.ASL_PARALLEL_DATA_POLL_MAX_WAIT_SECONDS: pdata.max_wait_seconds,
        config.ASL_RETRY_INTERVAL_SECONDS: retry.interval_seconds,
        config.ASL_RETRY_MAX_ATTEMPTS: retry.max_attempts,
        config.ASL_RETRY_BACKOFF_RATE: retry.backoff_rate,
        config.ASL_RETRY_MAX_DELAY_SECONDS: retry.max_delay_seconds,
    }
    return {name: _number(value) for name, value in values.items()}
