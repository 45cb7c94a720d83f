"""The real pipeline end to end on the local runtime: the sample book, a one-paragraph edit, least privilege.

Given the sample book (3 chapters in en/zh/es and a new English chapter) uploaded at once, when the pipeline
runs, then one execution translates the book into zh and es; when one paragraph is edited and uploaded, then
the sync run sends only that paragraph to Translate. The scenarios live in ``tests/e2e/scenarios.py``. Every AWS
call each principal made is then replayed against the synthesized template (``amts_local.iam``): no call denied, no
grant wider than the calls and the reviewed allow-list, every service-behaviour check holding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from amts import config

from amts_local.bookrun import PhaseResult, collect_outputs
from amts_local.demo import DEMO_PAIRS, _is_edit
from amts_local.iam import prove
from amts_local.runtime import LocalRuntime
from amts_local.samplebook import CHAPTERS, NEW_CHAPTER
from tests.e2e.scenarios import PipelineRun

pytestmark = pytest.mark.slow


@dataclass
class ScenarioRun:
    runtime: LocalRuntime
    book: Path
    out: Path
    first: PhaseResult
    second: PhaseResult
    duplicate_batches: list[int]
    late: PhaseResult
    sent: list[str]
    book_bytes_before: dict[Path, bytes]
    evaluation: PhaseResult
    bindings: dict[str, str]


@pytest.fixture(scope="module")
def scenario(scenarios_run: PipelineRun) -> ScenarioRun:
    """The scenarios' results (``tests/e2e/scenarios.py``), with every output downloaded to ``out/``."""
    results, out = scenarios_run.results, scenarios_run.root / "out"
    collect_outputs(scenarios_run.runtime, out)
    return ScenarioRun(
        scenarios_run.runtime,
        results["book"],
        out,
        results["first"],
        results["second"],
        results["duplicate_batches"],
        results["late"],
        results["sent"],
        results["book_bytes_before"],
        results["evaluation"],
        scenarios_run.bindings,
    )


def test_the_whole_book_runs_as_one_execution(scenario: ScenarioRun) -> None:
    assert scenario.first.status == "SUCCEEDED", (scenario.first.error, scenario.first.cause)
    assert scenario.runtime.stats.starter_batches[0] == scenario.first.uploads  # one batch, one execution
    runtime = scenario.runtime
    records = [
        json.loads(runtime.read_object(runtime.names.output_bucket, key))["rejected"]
        for key in runtime.list_keys(runtime.names.output_bucket, config.REJECTED_PREFIX)
    ]
    empty = [record for record in records if any(item["key"].endswith("chapter_drafts/empty.md") for item in record)]
    assert len(empty) == 1  # the empty chapter, recorded with its reason; the rest of the batch ran
    assert [item["key"] for item in empty[0]] == [f"{config.SOURCE_PREFIX}en/chapter_drafts/empty.md"]


def test_every_source_chapter_is_translated_into_every_pair(scenario: ScenarioRun) -> None:
    for pair in DEMO_PAIRS:
        target = pair.split("-")[1]
        for chapter in CHAPTERS:
            path = scenario.out / target / chapter
            assert path.is_file(), f"missing {target}/{chapter}"
            text = path.read_text(encoding="utf-8")
            assert text.strip()
            # code cells come back byte for byte
            assert "```{.python .input}" in text


def test_one_job_per_pair_and_the_engine_is_named(scenario: ScenarioRun) -> None:
    act_jobs = [job for job in scenario.first.jobs if job.act]
    assert sorted(job.pair for job in act_jobs) == sorted(DEMO_PAIRS)
    assert all(job.engines for job in scenario.first.jobs)
    assert all(job.characters > 0 for job in act_jobs)


def test_an_event_delivered_three_times_gives_one_execution_and_one_job_per_pair(scenario: ScenarioRun) -> None:
    assert scenario.duplicate_batches == [3]  # the three copies arrived within one batching window
    assert scenario.second.execution_arn is not None  # run_phase refuses more than one new execution
    assert sorted(job.pair for job in scenario.second.jobs) == sorted(DEMO_PAIRS)  # no baseline: nothing is scored
    assert scenario.runtime.stats.failed_invocations.get("Starter", 0) == 0


def test_a_late_duplicate_translates_nothing(scenario: ScenarioRun) -> None:
    assert scenario.late.status in ("SUCCEEDED", "NOT_STARTED"), (scenario.late.error, scenario.late.cause)
    assert scenario.late.jobs == []
    assert scenario.late.characters == 0


def test_sync_sends_only_the_edited_paragraph(scenario: ScenarioRun) -> None:
    assert scenario.second.status == "SUCCEEDED", (scenario.second.error, scenario.second.cause)
    assert scenario.sent, "the sync run sent nothing"
    assert all(_is_edit(text) for text in scenario.sent), scenario.sent
    # one job per pair, the ACT job: evaluation is on, but no synchronized chapter is scored, so no baseline
    assert all(job.act for job in scenario.second.jobs), scenario.second.jobs
    assert sorted(job.pair for job in scenario.second.jobs) == sorted(DEMO_PAIRS)
    # billed: the edited paragraph once per pair, far less than the chapter
    chapter_chars = len(CHAPTERS[NEW_CHAPTER]["en"])
    for job in scenario.second.jobs:
        assert 0 < job.characters < chapter_chars / 4


def test_inputs_are_never_modified(scenario: ScenarioRun) -> None:
    after = {path: path.read_bytes() for path in scenario.book.rglob("*") if path.is_file()}
    assert after == scenario.book_bytes_before
    stack_writes = [
        call
        for call in scenario.runtime.calls
        if call.principal != "local-user"
        and call.action in ("s3:PutObject", "s3:DeleteObject")
        and call.resource.startswith(f"arn:aws:s3:::{scenario.runtime.names.input_bucket}/")
    ]
    assert stack_writes == []


def test_outputs_are_whole(scenario: ScenarioRun) -> None:
    leftovers = [p for p in scenario.out.rglob("*") if p.name.startswith(".") and p.suffix == ".tmp"]
    assert leftovers == []
    for report in scenario.out.rglob("*.json"):
        json.loads(report.read_text(encoding="utf-8"))


def test_every_call_is_allowed_and_no_grant_is_wider_than_the_calls_and_the_allow_list(
    scenario: ScenarioRun, synthesized_template: dict[str, Any]
) -> None:
    """Given the synthesized template and every call the scenarios made, when the proof replays them, then no call
    is denied, no grant (identity, trust or resource policy) allows more than the calls and the reviewed allow-list
    need, every service-behaviour check holds, and the allow-list has nothing stale."""
    proof = prove(synthesized_template, scenario.runtime.calls, bindings=scenario.bindings)
    # Given the principals of the stack: one role per function, the state machine's, Translate's data access
    assert {"state-machine", "translate-data-access", "function:Starter", "function:Stage"} <= set(
        proof.model.principals
    )
    # Then no call was denied
    assert proof.violations == [], proof.summary()
    # And the data-access role, the state machine and each function were exercised
    principals_seen = {call.principal for call in scenario.runtime.calls}
    assert {"translate-data-access", "state-machine", "function:Stage", "function:Assemble"} <= principals_seen
    # And nothing is wider than the calls and the allow-list need, and AWS can do what it does on our behalf
    assert proof.breadth.findings == [], proof.summary()
    assert proof.service_failures == {}, proof.summary()
    # And every allow-list entry still accepts a grant, and no "unexercised" entry is exercised by now
    assert proof.breadth.unused_entries() == []
    assert proof.breadth.exercised_entries() == []


def test_the_proofs_scenarios_reached_their_paths(scenarios_run: PipelineRun) -> None:
    """Given the scenarios the proof replays, then each reached the path it is there for: parallel data updated for
    both pairs, the terminology applied, a failed job, a refused run and rejected unsafe keys."""
    results, runtime = scenarios_run.results, scenarios_run.runtime
    operations = [op for op, _ in runtime.translate.calls] if runtime.translate is not None else []
    updated = {
        call.resource.rsplit("/", 1)[-1] for call in runtime.calls if call.action == "translate:UpdateParallelData"
    }
    assert updated == {"amts-en-zh", "amts-en-es"}
    assert results["revised"].status == "SUCCEEDED", (results["revised"].error, results["revised"].cause)
    assert any(
        call.action == "translate:StartTextTranslationJob" and call.resource.endswith("terminology/amts-en-zh-terms")
        for call in runtime.calls
    )
    assert (results["failed_job"].status, results["failed_job"].error) == ("FAILED", "AMTS.PairsFailed")
    assert (results["refused"].status, results["refused"].error) == ("FAILED", "AMTS.BudgetExceeded")
    assert results["refused"].jobs == []
    assert results["unsafe"].status == "NOT_STARTED"
    assert "StartTextTranslationJob" in operations
