"""The handlers' configuration: one typed model built from the environment the stack sets (names in amts.config)."""

from __future__ import annotations

from collections.abc import Mapping

from amts import config
from amts.errors import InputError
from amts.pipeline_config import PipelineConfig, load_pipeline_config_from_env
from pydantic import BaseModel, ConfigDict


class Settings(BaseModel):
    """Bucket names, ARNs and the pipeline config. Handlers build it once per cold start, never at import."""

    model_config = ConfigDict(frozen=True)

    input_bucket: str
    work_bucket: str
    output_bucket: str
    state_machine_arn: str | None = None
    translate_role_arn: str | None = None
    topic_arn: str | None = None
    spend_table: str | None = None
    pipeline: PipelineConfig


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Read the settings from ``environ`` (handlers pass ``os.environ``); a missing variable is named."""

    def required(name: str) -> str:
        value = environ.get(name)
        if not value:
            raise InputError(f"environment variable {name} is not set")
        return value

    return Settings(
        input_bucket=required(config.ENV_INPUT_BUCKET),
        work_bucket=required(config.ENV_WORK_BUCKET),
        output_bucket=required(config.ENV_OUTPUT_BUCKET),
        state_machine_arn=environ.get(config.ENV_STATE_MACHINE_ARN) or None,
        translate_role_arn=environ.get(config.ENV_TRANSLATE_ROLE_ARN) or None,
        topic_arn=environ.get(config.ENV_TOPIC_ARN) or None,
        spend_table=environ.get(config.ENV_SPEND_TABLE) or None,
        pipeline=load_pipeline_config_from_env(environ),
    )
