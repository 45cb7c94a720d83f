"""The state machine under moto's Step Functions interpreter: the success path and each failure path.

The Plan function is the real handler. The per-pair steps are replaced by recording doubles that validate the
payload the state machine hands them against the step's input model and answer with a valid output model, so
these tests pin down the workflow's routing and payloads; the steps themselves are tested on their own.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from amts.pipeline_config import PipelineConfig
from amts_steps.pair_models import (
    AssembleResult,
    AssembleStep,
    JobResult,
    PairResult,
    ParallelDataResult,
    ParallelDataStep,
    ReleaseResult,
    ReleaseStep,
    ScoreStep,
    StageResult,
    StageStep,
)
from amts_steps.run_models import ReportStep, RunSummary

from tests.integration.pipeline.conftest import ScriptedTranslate, run_execution, small_pipeline_config

pytestmark = pytest.mark.slow


class RecordingSteps:
    """Stand-ins for the per-pair step functions; each validates its input with the real model (the cost guard,
    Budget, is the real handler on moto's DynamoDB)."""

    def __init__(
        self, *, has_parallel_data: bool = True, needs_translation: bool = True, chapters_scored: bool = True
    ) -> None:
        self.has_parallel_data = has_parallel_data
        self.needs_translation = needs_translation
        self.chapters_scored = chapters_scored  # whether Stage staged a chapter Score will score (whole + reference)
        self.raise_in: set[str] = set()
        self.inputs: dict[str, list[Any]] = {
            "BuildParallelData": [],
            "Stage": [],
            "Release": [],
            "Assemble": [],
            "Score": [],
        }

    def handlers(self) -> dict[str, Any]:
        return {
            # Uploads only seed the book here; these tests start their executions themselves.
            "Starter": lambda event, context: {"batchItemFailures": []},
            "BuildParallelData": self.build_parallel_data,
            "Stage": self.stage,
            "Release": self.release,
            "Assemble": self.assemble,
            "Score": self.score,
        }

    def _check_raise(self, step: str, pair: str) -> None:
        if f"{step}:{pair}" in self.raise_in:
            raise RuntimeError(f"{step} blew up for {pair}")

    def build_parallel_data(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        step = ParallelDataStep.model_validate(event)
        self.inputs["BuildParallelData"].append(step)
        self._check_raise("BuildParallelData", step.task.pair_name)
        name = step.task.pair.parallel_data_name
        return ParallelDataResult(
            has_data=self.has_parallel_data,
            name=name,
            s3_uri=f"s3://amts-local-work/parallel-data/{step.task.pair_name}/abc.csv"
            if self.has_parallel_data
            else None,
            content_hash="abc",
            pair_count=10,
            client_token="abc-token",
        ).model_dump(mode="json")

    def stage(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        step = StageStep.model_validate(event)
        self.inputs["Stage"].append(step)
        self._check_raise("Stage", step.task.pair_name)
        base = f"s3://amts-local-work/jobs/{{}}/{step.task.run_id}/{step.task.pair_name}/"
        return StageResult(
            needs_translation=self.needs_translation,
            input_s3_uri=base.format("input"),
            output_s3_uri=base.format("output") + "act/",
            baseline_output_s3_uri=base.format("output") + "baseline/",
            stage_key=f"jobs/input/{step.task.run_id}/{step.task.pair_name}.stage.json",
            parallel_data_names=[step.parallel_data.name] if step.parallel_data.has_data else [],
            baseline_wanted=step.task.evaluate and step.parallel_data.has_data and self.chapters_scored,
            documents=1,
            segments=3,
            characters=120,
        ).model_dump(mode="json")

    def release(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        step = ReleaseStep.model_validate(event)
        self.inputs["Release"].append(step)
        self._check_raise("Release", step.task.pair_name)
        return ReleaseResult(job_prefix=step.stage.input_s3_uri, documents=1, characters=120).model_dump(mode="json")

    def assemble(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        step = AssembleStep.model_validate(event)
        self.inputs["Assemble"].append(step)
        self._check_raise("Assemble", step.task.pair_name)
        return AssembleResult(
            chapters_published=1,
            segments_translated=3,
            segments_untranslated=0,
            characters_billed=120,
            details_key=f"reports/{step.task.run_id}/{step.task.pair_name}/assemble.json",
        ).model_dump(mode="json")

    def score(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        if event.get("action") == "report":
            report = ReportStep.model_validate(event)
            self.inputs["Score"].append(report)
            failed = [r for r in report.results if r.status == "FAILED"]
            message = "; ".join(f"{r.pair_name}: {r.error}: {r.cause}" for r in failed) or "all pairs succeeded"
            return RunSummary(
                run_id=report.run_id,
                succeeded=len(report.results) - len(failed),
                failed=len(failed),
                report_keys=[f"{report.report_prefix}report.json"],
                subject="AMTS run finished",
                message=message,
                all_succeeded=not failed,
            ).model_dump(mode="json")
        step = ScoreStep.model_validate(event)
        self.inputs["Score"].append(step)
        self._check_raise("Score", step.task.pair_name)
        return PairResult(
            pair_name=step.task.pair_name, status="SUCCEEDED", chapters_published=1, bleu=40.0
        ).model_dump(mode="json")


@pytest.fixture
def book_runtime(make_runtime: Any) -> Any:
    def build(steps: RecordingSteps, pipeline: PipelineConfig | None = None) -> Any:
        runtime = make_runtime(handlers=steps.handlers(), pipeline=pipeline)
        runtime.upload("book/en/chapter_one/index.md", "# One\n\nA paragraph.\n")
        runtime.upload("book/zh/chapter_one/index.md", "# 一\n\n一段。\n")
        runtime.wait_for_uploads()
        return runtime

    return build


def _output(description: dict[str, Any]) -> dict[str, Any]:
    return json.loads(description.get("output") or "{}")


def _succeeded(runtime: Any, execution_input: dict[str, Any]) -> dict[str, Any]:
    """Run the pipeline, which must succeed; its description."""
    description = run_execution(runtime, execution_input)
    assert description["status"] == "SUCCEEDED", description
    return description


def _notifications(runtime: Any) -> list[str]:
    return [json.dumps(n) for n in runtime.notifications()]


def test_success_path_runs_act_and_baseline_jobs_and_notifies(book_runtime: Any, translate: ScriptedTranslate) -> None:
    # Given a book and two pairs (en-zh evaluated, en-es not)
    steps = RecordingSteps()
    runtime = book_runtime(steps)
    # When a console execution translates one chapter
    description = _succeeded(runtime, {"chapters": ["chapter_one/index.md"]})
    # Then it succeeds with both pairs and the run summary
    summary = _output(description)
    assert summary["succeeded"] == 2
    assert summary["failed"] == 0
    # and parallel data was created once per pair and polled until ACTIVE
    assert sorted(p["Name"] for p in translate.operations("CreateParallelData")) == ["amts-en-es", "amts-en-zh"]
    # and en-zh (evaluation on) ran an ACT job and a baseline job, en-es only the ACT job
    jobs = translate.operations("StartTextTranslationJob")
    by_target: dict[str, list[list[str]]] = {}
    for job in jobs:
        by_target.setdefault(job["TargetLanguageCodes"][0], []).append(job["ParallelDataNames"])
    assert sorted(by_target["zh"]) == [[], ["amts-en-zh"]]
    assert by_target["es"] == [["amts-en-es"]]
    assert all(job["InputDataConfig"]["ContentType"] == "text/html" for job in jobs)
    assert len({job["ClientToken"] for job in jobs}) == 3
    # and Assemble received both finished jobs of en-zh
    zh_assemble = next(s for s in steps.inputs["Assemble"] if s.task.pair_name == "en-zh")
    assert isinstance(zh_assemble.jobs.customized, JobResult)
    assert zh_assemble.jobs.customized.JobStatus == "COMPLETED"
    assert zh_assemble.jobs.baseline is not None
    # and Score was told BuildParallelData's result (the report's pair counts)
    zh_score = next(s for s in steps.inputs["Score"] if isinstance(s, ScoreStep) and s.task.pair_name == "en-zh")
    assert zh_score.parallel_data is not None
    assert zh_score.parallel_data.pair_count == 10
    # and a notification went out
    assert any("all pairs succeeded" in n for n in _notifications(runtime))


def test_an_evaluated_pair_with_nothing_to_score_runs_only_the_act_job(
    book_runtime: Any, translate: ScriptedTranslate
) -> None:
    # Given Stage found no chapter Score will score (e.g. a sync run: only edited segments, no whole chapter)
    steps = RecordingSteps(chapters_scored=False)
    # When both pairs run, en-zh with evaluation on and parallel data
    _succeeded(book_runtime(steps), {"chapters": ["chapter_one/index.md"]})
    # Then each pair started exactly one job, the ACT job, and no baseline reached Assemble or Score
    jobs = translate.operations("StartTextTranslationJob")
    assert sorted((job["TargetLanguageCodes"][0], job["ParallelDataNames"]) for job in jobs) == [
        ("es", ["amts-en-es"]),
        ("zh", ["amts-en-zh"]),
    ]
    zh_stage = next(s for s in steps.inputs["Stage"] if s.task.pair_name == "en-zh")
    assert zh_stage.task.evaluate
    assert zh_stage.parallel_data.has_data
    assert all(step.jobs.baseline is None for step in steps.inputs["Assemble"])
    assert all(step.jobs.customized is not None for step in steps.inputs["Assemble"])
    scored = [s for s in steps.inputs["Score"] if isinstance(s, ScoreStep)]
    assert len(scored) == 2
    assert all(step.jobs.baseline is None and not step.stage.baseline_wanted for step in scored)


def test_nothing_to_translate_skips_the_jobs(book_runtime: Any, translate: ScriptedTranslate) -> None:
    steps = RecordingSteps(needs_translation=False)
    _succeeded(book_runtime(steps), {"pairs": ["en-es"]})
    assert translate.operations("StartTextTranslationJob") == []
    assert steps.inputs["Assemble"][0].jobs.customized is None


def test_without_parallel_data_no_act_and_no_baseline(book_runtime: Any, translate: ScriptedTranslate) -> None:
    steps = RecordingSteps(has_parallel_data=False)
    _succeeded(book_runtime(steps), {"pairs": ["en-zh"]})
    assert translate.operations("GetParallelData") == []
    jobs = translate.operations("StartTextTranslationJob")
    assert [job["ParallelDataNames"] for job in jobs] == [[]]


def test_existing_parallel_data_with_same_content_is_not_updated(
    book_runtime: Any, translate: ScriptedTranslate
) -> None:
    steps = RecordingSteps()
    runtime = book_runtime(steps)
    assert run_execution(runtime, {"pairs": ["en-es"]}, name="first")["status"] == "SUCCEEDED"
    assert run_execution(runtime, {"pairs": ["en-es"]}, name="second")["status"] == "SUCCEEDED"
    assert len(translate.operations("CreateParallelData")) == 1
    assert translate.operations("UpdateParallelData") == []


def test_invalid_input_fails_with_an_actionable_message(book_runtime: Any) -> None:
    runtime = book_runtime(RecordingSteps())
    description = run_execution(runtime, {"pairs": ["en-xx"], "chapters": ["../etc/passwd"]})
    assert description["status"] == "FAILED"
    assert description["error"] == "AMTS.InvalidInput"
    assert "bad language pair 'en-xx'" in description["cause"]
    assert "bad chapter path" in description["cause"]
    assert any("did not run" in n and "en-xx" in n for n in _notifications(runtime))


def test_unknown_chapter_is_invalid_input(book_runtime: Any) -> None:
    runtime = book_runtime(RecordingSteps())
    description = run_execution(runtime, {"chapters": ["chapter_two/missing.md"]})
    assert description["status"] == "FAILED"
    assert description["error"] == "AMTS.InvalidInput"
    assert "chapter_two/missing.md" in description["cause"]


def test_failed_job_fails_only_its_pair(book_runtime: Any, translate: ScriptedTranslate) -> None:
    # Given Translate fails every job into Chinese with a message
    translate.fail_targets = {"zh"}
    translate.job_message = "Input file too large"
    steps = RecordingSteps()
    runtime = book_runtime(steps)
    description = run_execution(runtime, {})
    # Then the execution ends in the PairsFailed Fail state naming the pair and the service's message
    assert description["status"] == "FAILED"
    assert description["error"] == "AMTS.PairsFailed"
    assert "en-zh" in description["cause"]
    assert "Input file too large" in description["cause"]
    # and en-es was still assembled and scored, and reported
    report = next(s for s in steps.inputs["Score"] if isinstance(s, ReportStep))
    statuses = {r.pair_name: r.status for r in report.results}
    assert statuses == {"en-zh": "FAILED", "en-es": "SUCCEEDED"}
    assert [s.task.pair_name for s in steps.inputs["Assemble"]] == ["en-es"]
    assert any("en-zh" in n for n in _notifications(runtime))


def test_parallel_data_import_failure_fails_the_pair_with_the_service_message(
    book_runtime: Any, translate: ScriptedTranslate
) -> None:
    translate.parallel_data_statuses = ["CREATING", "FAILED"]
    translate.parallel_data_message = "Row 3: source field exceeds 1000 bytes"
    steps = RecordingSteps()
    runtime = book_runtime(steps)
    description = run_execution(runtime, {"pairs": ["en-zh"]})
    assert description["status"] == "FAILED"
    assert description["error"] == "AMTS.PairsFailed"
    assert "AMTS.ParallelDataFailed" in description["cause"]
    assert "Row 3: source field exceeds 1000 bytes" in description["cause"]
    assert steps.inputs["Release"] == []  # staged before the import, but no job folder was filled


def test_handler_exception_fails_only_its_pair(book_runtime: Any) -> None:
    steps = RecordingSteps()
    steps.raise_in = {"Stage:en-es"}
    runtime = book_runtime(steps)
    description = run_execution(runtime, {})
    assert description["status"] == "FAILED"
    assert description["error"] == "AMTS.PairsFailed"
    assert "Stage blew up for en-es" in description["cause"]
    report = next(s for s in steps.inputs["Score"] if isinstance(s, ReportStep))
    assert {r.pair_name: r.status for r in report.results} == {"en-zh": "SUCCEEDED", "en-es": "FAILED"}


def test_throttling_is_retried(book_runtime: Any, translate: ScriptedTranslate) -> None:
    translate.throttle_first = {"StartTextTranslationJob": 1, "CreateParallelData": 1}
    _succeeded(book_runtime(RecordingSteps()), {"pairs": ["en-es"]})
    assert len(translate.operations("StartTextTranslationJob")) == 2  # one throttled, one accepted


def test_polling_gives_up_at_the_configured_limit(book_runtime: Any, translate: ScriptedTranslate) -> None:
    translate.job_statuses = ["IN_PROGRESS"]  # never finishes
    polling = {"initial_seconds": 1, "max_seconds": 30, "backoff_rate": 2.0, "max_wait_seconds": 60}
    pipeline = small_pipeline_config(polling={"translation_job": polling, "parallel_data": polling})
    runtime = book_runtime(RecordingSteps(), pipeline)
    description = run_execution(runtime, {"pairs": ["en-es"]})
    assert description["status"] == "FAILED"
    assert "AMTS.TranslateJobTimedOut" in description["cause"]
    # waits of 1, 2, 4, 8, 16, 30 seconds (capped) spend max_wait_seconds 60: six polls, then the pair fails
    assert len(translate.operations("DescribeTextTranslationJob")) == 6


def test_a_crash_while_planning_fails_the_run_with_a_notification(make_runtime: Any) -> None:
    def broken_plan(event: dict[str, Any], context: Any) -> dict[str, Any]:
        raise RuntimeError("cannot list the input bucket")

    steps = RecordingSteps()
    runtime = make_runtime(handlers={**steps.handlers(), "Plan": broken_plan})
    description = run_execution(runtime, {})
    assert description["status"] == "FAILED"
    assert description["error"] == "RuntimeError"
    assert "cannot list the input bucket" in description["cause"]
    assert any("failed while planning" in n for n in _notifications(runtime))
    assert steps.inputs["BuildParallelData"] == []


def test_a_failed_report_fails_the_run_after_the_pairs_finished(book_runtime: Any) -> None:
    steps = RecordingSteps()
    score = steps.score

    def score_but_no_report(event: dict[str, Any], context: Any) -> dict[str, Any]:
        if event.get("action") == "report":
            raise OSError("output bucket unavailable")
        return score(event, context)

    steps.score = score_but_no_report  # type: ignore[method-assign]
    runtime = book_runtime(steps)
    description = run_execution(runtime, {"pairs": ["en-es"]})
    assert description["status"] == "FAILED"
    assert description["error"] == "OSError"
    assert len(steps.inputs["Assemble"]) == 1
    assert any("could not write its report" in n for n in _notifications(runtime))
