"""The cost guard on the local runtime: nothing is billed beyond a cap, whatever the execution input says.

Given the sample book (three chapters with human translations in zh and es, one new English chapter) and the
real state machine, handlers and Translate stand-in, when runs are started under per-run, per-execution and
daily caps, then a refused run ends in ``AMTS.BudgetExceeded`` having written no job folder and started no job,
a run cannot reuse another run's job folder or report by naming the same ``run_id``, the estimate counts every
pair and the baseline job, and the daily cap holds across executions.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from amts import config
from amts.pipeline_config import PipelineConfig

from amts_local.bookrun import PhaseResult, run_phase, start_and_wait, upload_languages
from amts_local.demo import DEMO_PAIRS, EVALUATED_CHAPTER
from amts_local.runtime import LocalRuntime, default_pipeline_config, local_pipeline_config
from amts_local.samplebook import NEW_CHAPTER, write_sample_book

pytestmark = pytest.mark.slow

BUDGET_EXCEEDED = "AMTS.BudgetExceeded"


def _with_budget(pipeline: PipelineConfig, **caps: float | None) -> PipelineConfig:
    return pipeline.model_copy(update={"budget": pipeline.budget.model_copy(update=caps)})


def _report(runtime: LocalRuntime, phase: PhaseResult) -> dict[str, Any]:
    assert phase.execution_arn is not None
    name = phase.execution_arn.rsplit(":", 1)[-1]
    body = runtime.read_object(runtime.names.output_bucket, f"{config.REPORT_PREFIX}{name}/report.json")
    report: dict[str, Any] = json.loads(body)
    return report


def _job_folder_keys(runtime: LocalRuntime, phase: PhaseResult) -> list[str]:
    assert phase.execution_arn is not None
    name = phase.execution_arn.rsplit(":", 1)[-1]
    return runtime.list_keys(runtime.names.work_bucket, f"{config.JOB_INPUT_PREFIX}{name}/")


@dataclass
class Runs:
    runtime: LocalRuntime
    base: PipelineConfig
    refused_upload: PhaseResult


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    book = write_sample_book(Path(tmp_path_factory.mktemp("guard")) / "book")
    base = local_pipeline_config(default_pipeline_config(), pairs=DEMO_PAIRS)
    with LocalRuntime(pipeline=_with_budget(base, max_cost_usd_per_run=0.0001)) as runtime:
        upload = upload_languages(runtime, book.root, ("en", "zh", "es"))
        refused = run_phase(runtime, "upload under a $0.0001 cap", upload)
        yield Runs(runtime, base, refused)


def test_a_run_over_the_per_run_cap_ends_in_budget_exceeded_with_nothing_sent(runs: Runs) -> None:
    # Given the book uploaded under a $0.0001 per-run cap (the new chapter needs MT into zh and es)
    phase = runs.refused_upload
    # Then the execution ends in BudgetExceeded, no job was started and no job folder was written
    assert (phase.status, phase.error) == ("FAILED", BUDGET_EXCEEDED), phase.cause
    assert phase.jobs == []
    assert _job_folder_keys(runs.runtime, phase) == []
    # And the report says why, with the estimate, what was billed (nothing) and the cap
    budget = _report(runs.runtime, phase)["budget"]
    assert budget["approved"] is False
    assert "per-run cap" in budget["reason"]
    assert budget["estimate_characters"] > 0
    assert (budget["billed_characters"], budget["billed_usd"]) == (0, 0.0)
    assert budget["cap_usd_per_run"] == 0.0001
    assert {line["label"].split(" ")[0] for line in budget["estimate_lines"]} == {"en-zh", "en-es"}


def test_the_same_run_id_cannot_reach_another_runs_job_folder_and_the_total_is_per_execution(runs: Runs) -> None:
    runtime = runs.runtime
    # Given the estimate of each pair's job for the new chapter (from the refused run's report)
    lines = _report(runtime, runs.refused_upload)["budget"]["estimate_lines"]
    per_pair = {line["label"].split(" ")[0]: line["usd"] for line in lines}
    # And a per-run cap above either pair's job but below the two together
    cap = max(per_pair.values()) * 1.01
    assert cap < sum(per_pair.values())
    runtime.reconfigure_functions(_with_budget(runs.base, max_cost_usd_per_run=cap))
    # When run A (both pairs) and then run B (one pair, one chapter) are started with the same run_id
    a = start_and_wait(runtime, "A", {"run_id": "same", "chapters": [NEW_CHAPTER]}, execution_name="guard-run-a")
    b = start_and_wait(
        runtime, "B", {"run_id": "same", "chapters": [NEW_CHAPTER], "pairs": ["en-zh"]}, execution_name="guard-run-b"
    )
    # Then A is refused as a whole (each of its pairs alone would fit) and wrote no job folder
    assert (a.status, a.error) == ("FAILED", BUDGET_EXCEEDED), a.cause
    assert a.jobs == []
    assert _job_folder_keys(runtime, a) == []
    # And B ran in its own job folder and billed no more than its own estimate, which is under the cap
    assert b.status == "SUCCEEDED", (b.error, b.cause)
    assert [job.pair for job in b.jobs] == ["en-zh"]
    b_budget = _report(runtime, b)["budget"]
    assert b.characters <= b_budget["estimate_characters"] <= sum(line["characters"] for line in lines)
    assert b.usd <= cap
    assert _job_folder_keys(runtime, b)
    assert all(key.startswith(f"{config.JOB_INPUT_PREFIX}guard-run-b/") for key in _job_folder_keys(runtime, b))
    # And A's report is still A's: run_id is a label, the reports live under each execution's name
    assert _report(runtime, a)["budget"]["approved"] is False
    assert "same" in _report(runtime, b)["run_id"]


def test_the_estimate_counts_the_baseline_job_and_the_daily_cap_holds_across_executions(runs: Runs) -> None:
    runtime = runs.runtime
    evaluation = {"pairs": ["en-zh"], "chapters": [EVALUATED_CHAPTER], "publish": False, "evaluate": True}
    # Given an evaluation-only run (ACT and baseline jobs) under generous caps
    runtime.reconfigure_functions(_with_budget(runs.base, max_cost_usd_per_run=100.0, max_cost_usd_per_day=100.0))
    first = start_and_wait(runtime, "evaluation 1", evaluation, execution_name="guard-eval-1")
    assert first.status == "SUCCEEDED", (first.error, first.cause)
    budget = _report(runtime, first)["budget"]
    # Then the estimate priced both jobs, and the jobs billed no more than it
    roles = sorted(line["label"].split(" ")[1] for line in budget["estimate_lines"])
    assert roles == ["act", "baseline"]
    assert len(first.jobs) == 2
    assert 0 < first.characters <= budget["estimate_characters"]
    # When the daily cap leaves room for less than the same run again
    spent_today = budget["day_spent_usd"]
    runtime.reconfigure_functions(
        _with_budget(
            runs.base, max_cost_usd_per_run=100.0, max_cost_usd_per_day=spent_today + budget["estimate_usd"] / 2
        )
    )
    second = start_and_wait(runtime, "evaluation 2", evaluation, execution_name="guard-eval-2")
    # Then the second execution is refused by the daily cap and sends nothing
    assert (second.status, second.error) == ("FAILED", BUDGET_EXCEEDED), second.cause
    assert second.jobs == []
    assert _job_folder_keys(runtime, second) == []
    assert "daily cap" in _report(runtime, second)["budget"]["reason"]
