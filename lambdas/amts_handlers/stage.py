"""Stage: plan the sync and stage only the segments that need MT as HTML, measured for the cost guard."""

from __future__ import annotations

from typing import Any

from amts_steps.models import StageStep
from amts_steps.stage import stage_pair
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from amts_handlers.shared import client, logger, metrics, settings, tracer


@logger.inject_lambda_context(correlation_id_path="task.run_id")
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    step = parse(event=event, model=StageStep)
    config = settings()
    result = stage_pair(
        step,
        s3_client=client("s3"),
        input_bucket=config.input_bucket,
        work_bucket=config.work_bucket,
        output_bucket=config.output_bucket,
    )
    logger.info("staged", extra={"pair": step.task.pair_name, "documents": result.documents})
    metrics.add_metric(name="CharactersStaged", unit="Count", value=result.characters)
    return result.model_dump(mode="json")
