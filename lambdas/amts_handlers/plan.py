"""Plan: validate the execution input and resolve it against the config and the book."""

from __future__ import annotations

from typing import Any

from amts_steps.models import PlanRequest
from amts_steps.plan import plan_run
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from amts_handlers.shared import client, logger, metrics, settings, tracer


@logger.inject_lambda_context(correlation_id_path="execution_name")
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = parse(event=event, model=PlanRequest)
    config = settings()
    plan = plan_run(
        request.input,
        execution_name=request.execution_name,
        pipeline=config.pipeline,
        s3_client=client("s3"),
        input_bucket=config.input_bucket,
    )
    logger.info("planned run", extra={"run_id": plan.run_id, "pairs": [t.pair_name for t in plan.pairs]})
    metrics.add_metric(name="PairsPlanned", unit="Count", value=len(plan.pairs))
    return plan.model_dump(mode="json")
