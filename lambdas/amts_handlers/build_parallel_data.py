"""BuildParallelData: align the book with its human translation and write the parallel-data CSV."""

from __future__ import annotations

from typing import Any

from amts_steps.models import ParallelDataStep
from amts_steps.parallel_data import build_pair_parallel_data
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from amts_handlers.shared import client, logger, metrics, settings, tracer


@logger.inject_lambda_context(correlation_id_path="task.run_id")
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    step = parse(event=event, model=ParallelDataStep)
    config = settings()
    result = build_pair_parallel_data(
        step, s3_client=client("s3"), input_bucket=config.input_bucket, work_bucket=config.work_bucket
    )
    logger.info("parallel data", extra={"pair": step.task.pair_name, "records": result.pair_count})
    metrics.add_metric(name="ParallelDataRecords", unit="Count", value=result.pair_count)
    return result.model_dump(mode="json")
