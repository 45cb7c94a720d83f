"""The pipeline scenarios the end-to-end tests run, in order, on one local stack.

A scenario is a function of the running ``PipelineRun``: it drives the stack (uploads, console starts) and leaves
what the tests look at in ``run.results``. Every AWS call any scenario makes is recorded (``runtime.calls``), so each
new scenario widens what the least-privilege proof sees: to cover a new path (a failed job, a terminology, a
parallel-data update), write a function here and append it to ``SCENARIOS``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amts import config
from amts.local.bookrun import run_phase, start_and_wait, upload_languages
from amts.local.demo import DEMO_PAIRS, EVALUATED_CHAPTER, sent_texts
from amts.local.runtime import LocalRuntime, default_pipeline_config, local_pipeline_config
from amts.local.samplebook import NEW_CHAPTER, SOURCE_LANGUAGE, edited_new_chapter, write_sample_book


@dataclass
class PipelineRun:
    runtime: LocalRuntime
    root: Path
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def bindings(self) -> dict[str, str]:
        """Environment variables and ASL placeholders with the local values (names for the template's resources)."""
        return {**self.runtime.function_environment(), **self.runtime.asl_substitutions()}


Scenario = Callable[[PipelineRun], None]


def whole_book_with_an_empty_chapter(run: PipelineRun) -> None:
    """The sample book in en/zh/es uploaded at once, plus an empty chapter the Starter rejects."""
    book = write_sample_book(run.root / "book")
    run.results["book"] = book.root
    run.results["book_bytes_before"] = {p: p.read_bytes() for p in book.root.rglob("*") if p.is_file()}
    runtime = run.runtime
    upload_book = upload_languages(runtime, book.root, ("en", "zh", "es"))

    def upload_book_and_an_empty_chapter() -> int:
        runtime.upload(f"{config.SOURCE_PREFIX}{SOURCE_LANGUAGE}/chapter_drafts/empty.md", b"")
        return upload_book() + 1

    run.results["first"] = run_phase(runtime, "translate", upload_book_and_an_empty_chapter)


def paragraph_edit_delivered_three_times(run: PipelineRun) -> None:
    """One paragraph edited; its event delivered three times (EventBridge and SQS deliver at least once)."""
    runtime = run.runtime
    edit_key = f"{config.SOURCE_PREFIX}{SOURCE_LANGUAGE}/{NEW_CHAPTER}"
    batches_before = len(runtime.stats.starter_batches)

    def upload_edit() -> int:
        runtime.upload(edit_key, edited_new_chapter())
        message = event_for(runtime, edit_key)
        for _ in range(2):
            runtime.client("sqs").send_message(QueueUrl=runtime.upload_queue_url, MessageBody=message)
        return 1

    run.results["second"] = second = run_phase(runtime, "sync", upload_edit)
    run.results["duplicate_batches"] = runtime.stats.starter_batches[batches_before:]
    run.results["sent"] = sent_texts(runtime, second)
    run.results["edit_key"] = edit_key


def late_duplicate(run: PipelineRun) -> None:
    """A late copy of the edit's event, after its run: nothing new is translated."""
    runtime, key = run.runtime, run.results["edit_key"]

    def redeliver() -> int:
        runtime.client("sqs").send_message(QueueUrl=runtime.upload_queue_url, MessageBody=event_for(runtime, key))
        return 1

    run.results["late"] = run_phase(runtime, "late duplicate", redeliver)


def evaluation_only(run: PipelineRun) -> None:
    """An evaluation-only run started from the console: whole chapters, scored, never published."""
    run.results["evaluation"] = start_and_wait(
        run.runtime,
        "evaluate",
        {"pairs": ["en-zh"], "chapters": [EVALUATED_CHAPTER], "publish": False, "evaluate": True},
        execution_name="e2e-evaluation",
    )


SCENARIOS: tuple[Scenario, ...] = (
    whole_book_with_an_empty_chapter,
    paragraph_edit_delivered_three_times,
    late_duplicate,
    evaluation_only,
)


@contextmanager
def pipeline_run(root: Path, scenarios: Sequence[Scenario] = SCENARIOS) -> Iterator[PipelineRun]:
    """Run ``scenarios`` in order on one local stack (the demo's pairs) and keep the stack up while in use."""
    pipeline = local_pipeline_config(default_pipeline_config(), pairs=DEMO_PAIRS)
    with LocalRuntime(pipeline=pipeline) as runtime:
        run = PipelineRun(runtime, root)
        for scenario in scenarios:
            scenario(run)
        yield run


def event_for(runtime: LocalRuntime, key: str) -> str:
    """The EventBridge event S3 sent for the current version of ``key`` (as it sits in the queue)."""
    head = runtime.client("s3").head_object(Bucket=runtime.names.input_bucket, Key=key)
    return json.dumps(
        {
            "version": "0",
            "id": "11111111-2222-3333-4444-555555555555",
            "detail-type": "Object Created",
            "source": "aws.s3",
            "account": runtime.names.account,
            "time": "2026-11-25T00:00:00Z",
            "region": runtime.names.region,
            "resources": [f"arn:aws:s3:::{runtime.names.input_bucket}"],
            "detail": {
                "version": "0",
                "bucket": {"name": runtime.names.input_bucket},
                "object": {
                    "key": key,
                    "size": head["ContentLength"],
                    "etag": head["ETag"].strip('"'),
                    "version-id": head.get("VersionId"),
                    "sequencer": "0062E99A88DC407460",
                },
                "request-id": "R",
                "requester": runtime.names.account,
                "reason": "PutObject",
            },
        }
    )
