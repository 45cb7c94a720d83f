"""Faults on the local runtime: each ends in its defined outcome.

Throttling is retried to a success. A failed job, a job that ends COMPLETED_WITH_ERROR naming two documents, a
failed parallel-data import and an exception in a per-pair handler end that pair cleanly: the execution reports
the failure, a notification goes out, and the other pair's chapters are still published. An exception in the
Plan function fails the run with a notification; one in the Starter sends the upload to the dead-letter queue.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from amts import config

from amts_local.bookrun import PhaseResult, run_phase, upload_languages
from amts_local.demo import DEMO_PAIRS
from amts_local.lambda_emulator import Handler, load_handler
from amts_local.runtime import LocalRuntime, default_pipeline_config, local_pipeline_config
from amts_local.samplebook import CHAPTERS, write_sample_book
from amts_local.standin import TranslateStandIn

pytestmark = pytest.mark.slow


class InjectedFault(Exception):
    """Raised by a wrapped handler to simulate a bug in it."""


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample_book(tmp_path_factory.mktemp("faults") / "book").root


def _runtime(handlers: dict[str, Handler] | None = None) -> LocalRuntime:
    pipeline = local_pipeline_config(default_pipeline_config(), pairs=DEMO_PAIRS)
    return LocalRuntime(pipeline=pipeline, handlers=handlers or {})


def _run(runtime: LocalRuntime, book: Path) -> PhaseResult:
    return run_phase(runtime, "run", upload_languages(runtime, book, ("en", "zh", "es")), timeout=300)


def _published(runtime: LocalRuntime, target: str) -> set[str]:
    prefix = f"{config.OUTPUT_PREFIX}{target}/"
    return {key[len(prefix) :] for key in runtime.list_keys(runtime.names.output_bucket, prefix)}


def _assert_one_pair_failed_cleanly(
    runtime: LocalRuntime, phase: PhaseResult, failed: str | None = None, *, failed_pair_published: bool = False
) -> str:
    """The run reports the failure, notifies, names the failed pair, and the other pair's chapters are kept."""
    assert phase.status == "FAILED", "a failed pair must show in the execution status"
    assert phase.error == "AMTS.PairsFailed", (phase.error, phase.cause)
    assert len(phase.notifications) == 1, phase.notifications
    message = json.dumps(phase.notifications)
    assert "1 failed" in message
    complete = {pair for pair in DEMO_PAIRS if _published(runtime, pair.split("-")[1]) >= set(CHAPTERS)}
    if failed is None:
        failed = next(pair for pair in DEMO_PAIRS if f"{pair}: FAILED" in message)
    assert f"{failed}: FAILED" in message
    others = set(DEMO_PAIRS) - {failed}
    assert others <= complete, f"the other pair's chapters must be kept, published: {complete}"
    # a failure after publishing (scoring) keeps that pair's chapters; any earlier failure publishes nothing whole
    assert (failed in complete) == failed_pair_published
    return failed


def test_throttling_is_retried_to_a_success(book: Path) -> None:
    with _runtime() as runtime:
        assert runtime.translate is not None
        runtime.translate.throttle(2, "StartTextTranslationJob")
        runtime.translate.throttle(1, "DescribeTextTranslationJob")
        phase = _run(runtime, book)
        assert phase.status == "SUCCEEDED", (phase.error, phase.cause)
        throttled = [op for op, _ in runtime.translate.calls if op == "StartTextTranslationJob"]
        assert len(throttled) > len(phase.jobs)  # the throttled attempts were made again
        for pair in DEMO_PAIRS:
            assert _published(runtime, pair.split("-")[1]) >= set(CHAPTERS)


@pytest.mark.parametrize(
    "inject",
    [
        pytest.param(lambda translate: translate.fail_next_job("Injected: the job could not be processed."), id="job"),
        pytest.param(
            lambda translate: translate.fail_next_parallel_data("Injected: the parallel data file was refused."),
            id="parallel-data-import",
        ),
    ],
)
def test_a_failed_translate_operation_fails_only_its_pair(
    book: Path, inject: Callable[[TranslateStandIn], None]
) -> None:
    with _runtime() as runtime:
        assert runtime.translate is not None
        inject(runtime.translate)
        phase = _run(runtime, book)
        _assert_one_pair_failed_cleanly(runtime, phase)


def test_completed_with_error_names_the_two_documents(book: Path) -> None:
    # Given an English-only book, so every chapter is machine translated (documents c00000.html ... in path order)
    with _runtime() as runtime:
        assert runtime.translate is not None
        runtime.translate.finish_next_job_with_errors(["c00000.html", "c00001.html"])
        phase = run_phase(runtime, "run", upload_languages(runtime, book, ("en",)), timeout=300)
        # Then that pair fails naming the two chapters, its other chapters and the other pair are published
        assert "COMPLETED_WITH_ERROR" in {job.status for job in phase.jobs}
        failed = _assert_one_pair_failed_cleanly(runtime, phase)
        first, second, *rest = sorted(CHAPTERS)
        text = json.dumps(phase.notifications)
        assert first in text
        assert second in text
        assert _published(runtime, failed.split("-")[1]) == set(rest)


def _failing_for_es(function_id: str) -> Callable[[dict[str, Any], Any], Any]:
    spec = next(spec for spec in config.FUNCTIONS if spec.function_id == function_id)
    real = load_handler(spec.handler)

    def handler(event: dict[str, Any], context: Any) -> Any:
        if '"target": "es"' in json.dumps(event):
            raise InjectedFault(f"{function_id} failed for en-es")
        return real(event, context)

    return handler


@pytest.mark.parametrize("function_id", ["BuildParallelData", "Stage", "Assemble", "Score"])
def test_an_exception_in_a_pair_handler_fails_only_that_pair(book: Path, function_id: str) -> None:
    with _runtime({function_id: _failing_for_es(function_id)}) as runtime:
        phase = _run(runtime, book)
        _assert_one_pair_failed_cleanly(runtime, phase, failed="en-es", failed_pair_published=function_id == "Score")
        assert runtime.stats.failed_invocations.get(function_id, 0) >= 1


def _always_failing(event: dict[str, Any], context: Any) -> Any:
    raise InjectedFault("injected bug")


def test_an_exception_in_plan_fails_the_run_with_a_notification(book: Path) -> None:
    with _runtime({"Plan": _always_failing}) as runtime:
        phase = _run(runtime, book)
        assert phase.status == "FAILED"
        assert phase.notifications
        assert phase.jobs == []


def test_an_exception_in_the_starter_dead_letters_the_uploads(book: Path) -> None:
    with _runtime({"Starter": _always_failing}) as runtime:
        phase = _run(runtime, book)
        assert phase.status == "NOT_STARTED"
        assert runtime.stats.failed_invocations["Starter"] == runtime.polling.max_receive_count
        assert runtime.dead_letters()


def test_assemble_dying_after_publishing_chapters_is_completed_by_its_retry(
    book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an Assemble whose first attempt publishes every chapter and then loses the memory (a lost race, or the
    # function dying before its last write: either way the chapters are new and the memory is old)
    from amts.sync.memory import MemoryConflictError
    from amts_steps import assemble

    real_save = assemble.save_memory
    attempts: list[int] = []

    def save_once_failing(*args: Any, **kwargs: Any) -> Any:
        attempts.append(1)
        if len(attempts) == 1:
            raise MemoryConflictError("injected: the memory changed during the run", path="state/en-zh/memory.json")
        return real_save(*args, **kwargs)

    monkeypatch.setattr(assemble, "save_memory", save_once_failing)
    with _runtime() as runtime:
        # When the book runs
        phase = _run(runtime, book)
        # Then the state machine retries Assemble, which publishes the same chapters again and writes the memory
        assert phase.status == "SUCCEEDED", (phase.error, phase.cause)
        assert runtime.stats.failed_invocations.get("Assemble") == 1
        for pair in DEMO_PAIRS:
            assert _published(runtime, pair.split("-")[1]) >= set(CHAPTERS)
            memory = runtime.read_object(runtime.names.output_bucket, f"{config.STATE_PREFIX}{pair}/memory.json")
            assert json.loads(memory)["entries"]
