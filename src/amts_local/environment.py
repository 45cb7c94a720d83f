"""The process environment of a local run: moto's credentials, what the stack sets on every function, and putting
back what was there before once the run ends."""

from __future__ import annotations

import os
from collections.abc import Mapping

from amts import config
from amts.pipeline_config import PipelineConfig

from amts_local.names import LocalNames


def aws_environment(region: str) -> dict[str, str]:
    """Credentials moto accepts and the region, so no call made during a local run can reach a real account."""
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def function_environment(
    names: LocalNames, pipeline: PipelineConfig, *, log_level: str, state_machine_arn: str | None
) -> dict[str, str]:
    """What the stack sets on every function (names local), plus Powertools settings for a local run."""
    env = {
        config.ENV_INPUT_BUCKET: names.input_bucket,
        config.ENV_WORK_BUCKET: names.work_bucket,
        config.ENV_OUTPUT_BUCKET: names.output_bucket,
        config.ENV_TRANSLATE_ROLE_ARN: names.translate_role_arn,
        config.ENV_TOPIC_ARN: names.topic_arn(),
        config.ENV_SPEND_TABLE: names.spend_table,
        config.ENV_PIPELINE_CONFIG: pipeline.to_env_json(),
        **config.POWERTOOLS_ENVIRONMENT,
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": log_level,
        **config.THREAD_ENVIRONMENT,
    }
    if state_machine_arn is not None:
        env[config.ENV_STATE_MACHINE_ARN] = state_machine_arn
    return env


class EnvironmentOverlay:
    """Sets variables in ``os.environ``, remembering each one's value from before its first change."""

    def __init__(self) -> None:
        self._saved: dict[str, str | None] = {}

    def set(self, values: Mapping[str, str]) -> None:
        for name, value in values.items():
            self._saved.setdefault(name, os.environ.get(name))
            os.environ[name] = value

    def restore(self) -> None:
        """Put back every variable as it was before the overlay first set it (unset where it was unset)."""
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved.clear()
