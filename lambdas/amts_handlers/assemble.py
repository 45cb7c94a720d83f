"""Assemble: translated HTML back to markdown, merged with the memory, published atomically."""

from __future__ import annotations

from typing import Any

from amts_steps.assemble import assemble_pair
from amts_steps.models import AssembleStep
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from amts_handlers.shared import client, logger, metrics, settings, tracer


@logger.inject_lambda_context(correlation_id_path="task.run_id")
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    step = parse(event=event, model=AssembleStep)
    config = settings()
    result = assemble_pair(
        step,
        s3_client=client("s3"),
        input_bucket=config.input_bucket,
        work_bucket=config.work_bucket,
        output_bucket=config.output_bucket,
    )
    logger.info("assembled", extra={"pair": step.task.pair_name, "published": result.chapters_published})
    metrics.add_metric(name="ChaptersPublished", unit="Count", value=result.chapters_published)
    metrics.add_metric(name="CharactersBilled", unit="Count", value=result.characters_billed)
    return result.model_dump(mode="json")
