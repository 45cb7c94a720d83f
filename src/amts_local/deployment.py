"""What the local runtime takes from the deployment: the state machine files, cdk.json, the Starter's
batching, the pipeline config with local waits, and the ASL with local values substituted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from amts import asl, config
from amts.errors import InputError
from amts.pipeline_config import (
    PipelineConfig,
    PollingConfig,
    PollSchedule,
    cdk_context,
    load_pipeline_config_from_cdk_json,
)

# The state machine and cdk.json the stack is built from, as package data: in a checkout ``amts_local/deploy/``
# links to the repository's own files, and ``pip install .`` copies them into the package, so an installed ``amts``
# runs too.
DEPLOY_DATA = Path(str(resources.files("amts_local") / "deploy"))
DEFAULT_ASL_DIR = DEPLOY_DATA / "statemachine"
DEFAULT_CDK_JSON = DEPLOY_DATA / "cdk.json"


@dataclass(frozen=True)
class QueuePolling:
    """The emulated SQS event source mapping: batch size and batching window (collect until quiet)."""

    batch_size: int = 10_000
    quiet_seconds: float = 0.5
    visibility_timeout_seconds: int = 2
    max_receive_count: int = 3


def deployment_queue_polling(cdk_json: Path = DEFAULT_CDK_JSON) -> QueuePolling:
    """The stack's batch size for the Starter's event source (``amts:deployment``); the window stays local-short.

    The deployed batching window (up to 300 s) bounds how long Lambda waits for a batch to fill; locally the
    batch is handed over as soon as the queue has been quiet for ``quiet_seconds``, which gives the same batches
    for uploads made in one go without the wait.
    """
    deployment = cdk_context(cdk_json).get(config.CDK_CONTEXT_DEPLOYMENT) or {}
    batch_size = deployment.get("starter_batch_size")
    return (
        QueuePolling(batch_size=int(batch_size)) if isinstance(batch_size, int) and batch_size > 0 else QueuePolling()
    )


def default_pipeline_config() -> PipelineConfig:
    """The pipeline config the stack is built from (``cdk.json`` context ``amts:pipeline``)."""
    return load_pipeline_config_from_cdk_json(DEFAULT_CDK_JSON)


def local_pipeline_config(pipeline: PipelineConfig, *, pairs: Sequence[str] | None = None) -> PipelineConfig:
    """The same config with local waits: poll every second, retry after a second (Translate answers at once)."""
    # 60 one-second polls at most: the stand-in's jobs end after a few polls, and the history budget stays small.
    fast = PollSchedule(initial_seconds=1, max_seconds=1, backoff_rate=1.0, max_wait_seconds=60)
    update: dict[str, Any] = {
        "polling": PollingConfig(translation_job=fast, parallel_data=fast),
        "retry": pipeline.retry.model_copy(update={"interval_seconds": 1, "max_delay_seconds": 2}),
    }
    if pairs is not None:
        update["language_pairs"] = tuple(pipeline.pair(key) for key in pairs)
    return pipeline.model_copy(update=update)


def substitute_placeholders(path: Path, substitutions: Mapping[str, str]) -> str:
    """The ASL text with every ``${Name}`` replaced; an unknown placeholder is an error naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("state machine definition not found", path=str(path)) from None
    return asl.substitute(text, substitutions, path=str(path))
