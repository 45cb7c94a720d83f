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
        "Plan",
        "amts_handlers.plan.handler",
        "PlanFunctionArn",
        "validate the execution input and resolve it against the config and the book",
    ),
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
        "Budget",
        "amts_handlers.budget.handler",
        "BudgetFunctionArn",
        "the cost guard: estimate the whole run, check the caps, reserve and settle spend in the ledger",
    ),
    FunctionSpec(
        "Release",
        "amts_handlers.release.handler",
        "ReleaseFunctionArn",
        "copy an approved pair's staged documents into its (empty) job folder and verify it",
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
ENV_SPEND_TABLE = "AMTS_SPEND_TABLE"  # DynamoDB table of the cost guard's spend ledger
ENV_PIPELINE_CONFIG = "AMTS_PIPELINE_CONFIG"  # JSON of the pipeline config from cdk.json context
# One BLAS/OpenMP thread per process (amts.threads): set on every Lambda function by the factory in stacks/, and
# by the CLI and the local runtime at start-up when the user has not set them.
THREAD_ENVIRONMENT = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

# Prefixes inside the buckets (the S3 trigger watches SOURCE_PREFIX in the input bucket only).
SOURCE_PREFIX = "book/"  # book/<lang>/<relative path>.md
STATE_PREFIX = "state/"  # output bucket: translation memory and per-chapter sync state
REPORT_PREFIX = "reports/"  # output bucket: per-run reports
REJECTED_PREFIX = f"{REPORT_PREFIX}rejected/"  # output bucket: uploads the Starter refused, with the reason
OUTPUT_PREFIX = "translated/"  # output bucket: translated/<lang>/<relative path>.md
JOB_STAGING_PREFIX = "jobs/staged/"  # working bucket: jobs/staged/<execution>/<pair>/ (Stage; docs and meta)
JOB_INPUT_PREFIX = "jobs/input/"  # working bucket: jobs/input/<execution>/<pair>/docs/ (Release; Translate reads)
JOB_OUTPUT_PREFIX = "jobs/output/"  # working bucket: Translate writes here
PARALLEL_DATA_PREFIX = "parallel-data/"  # working bucket
CONFIG_PREFIX = "config/"  # input bucket, outside the trigger's prefix: settings a person uploads
RENAMES_KEY = f"{CONFIG_PREFIX}renames.tsv"  # chapters that moved: one "OLD NEW" pair of paths per line

# cdk.json context keys: the pipeline config (amts.pipeline_config.PipelineConfig, shared with the handlers and the
# local runtime) and the deployment-only settings the stack reads (retention, alarm e-mail, trigger batching).
CDK_CONTEXT_PIPELINE = "amts:pipeline"
CDK_CONTEXT_DEPLOYMENT = "amts:deployment"

# ASL ${Placeholders} besides the function ARNs (FunctionSpec.asl_placeholder). The stack substitutes them in
# the deployed state machine, the local runtime in the one it runs; values are plain text (ARNs, names, numbers).
ASL_INPUT_BUCKET = "InputBucketName"
ASL_WORK_BUCKET = "WorkBucketName"
ASL_OUTPUT_BUCKET = "OutputBucketName"
ASL_TRANSLATE_ROLE_ARN = "TranslateDataAccessRoleArn"
ASL_TOPIC_ARN = "TopicArn"
# Limits, from amts.pipeline_config.asl_limit_substitutions (JSON numbers: write them unquoted in the ASL).
ASL_MAX_CONCURRENCY = "MaxConcurrency"
ASL_JOB_POLL_INITIAL_SECONDS = "JobPollInitialSeconds"
ASL_JOB_POLL_MAX_SECONDS = "JobPollMaxSeconds"
ASL_JOB_POLL_BACKOFF_RATE = "JobPollBackoffRate"
ASL_JOB_POLL_MAX_WAIT_SECONDS = "JobPollMaxWaitSeconds"
ASL_PARALLEL_DATA_POLL_INITIAL_SECONDS = "ParallelDataPollInitialSeconds"
ASL_PARALLEL_DATA_POLL_MAX_SECONDS = "ParallelDataPollMaxSeconds"
ASL_PARALLEL_DATA_POLL_BACKOFF_RATE = "ParallelDataPollBackoffRate"
ASL_PARALLEL_DATA_POLL_MAX_WAIT_SECONDS = "ParallelDataPollMaxWaitSeconds"
ASL_RETRY_INTERVAL_SECONDS = "RetryIntervalSeconds"
ASL_RETRY_MAX_ATTEMPTS = "RetryMaxAttempts"
ASL_RETRY_BACKOFF_RATE = "RetryBackoffRate"
ASL_RETRY_MAX_DELAY_SECONDS = "RetryMaxDelaySeconds"

# Powertools settings of every function, in one place: the stack's Lambda factory sets them as environment, the
# handlers' Logger/Tracer/Metrics are built with them (so a test or the local runtime cannot drift), and the local
# runtime sets the same environment.
POWERTOOLS_SERVICE = "amts"
POWERTOOLS_METRICS_NAMESPACE = "Amts"
POWERTOOLS_ENVIRONMENT: dict[str, str] = {
    "POWERTOOLS_SERVICE_NAME": POWERTOOLS_SERVICE,
    "POWERTOOLS_METRICS_NAMESPACE": POWERTOOLS_METRICS_NAMESPACE,
}

# Lambda runtime and architecture of every function (the stack's factory and the bundler use these).
LAMBDA_PYTHON_VERSION = "3.13"
LAMBDA_ARCHITECTURE = "x86_64"
