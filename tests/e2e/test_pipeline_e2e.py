"""The real pipeline end to end on the local runtime: the sample book, a one-paragraph edit, least privilege.

Given the sample book (3 chapters in en/zh/es and a new English chapter) uploaded at once, when the pipeline
runs, then one execution translates the book into zh and es; when one paragraph is edited and uploaded, then
the sync run sends only that paragraph to Translate. Every AWS call each principal made is then checked against
that principal's policies in the synthesized template.
"""

from __future__ import annotations

import fnmatch
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from amts import config
from amts.local.bookrun import PhaseResult, collect_outputs, run_phase, start_and_wait, upload_languages
from amts.local.demo import DEMO_PAIRS, EVALUATED_CHAPTER, _is_edit, sent_texts
from amts.local.policy import check_calls, principal_policies
from amts.local.runtime import LocalRuntime, default_pipeline_config, local_pipeline_config
from amts.local.samplebook import CHAPTERS, NEW_CHAPTER, SOURCE_LANGUAGE, edited_new_chapter, write_sample_book

pytestmark = pytest.mark.slow

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "18,20")


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


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScenarioRun]:
    root = tmp_path_factory.mktemp("scenario")
    book = write_sample_book(root / "book")
    before = {path: path.read_bytes() for path in book.root.rglob("*") if path.is_file()}
    pipeline = local_pipeline_config(default_pipeline_config(), pairs=DEMO_PAIRS)
    with LocalRuntime(pipeline=pipeline) as runtime:
        upload_book = upload_languages(runtime, book.root, ("en", "zh", "es"))

        def upload_book_and_an_empty_chapter() -> int:
            runtime.upload(f"{config.SOURCE_PREFIX}{SOURCE_LANGUAGE}/chapter_drafts/empty.md", b"")
            return upload_book() + 1

        first = run_phase(runtime, "translate", upload_book_and_an_empty_chapter)
        edit_key = f"{config.SOURCE_PREFIX}{SOURCE_LANGUAGE}/{NEW_CHAPTER}"
        batches_before = len(runtime.stats.starter_batches)

        def upload_edit() -> int:
            # The edit's event delivered three times (EventBridge and SQS deliver at least once).
            runtime.upload(edit_key, edited_new_chapter())
            message = _event_for(runtime, edit_key)
            for _ in range(2):
                runtime.client("sqs").send_message(QueueUrl=runtime.upload_queue_url, MessageBody=message)
            return 1

        second = run_phase(runtime, "sync", upload_edit)
        duplicate_batches = runtime.stats.starter_batches[batches_before:]
        # A late copy of the same event, after the run: nothing new is translated.
        late = run_phase(
            runtime,
            "late duplicate",
            lambda: (
                runtime.client("sqs").send_message(
                    QueueUrl=runtime.upload_queue_url, MessageBody=_event_for(runtime, edit_key)
                )
                and 1
            ),
        )
        sent = sent_texts(runtime, second)
        # An evaluation-only run (a console start): whole chapters, scored, never published.
        evaluation = start_and_wait(
            runtime,
            "evaluate",
            {"pairs": ["en-zh"], "chapters": [EVALUATED_CHAPTER], "publish": False, "evaluate": True},
            execution_name="e2e-evaluation",
        )
        out = root / "out"
        collect_outputs(runtime, out)
        yield ScenarioRun(runtime, book.root, out, first, second, duplicate_batches, late, sent, before, evaluation)


def _event_for(runtime: LocalRuntime, key: str) -> str:
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


def test_the_whole_book_runs_as_one_execution(scenario: ScenarioRun) -> None:
    assert scenario.first.status == "SUCCEEDED", (scenario.first.error, scenario.first.cause)
    assert scenario.runtime.stats.starter_batches[0] == scenario.first.uploads  # one batch, one execution
    rejected = scenario.runtime.list_keys(scenario.runtime.names.output_bucket, f"{config.REPORT_PREFIX}rejected/")
    assert len(rejected) == 1  # the empty chapter, recorded with its reason; the rest of the batch ran


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


# Grants a local run cannot exercise, each with the reason it is still needed in AWS. (principal, action, resource)
JUSTIFIED_UNUSED: dict[tuple[str, str, str], str] = {
    ("*", "logs:*", "*"): "CloudWatch Logs: the Lambda runtime and Step Functions deliver logs, not our code",
    ("*", "xray:*", "*"): "X-Ray: traces are sent by the runtime; tracing is off in the local run",
    ("state-machine", "kms:*", "*NotificationsTopicKey*"): "SNS encrypts a published message with the topic's key",
    ("state-machine", "translate:UpdateParallelData", "*"): "used only when a pair's parallel data changes",
    ("function:Starter", "sqs:ChangeMessageVisibility", "*"): "Lambda's SQS poller returns failed messages",
    ("function:Starter", "sqs:GetQueueUrl", "*"): "part of the SQS consumer grant Lambda's poller uses",
    ("function:Starter", "sqs:GetQueueAttributes", "*"): "Lambda's SQS poller reads the queue's attributes",
    (
        "function:Starter",
        "s3:GetObject",
        "*",
    ): "a null-version object is read without VersionId",
    ("function:*", "s3:ListBucket", "*"): (
        "prefix-scoped: a read of a key that may be absent (memory, earlier output, a chapter deleted meanwhile) "
        "answers 404 NoSuchKey instead of 403 only with s3:ListBucket"
    ),
}


def _justified(principal: str, action: str, resource: str) -> str | None:
    for (p, a, r), reason in JUSTIFIED_UNUSED.items():
        if fnmatch.fnmatchcase(principal, p) and fnmatch.fnmatchcase(action, a) and fnmatch.fnmatchcase(resource, r):
            return reason
    return None


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from stacks.app import synthesize

    synthesis = synthesize(str(tmp_path_factory.mktemp("cdk-out")))
    result: dict[str, Any] = synthesis.template
    return result


def test_every_call_is_allowed_and_every_grant_is_used_or_justified(
    scenario: ScenarioRun, template: dict[str, Any]
) -> None:
    policies = principal_policies(template, scenario.runtime.names)
    # Given the principals of the stack: one role per function, the state machine's, Translate's data access
    assert {"state-machine", "translate-data-access", "function:Starter", "function:Stage"} <= set(policies)
    report = check_calls(scenario.runtime.calls, policies)
    # Then no call was denied
    assert report.violations == [], report.summary()
    # And the data-access role, the state machine and each function were exercised
    principals_seen = {call.principal for call in scenario.runtime.calls}
    assert {"translate-data-access", "state-machine", "function:Stage", "function:Assemble"} <= principals_seen
    # And no grant is unused without a reason
    unexplained = [u for u in report.unused if _justified(u.principal, u.action, u.resource) is None]
    assert unexplained == [], "\n".join(f"{u.principal}: {u.action} on {u.resource}" for u in unexplained)
