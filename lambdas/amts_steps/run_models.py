"""Typed boundaries of the run-level steps: the cost guard (Budget: reserve and settle) and the run report."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from amts_steps.pair_models import PairResult, ParallelDataResult, ScoreStep, StageResult
from amts_steps.plan_models import EXECUTION_NAME_PATTERN, PairTask, SkippedBookKey, StepModel


class PreparedPair(BaseModel):
    """One pair after the preparing Map: its task, parallel data and staged work, or why preparing failed."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    task: PairTask
    parallel_data: ParallelDataResult | None = None
    stage: StageResult | None = None
    failed: PairResult | None = None


class JobEstimate(StepModel):
    """One Translate job the run would start, priced as it would be billed."""

    pair_name: str
    role: Literal["act", "baseline"]
    characters: int = Field(ge=0)
    priced_as: Literal["ACT", "standard"]
    usd_per_million_characters: float
    micro_usd: int = Field(ge=0, description="cost in millionths of a dollar, rounded up")


class RunEstimate(StepModel):
    """Every job of the run, from exactly the documents each job will read (the staged documents)."""

    jobs: list[JobEstimate] = Field(default_factory=list)

    @property
    def characters(self) -> int:
        return sum(job.characters for job in self.jobs)

    @property
    def micro_usd(self) -> int:
        return sum(job.micro_usd for job in self.jobs)

    @property
    def usd(self) -> float:
        return self.micro_usd / 1_000_000


class Caps(StepModel):
    """The caps the decision was made against (from the pipeline config; None: no cap)."""

    characters_per_run: int
    usd_per_run: float
    usd_per_day: float | None = None
    usd_per_month: float | None = None


class BudgetDecision(StepModel):
    """Output of the Budget step: approved (and reserved in the ledger) or refused, with the figures."""

    approved: bool
    reason: str | None = Field(default=None, description="why the run was refused, naming the cap")
    run_id: str
    estimate: RunEstimate
    estimate_characters: int
    estimate_usd: float
    caps: Caps
    reserved_micro_usd: int = 0
    day: str = Field(description="the UTC day the reservation counts against, YYYY-MM-DD")
    month: str = Field(description="the UTC month, YYYY-MM")
    day_spent_usd: float | None = Field(default=None, description="the day's spend in the ledger after deciding")
    month_spent_usd: float | None = None
    pricing_note: str = ""


class ReserveRequest(StepModel):
    """Input of the Budget step before any job: the run and every prepared pair."""

    action: Literal["reserve"] = "reserve"
    run_id: str = Field(pattern=EXECUTION_NAME_PATTERN)
    prepared: list[PreparedPair]


class SettleRequest(StepModel):
    """Input of the Budget step after the report: what the run billed, to replace its reservation."""

    action: Literal["settle"] = "settle"
    run_id: str = Field(pattern=EXECUTION_NAME_PATTERN)
    budget: BudgetDecision
    billed_usd: float = Field(ge=0)


class SettleResult(StepModel):
    settled: bool
    reserved_micro_usd: int
    billed_micro_usd: int
    note: str


BudgetRequest = Annotated[ReserveRequest | SettleRequest, Field(discriminator="action")]


class ReportStep(StepModel):
    """Input of the run report (served by the Score function): all pairs' results and the cost guard's decision."""

    action: Literal["report"] = "report"
    run_id: str
    label: str | None = None
    report_prefix: str
    results: list[PairResult]
    budget: BudgetDecision | None = None
    skipped_keys: list[SkippedBookKey] = Field(default_factory=list)


class RunSummary(StepModel):
    """Output of the report step: where the report is, the notification text, and what the run billed."""

    run_id: str
    succeeded: int
    failed: int
    report_keys: list[str]
    subject: str = Field(max_length=99)
    message: str
    all_succeeded: bool
    budget_exceeded: bool = False
    billed_characters: int = 0
    billed_usd: float = 0.0


ScoreRequest = Annotated[ScoreStep | ReportStep, Field(discriminator="action")]
