"""BuildParallelData: align the book with its human translation and write the parallel-data CSV."""

from __future__ import annotations

from amts_steps.pair_models import ParallelDataResult, ParallelDataStep
from amts_steps.parallel_data import build_pair_parallel_data
from amts_steps.settings import Settings

from amts_handlers.shared import client, logger, metrics, step_handler


@step_handler(ParallelDataStep)
def handler(step: ParallelDataStep, config: Settings) -> ParallelDataResult:
    result = build_pair_parallel_data(
        step, s3_client=client("s3"), input_bucket=config.input_bucket, work_bucket=config.work_bucket
    )
    logger.info("parallel data", extra={"pair": step.task.pair_name, "records": result.pair_count})
    metrics.add_metric(name="ParallelDataRecords", unit="Count", value=result.pair_count)
    return result
