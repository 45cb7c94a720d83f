"""Plan: validate the execution input and resolve it against the config and the book."""

from __future__ import annotations

from amts_steps.plan import plan_run
from amts_steps.plan_models import PlanRequest, RunPlan
from amts_steps.settings import Settings

from amts_handlers.shared import client, logger, metrics, step_handler


@step_handler(PlanRequest, correlation_id_path="execution_name")
def handler(request: PlanRequest, config: Settings) -> RunPlan:
    plan = plan_run(
        request.input,
        execution_name=request.execution_name,
        pipeline=config.pipeline,
        s3_client=client("s3"),
        input_bucket=config.input_bucket,
    )
    logger.info("planned run", extra={"run_id": plan.run_id, "pairs": [t.pair_name for t in plan.pairs]})
    metrics.add_metric(name="PairsPlanned", unit="Count", value=len(plan.pairs))
    return plan
