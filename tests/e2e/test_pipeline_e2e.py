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
from amts.local.bookrun import PhaseResult, collect_outputs, run_phase, upload_languages
from amts.local.demo import DEMO_PAIRS, _is_edit, sent_texts
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
    sent: list[str]
    book_bytes_before: dict[Path, bytes]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScenarioRun]:
    root = tmp_path_factory.mktemp("scenario")
    book = write_sample_book(root / "book")
    before = {path: path.read_bytes() for path in book.root.rglob("*") if path.is_file()}
    pipeline = local_pipeline_config(default_pipeline_config(), pairs=DEMO_PAIRS)
    with LocalRuntime(pipeline=pipeline) as runtime:
        first = run_phase(runtime, "translate", upload_languages(runtime, book.root, ("en", "zh", "es")))
        # The same object event delivered three more times (EventBridge/SQS are at-least-once).
        message = _event_for(runtime, f"{config.SOURCE_PREFIX}{SOURCE_LANGUAGE}/{NEW_CHAPTER}")
        batches_before = len(runtime.stats.starter_batches)
        for _ in range(3):
            runtime.client("sqs").send_message(QueueUrl=runtime.upload_queue_url, MessageBody=message)
        runtime.wait_for_uploads(timeout=60)
        duplicate_batches = runtime.stats.starter_batches[batches_before:]

        def upload_edit() -> int:
            runtime.upload(f"{config.SOURCE_PREFIX}{SOURCE_LANGUAGE}/{NEW_CHAPTER}", edited_new_chapter())
            return 1

        second = run_phase(runtime, "sync", upload_edit)
        sent = sent_texts(runtime, second)
        out = root / "out"
        collect_outputs(runtime, out)
        yield ScenarioRun(runtime, book.root, out, first, second, duplicate_batches, sent, before)


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
    assert len(scenario.runtime.executions()) == 2  # the first run and the sync run, nothing else


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


def test_redelivered_events_start_nothing_new(scenario: ScenarioRun) -> None:
    assert sum(scenario.duplicate_batches) == 3
    assert scenario.runtime.stats.failed_invocations.get("Starter", 0) == 0
    jobs_per_pair = {}
    for job in scenario.first.jobs:
        if job.act:
            jobs_per_pair[job.pair] = jobs_per_pair.get(job.pair, 0) + 1
    assert set(jobs_per_pair.values()) == {1}


def test_sync_sends_only_the_edited_paragraph(scenario: ScenarioRun) -> None:
    assert scenario.second.status == "SUCCEEDED", (scenario.second.error, scenario.second.cause)
    assert scenario.sent, "the sync run sent nothing"
    assert all(_is_edit(text) for text in scenario.sent), scenario.sent
    act_jobs = [job for job in scenario.second.jobs if job.act]
    assert sorted(job.pair for job in act_jobs) == sorted(DEMO_PAIRS)
    # billed: the edited paragraph once per pair, far less than the chapter
    chapter_chars = len(CHAPTERS[NEW_CHAPTER]["en"])
    for job in act_jobs:
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
    ("*", "xray:*", "*"): "X-Ray: tracing is sent by the runtime; it is off in the local run",
    ("state-machine", "kms:*", "*"): "SNS encrypts each published message with the topic key on the publisher's behalf",
    (
        "state-machine",
        "translate:UpdateParallelData",
        "*",
    ): "used when a pair's parallel data changes",
    ("*", "s3:ListBucket", "*"): "listing is what lets a missing object answer 404 instead of 403 (prefix-scoped)",
    ("function:Starter", "sqs:ChangeMessageVisibility", "*"): "the event source mapping returns failed messages",
    ("function:Starter", "sqs:GetQueueUrl", "*"): "part of the event source mapping's consumer grant",
    ("function:Starter", "sqs:GetQueueAttributes", "*"): "the event source mapping reads the queue's attributes",
    ("function:Starter", "s3:PutObject", "*"): "rejected uploads are recorded only when a batch has bad objects",
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
