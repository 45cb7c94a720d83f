"""Names shared by the CDK stack, the Lambda handlers and the local runtime.

One module, so that the deployed stack and the offline runtime can never disagree on a function, an
environment variable or a state-machine placeholder. Values are read lazily by the handlers (once per cold
start), never at import time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FunctionSpec:
    """One Lambda function: its id in the stack, its handler, and its ASL placeholder (if the workflow calls it)."""

    function_id: str
    handler: str
    asl_placeholder: str | None
    description: str


FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec("Starter", "amts_handlers.starter.handler", None, "SQS batch of S3 events -> one execution"),
    FunctionSpec(
        "BuildParallelData",
        "amts_handlers.build_parallel_data.handler",
        "BuildParallelDataFunctionArn",
        "segment and align the book and its translation, write parallel data",
    ),
    FunctionSpec(
        "Stage", "amts_handlers.stage.handler", "StageFunctionArn", "book model to HTML for the segments that need MT"
    ),
    FunctionSpec(
        "Assemble",
        "amts_handlers.assemble.handler",
        "AssembleFunctionArn",
        "translated HTML back to markdown, merged with the memory, published atomically",
    ),
    FunctionSpec("Score", "amts_handlers.score.handler", "ScoreFunctionArn", "score a pair and write the run report"),
)

# Environment variable names (the CDK stack sets them, the handlers' config models read them).
ENV_INPUT_BUCKET = "AMTS_INPUT_BUCKET"
ENV_WORK_BUCKET = "AMTS_WORK_BUCKET"
ENV_OUTPUT_BUCKET = "AMTS_OUTPUT_BUCKET"
ENV_STATE_MACHINE_ARN = "AMTS_STATE_MACHINE_ARN"
ENV_TRANSLATE_ROLE_ARN = "AMTS_TRANSLATE_ROLE_ARN"
ENV_TOPIC_ARN = "AMTS_TOPIC_ARN"
ENV_PIPELINE_CONFIG = "AMTS_PIPELINE_CONFIG"  # JSON of the pipeline config from cdk.json context

# Prefixes inside the buckets (the S3 trigger watches SOURCE_PREFIX in the input bucket only).
SOURCE_PREFIX = "book/"  # book/<lang>/<relative path>.md
STATE_PREFIX = "state/"  # output bucket: translation memory and per-chapter sync state
REPORT_PREFIX = "reports/"  # output bucket: per-run reports
OUTPUT_PREFIX = "translated/"  # output bucket: translated/<lang>/<relative path>.md
JOB_INPUT_PREFIX = "jobs/input/"  # working bucket: jobs/input/<run>/<pair>/...
JOB_OUTPUT_PREFIX = "jobs/output/"  # working bucket: Translate writes here
PARALLEL_DATA_PREFIX = "parallel-data/"  # working bucket
