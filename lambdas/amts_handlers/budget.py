"""Budget: the cost guard. Before any job, estimate the whole run and reserve it; after the report, settle it."""

from __future__ import annotations

from amts_steps.budget import SpendLedger, reserve_budget, settle_budget
from amts_steps.run_models import BudgetDecision, BudgetRequest, ReserveRequest, SettleRequest, SettleResult
from amts_steps.settings import Settings
from pydantic import TypeAdapter

from amts_handlers.shared import client, logger, metrics, step_handler


@step_handler(TypeAdapter[ReserveRequest | SettleRequest](BudgetRequest), correlation_id_path="run_id")
def handler(request: ReserveRequest | SettleRequest, config: Settings) -> BudgetDecision | SettleResult:
    if config.spend_table is None:
        raise RuntimeError("AMTS_SPEND_TABLE is not set")  # a deployment bug
    ledger = SpendLedger(client("dynamodb"), config.spend_table)
    if isinstance(request, ReserveRequest):
        decision = reserve_budget(request, ledger=ledger, budget=config.pipeline.budget)
        logger.info(
            "budget decided",
            extra={"approved": decision.approved, "estimate_usd": decision.estimate_usd, "reason": decision.reason},
        )
        metrics.add_metric(name="EstimatedCharacters", unit="Count", value=decision.estimate_characters)
        metrics.add_metric(name="RunsRefusedByBudget", unit="Count", value=0 if decision.approved else 1)
        return decision
    settled = settle_budget(request, ledger=ledger)
    logger.info("budget settled", extra=settled.model_dump(mode="json"))
    return settled
