"""The cost guard: one decision per execution, before any document reaches a job folder.

The Budget step sees every prepared pair. It prices each job the run would start (the ACT job, and the baseline
job when Score will compare it) from the characters of the documents Stage staged, which are exactly the ones
Release copies into the job folder. The run is refused when the total exceeds the per-run character or dollar
cap; otherwise its cost is reserved in a spend ledger against the UTC day's and month's caps, in one DynamoDB
transaction whose conditions make two executions unable to spend the same headroom. After the report, the
reservation is settled to what the jobs billed, so a failed pair's headroom comes back.

The ledger keeps integers (millionths of a dollar), so sums never drift.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from amts.pipeline_config import BudgetConfig
from amts.translate.cost import UNVERIFIED_PRICING_NOTE, Pricing, usd

from amts_steps.run_models import (
    BudgetDecision,
    Caps,
    JobEstimate,
    PreparedPair,
    ReserveRequest,
    RunEstimate,
    SettleRequest,
    SettleResult,
)

MICRO = 1_000_000
# Ledger items outlive the longest period they count against, then expire (DynamoDB TTL).
LEDGER_RETENTION = timedelta(days=400)


def job_micro_usd(characters: int, usd_per_million: float) -> int:
    """The job's cost in millionths of a dollar, rounded up (characters x USD per million characters)."""
    return math.ceil(characters * usd_per_million - 1e-9) if characters else 0


def estimate_run(prepared: list[PreparedPair], budget: BudgetConfig) -> RunEstimate:
    """Every job the run would start, priced: ACT where the pair has parallel data, standard otherwise."""
    jobs: list[JobEstimate] = []
    for pair in prepared:
        stage = pair.stage
        if pair.failed is not None or stage is None or not stage.needs_translation:
            continue
        act = bool(stage.parallel_data_names)
        price = budget.price_per_million_characters_act if act else budget.price_per_million_characters
        jobs.append(
            JobEstimate(
                pair_name=pair.task.pair_name,
                role="act",
                characters=stage.characters,
                priced_as="ACT" if act else "standard",
                usd_per_million_characters=price,
                micro_usd=job_micro_usd(stage.characters, price),
            )
        )
        if stage.baseline_wanted:
            standard = budget.price_per_million_characters
            jobs.append(
                JobEstimate(
                    pair_name=pair.task.pair_name,
                    role="baseline",
                    characters=stage.characters,
                    priced_as="standard",
                    usd_per_million_characters=standard,
                    micro_usd=job_micro_usd(stage.characters, standard),
                )
            )
    return RunEstimate(jobs=jobs)


def caps_of(budget: BudgetConfig) -> Caps:
    return Caps(
        characters_per_run=budget.max_characters_per_run,
        usd_per_run=budget.max_cost_usd_per_run,
        usd_per_day=budget.max_cost_usd_per_day,
        usd_per_month=budget.max_cost_usd_per_month,
    )


def run_cap_problem(estimate: RunEstimate, caps: Caps) -> str | None:
    """Why the estimate alone is over a per-run cap (or over a whole day's or month's cap), or None."""
    if estimate.characters > caps.characters_per_run:
        return (
            f"the run would bill {estimate.characters:,} characters, above the per-run cap of "
            f"{caps.characters_per_run:,} (budget.max_characters_per_run)"
        )
    for cap, name in (
        (caps.usd_per_run, "per-run cap (budget.max_cost_usd_per_run)"),
        (caps.usd_per_day, "daily cap (budget.max_cost_usd_per_day)"),
        (caps.usd_per_month, "monthly cap (budget.max_cost_usd_per_month)"),
    ):
        if cap is not None and estimate.micro_usd > round(cap * MICRO):
            return f"the run is estimated at {usd(estimate.usd)}, above the {name} of {usd(cap)}"
    return None


# ------------------------------------------------------------------------------------------------ the ledger


@dataclass(frozen=True)
class Reservation:
    """What the ledger holds for one run after reserving: its amount and the periods' totals."""

    reserved_micro_usd: int
    day_micro_usd: int | None
    month_micro_usd: int | None


class LedgerRefused(Exception):
    """A period's cap has no room for the run: ``period`` names it, ``spent`` is its total before the run."""

    def __init__(self, period: str, spent_micro_usd: int) -> None:
        super().__init__(period)
        self.period = period
        self.spent_micro_usd = spent_micro_usd


class SpendLedger:
    """The spend ledger: one DynamoDB table (partition key ``pk``) with an item per run, UTC day and month."""

    def __init__(self, dynamodb_client: Any, table: str) -> None:
        self.db = dynamodb_client
        self.table = table

    def _get(self, key: str) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self.db.get_item(
            TableName=self.table, Key={"pk": {"S": key}}, ConsistentRead=True
        ).get("Item")
        return item

    def spent(self, period: str) -> int:
        item = self._get(period)
        return int(item["spent_micro_usd"]["N"]) if item and "spent_micro_usd" in item else 0

    def reserve(self, run_id: str, amount: int, *, periods: list[tuple[str, int | None]], now: datetime) -> Reservation:
        """Add ``amount`` to each period unless that would pass its cap; once per run (a retry finds its own)."""
        expires = str(int((now + LEDGER_RETENTION).timestamp()))
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": {
                        "pk": {"S": f"run#{run_id}"},
                        "reserved_micro_usd": {"N": str(amount)},
                        "periods": {"SS": [period for period, _ in periods]},
                        "state": {"S": "reserved"},
                        "created_at": {"S": now.isoformat()},
                        "expires_at": {"N": expires},
                    },
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        ]
        for period, cap in periods:
            update: dict[str, Any] = {
                "TableName": self.table,
                "Key": {"pk": {"S": period}},
                "UpdateExpression": "ADD spent_micro_usd :amount SET expires_at = if_not_exists(expires_at, :expires)",
                "ExpressionAttributeValues": {":amount": {"N": str(amount)}, ":expires": {"N": expires}},
            }
            if cap is not None:
                update["ConditionExpression"] = "attribute_not_exists(spent_micro_usd) OR spent_micro_usd <= :room"
                update["ExpressionAttributeValues"][":room"] = {"N": str(cap - amount)}
            items.append({"Update": update})
        try:
            self.db.transact_write_items(TransactItems=items)
        except self.db.exceptions.TransactionCanceledException as exc:
            reasons = [reason.get("Code") for reason in exc.response.get("CancellationReasons", [])]
            if reasons and reasons[0] == "ConditionalCheckFailed":  # this run reserved before (a retried step)
                existing = self._get(f"run#{run_id}") or {}
                amount = int(existing.get("reserved_micro_usd", {}).get("N", amount))
            else:
                for (period, _), code in zip(periods, reasons[1:], strict=False):
                    if code == "ConditionalCheckFailed":
                        raise LedgerRefused(period, self.spent(period)) from None
                raise
        day, month = (self.spent(period) for period, _ in periods)
        return Reservation(amount, day, month)

    def settle(self, run_id: str, billed: int, *, now: datetime) -> tuple[bool, int]:
        """Replace the run's reservation by what it billed, once; returns (settled now, reserved amount)."""
        item = self._get(f"run#{run_id}")
        if item is None:
            return False, 0
        reserved = int(item["reserved_micro_usd"]["N"])
        if item.get("state", {}).get("S") != "reserved":
            return False, reserved
        delta = str(billed - reserved)
        items: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.table,
                    "Key": {"pk": {"S": f"run#{run_id}"}},
                    "UpdateExpression": "SET #state = :settled, billed_micro_usd = :billed, settled_at = :now",
                    "ConditionExpression": "#state = :reserved",
                    "ExpressionAttributeNames": {"#state": "state"},
                    "ExpressionAttributeValues": {
                        ":settled": {"S": "settled"},
                        ":reserved": {"S": "reserved"},
                        ":billed": {"N": str(billed)},
                        ":now": {"S": now.isoformat()},
                    },
                }
            }
        ]
        for period in item.get("periods", {}).get("SS", []):
            items.append(
                {
                    "Update": {
                        "TableName": self.table,
                        "Key": {"pk": {"S": period}},
                        "UpdateExpression": "ADD spent_micro_usd :delta",
                        "ExpressionAttributeValues": {":delta": {"N": delta}},
                    }
                }
            )
        try:
            self.db.transact_write_items(TransactItems=items)
        except self.db.exceptions.TransactionCanceledException:
            return False, reserved  # settled meanwhile by a retry of this step
        return True, reserved


# ------------------------------------------------------------------------------------------------ the steps


def periods_of(now: datetime) -> tuple[str, str]:
    day = now.astimezone(UTC)
    return f"day#{day:%Y-%m-%d}", f"month#{day:%Y-%m}"


def _micro(usd: float | None) -> int | None:
    return None if usd is None else round(usd * MICRO)


def reserve_budget(
    request: ReserveRequest, *, ledger: SpendLedger, budget: BudgetConfig, now: datetime | None = None
) -> BudgetDecision:
    """Decide whether the run may start its jobs, and reserve its estimate when it may."""
    now = now or datetime.now(UTC)
    day, month = periods_of(now)
    estimate = estimate_run(request.prepared, budget)
    caps = caps_of(budget)
    decision = {
        "run_id": request.run_id,
        "estimate": estimate,
        "estimate_characters": estimate.characters,
        "estimate_usd": estimate.usd,
        "caps": caps,
        "day": day.removeprefix("day#"),
        "month": month.removeprefix("month#"),
        "pricing_note": pricing_of(budget).note,
    }
    problem = run_cap_problem(estimate, caps)
    if problem is not None:
        return BudgetDecision(approved=False, reason=f"{problem}; no job was started", **decision)
    if estimate.micro_usd == 0:
        return BudgetDecision(approved=True, **decision)
    periods = [(day, _micro(caps.usd_per_day)), (month, _micro(caps.usd_per_month))]
    try:
        reservation = ledger.reserve(request.run_id, estimate.micro_usd, periods=periods, now=now)
    except LedgerRefused as refused:
        is_day = refused.period == day
        cap = caps.usd_per_day if is_day else caps.usd_per_month
        spent = refused.spent_micro_usd / MICRO
        name = "daily cap (budget.max_cost_usd_per_day)" if is_day else "monthly cap (budget.max_cost_usd_per_month)"
        reason = (
            f"the run is estimated at {usd(estimate.usd)}; with {usd(spent)} already spent or reserved on "
            f"{refused.period.split('#', 1)[1]} that is above the {name} of {usd(cap or 0)}; no job was started"
        )
        return BudgetDecision(approved=False, reason=reason, **decision)
    return BudgetDecision(
        approved=True,
        reserved_micro_usd=reservation.reserved_micro_usd,
        day_spent_usd=None if reservation.day_micro_usd is None else reservation.day_micro_usd / MICRO,
        month_spent_usd=None if reservation.month_micro_usd is None else reservation.month_micro_usd / MICRO,
        **decision,
    )


def settle_budget(request: SettleRequest, *, ledger: SpendLedger, now: datetime | None = None) -> SettleResult:
    """Replace the run's reservation with what its jobs billed (nothing to do when nothing was reserved)."""
    billed = math.ceil(request.billed_usd * MICRO - 1e-6) if request.billed_usd else 0
    if request.budget.reserved_micro_usd == 0:
        return SettleResult(settled=False, reserved_micro_usd=0, billed_micro_usd=billed, note="nothing reserved")
    settled, reserved = ledger.settle(request.run_id, billed, now=now or datetime.now(UTC))
    note = (
        f"reservation of {usd(reserved / MICRO)} replaced by the billed {usd(billed / MICRO)}"
        if settled
        else "already settled"
    )
    return SettleResult(settled=settled, reserved_micro_usd=reserved, billed_micro_usd=billed, note=note)


def pricing_of(budget: BudgetConfig) -> Pricing:
    """The configured prices, with a note saying whether they are the unverified defaults."""
    defaults = BudgetConfig()
    same = (budget.price_per_million_characters, budget.price_per_million_characters_act) == (
        defaults.price_per_million_characters,
        defaults.price_per_million_characters_act,
    )
    return Pricing(
        standard_per_million=budget.price_per_million_characters,
        act_per_million=budget.price_per_million_characters_act,
        note=UNVERIFIED_PRICING_NOTE if same else "prices from the pipeline config (budget.price_per_million_*)",
    )
