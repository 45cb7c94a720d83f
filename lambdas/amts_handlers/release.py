"""Release: fill an approved pair's job folder with exactly the documents the cost guard priced."""

from __future__ import annotations

from typing import Any

from amts_steps.models import ReleaseStep
from amts_steps.release import release_job_input
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from amts_handlers.shared import client, logger, metrics, settings, tracer


@logger.inject_lambda_context(correlation_id_path="task.run_id")
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    step = parse(event=event, model=ReleaseStep)
    result = release_job_input(step, s3_client=client("s3"), work_bucket=settings().work_bucket)
    logger.info("job input released", extra={"pair": step.task.pair_name, "documents": result.documents})
    metrics.add_metric(name="DocumentsReleased", unit="Count", value=result.documents)
    return result.model_dump(mode="json")
