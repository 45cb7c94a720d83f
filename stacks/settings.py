"""Deployment-only settings: the ``amts:deployment`` context of ``cdk.json`` (the handlers never see these)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from amts import config
from amts.errors import InputError
from amts.pipeline_config import PipelineConfig, load_pipeline_config
from aws_cdk import aws_logs as logs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

# CloudWatch Logs accepts only these retention periods (days).
_RETENTION: dict[int, logs.RetentionDays] = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    120: logs.RetentionDays.FOUR_MONTHS,
    150: logs.RetentionDays.FIVE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS,
    545: logs.RetentionDays.EIGHTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}


class DeploymentSettings(BaseModel):
    """Names, retention and trigger tuning of one deployment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stack_name: str = Field(default="Amts", pattern=r"^[A-Za-z][A-Za-z0-9-]{0,127}$")
    log_retention_days: int = 30
    work_expiry_days: int = Field(default=30, ge=1, le=3650, description="working bucket objects expire after")
    access_log_expiry_days: int = Field(default=365, ge=1, le=3650)
    input_noncurrent_version_expiry_days: int = Field(default=90, ge=1, le=3650)
    # Earlier versions of published chapters, the memory and reports: a way back after a bad run, then expired.
    output_noncurrent_version_expiry_days: int = Field(default=90, ge=1, le=3650)
    # The largest window and batch Lambda allows, so a whole-book drop normally makes one batch, hence one execution
    # (the 6 MB invocation payload caps a real batch at a few thousand S3 events; see docs/decisions.md).
    starter_batch_window_seconds: int = Field(default=300, ge=0, le=300, description="SQS batching window (max 300)")
    starter_batch_size: int = Field(default=10_000, ge=1, le=10_000, description="SQS batch size (max 10,000)")
    alarm_email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

    @field_validator("log_retention_days")
    @classmethod
    def _allowed_retention(cls, days: int) -> int:
        if days not in _RETENTION:
            raise ValueError(f"CloudWatch Logs retention must be one of {sorted(_RETENTION)} days, not {days}")
        return days

    @model_validator(mode="after")
    def _window_for_large_batches(self) -> DeploymentSettings:
        if self.starter_batch_size > 10 and self.starter_batch_window_seconds < 1:
            raise ValueError("starter_batch_size above 10 needs starter_batch_window_seconds of at least 1 (Lambda)")
        return self

    @property
    def log_retention(self) -> logs.RetentionDays:
        return _RETENTION[self.log_retention_days]


def load_deployment_settings(data: Mapping[str, Any] | None) -> DeploymentSettings:
    """Validate the ``amts:deployment`` context (absent: defaults)."""
    try:
        return DeploymentSettings.model_validate(data or {})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise InputError(f"invalid deployment settings: {problems}", path=config.CDK_CONTEXT_DEPLOYMENT) from None


def settings_from_context(
    pipeline_context: object, deployment_context: object
) -> tuple[PipelineConfig, DeploymentSettings]:
    """Both models from raw ``try_get_context`` values; every problem of both is listed in one error."""
    problems: list[str] = []
    pipeline: PipelineConfig | None = None
    settings: DeploymentSettings | None = None
    if not isinstance(pipeline_context, Mapping):
        problems.append(f"cdk.json context {config.CDK_CONTEXT_PIPELINE!r} is missing or not an object")
    else:
        try:
            pipeline = load_pipeline_config(pipeline_context, source=f"cdk.json context {config.CDK_CONTEXT_PIPELINE}")
        except InputError as exc:
            problems.append(str(exc))
    if deployment_context is not None and not isinstance(deployment_context, Mapping):
        problems.append(f"cdk.json context {config.CDK_CONTEXT_DEPLOYMENT!r} is not an object")
    else:
        try:
            settings = load_deployment_settings(deployment_context)
        except InputError as exc:
            problems.append(str(exc))
    if problems or pipeline is None or settings is None:
        raise InputError("; ".join(problems))
    return pipeline, settings
