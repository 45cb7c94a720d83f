"""The Starter handler on moto: one execution per batch, duplicates ignored, bad uploads recorded, failures retried."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from amts import config
from amts_handlers import shared, starter
from moto import mock_aws

from tests.integration.pipeline.conftest import FakeLambdaContext, small_pipeline_config

EVENTS = Path(__file__).resolve().parents[2] / "events"
INPUT, OUTPUT = "amts-test-input", "amts-test-output"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        for bucket in (INPUT, OUTPUT, "amts-test-work"):
            s3.create_bucket(Bucket=bucket)
        s3.put_bucket_versioning(Bucket=INPUT, VersioningConfiguration={"Status": "Enabled"})
        sfn = boto3.client("stepfunctions", region_name="us-east-1")
        machine = sfn.create_state_machine(
            name="amts-test",
            definition=json.dumps(
                {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 3600, "End": True}}}
            ),
            roleArn="arn:aws:iam::123456789012:role/amts-test",
        )["stateMachineArn"]
        pipeline = small_pipeline_config(max_object_bytes=1000)
        monkeypatch.setenv(config.ENV_INPUT_BUCKET, INPUT)
        monkeypatch.setenv(config.ENV_WORK_BUCKET, "amts-test-work")
        monkeypatch.setenv(config.ENV_OUTPUT_BUCKET, OUTPUT)
        monkeypatch.setenv(config.ENV_STATE_MACHINE_ARN, machine)
        monkeypatch.setenv(config.ENV_PIPELINE_CONFIG, pipeline.to_env_json())
        shared.reset()
        yield {"s3": s3, "sfn": sfn, "machine": machine}
        shared.reset()


def upload(aws: dict[str, Any], key: str, body: bytes, *, event_key: str | None = None) -> dict[str, Any]:
    """Put the object and return the SQS record Lambda would hand the Starter for its event (key as carried)."""
    version = aws["s3"].put_object(Bucket=INPUT, Key=key, Body=body)["VersionId"]
    event = json.loads((EVENTS / "s3_object_created.json").read_text())
    event["detail"]["bucket"]["name"] = INPUT
    event["detail"]["object"].update({"key": event_key or key, "size": len(body), "version-id": version})
    record = json.loads((EVENTS / "sqs_record.json").read_text())
    record["messageId"] = f"msg-{key}-{version}"
    record["body"] = json.dumps(event)
    return record


def invoke(records: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = starter.handler({"Records": copy.deepcopy(records)}, FakeLambdaContext())
    return result


def executions(aws: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = aws["sfn"].list_executions(stateMachineArn=aws["machine"])["executions"]
    return found


def rejections(aws: dict[str, Any]) -> list[dict[str, Any]]:
    listing = aws["s3"].list_objects_v2(Bucket=OUTPUT, Prefix="reports/rejected/").get("Contents", [])
    found: list[dict[str, Any]] = []
    for item in listing:
        found.extend(json.loads(aws["s3"].get_object(Bucket=OUTPUT, Key=item["Key"])["Body"].read())["rejected"])
    return found


def test_a_batch_starts_one_execution_with_its_chapters_and_pairs(aws: dict[str, Any]) -> None:
    # Given a whole book dropped at once (two chapters and a translation)
    records = [
        upload(aws, "book/en/a/index.md", b"# A\n\nText.\n"),
        upload(aws, "book/en/b/index.md", b"# B\n\nMore text.\n"),
        upload(aws, "book/zh/a/index.md", "# 甲\n\n文字。\n".encode()),
    ]
    # When the Starter gets the batch
    response = invoke(records)
    # Then nothing failed and exactly one execution started, named from the batch
    assert response == {"batchItemFailures": []}
    [execution] = executions(aws)
    assert execution["name"].startswith("amts-")
    assert len(execution["name"]) <= 80
    run_input = json.loads(aws["sfn"].describe_execution(executionArn=execution["executionArn"])["input"])
    assert run_input["chapters"] == ["a/index.md", "b/index.md"]
    assert run_input["pairs"] == ["en-zh", "en-es"]
    assert len(run_input["trigger"]) == 3


def test_the_same_batch_delivered_again_starts_nothing(aws: dict[str, Any]) -> None:
    records = [upload(aws, "book/en/a/index.md", b"# A\n\nText.\n")]
    assert invoke(records) == {"batchItemFailures": []}
    assert invoke(records) == {"batchItemFailures": []}  # duplicate: not an error
    assert invoke(list(reversed(records * 2))) == {"batchItemFailures": []}  # order and repeats do not matter
    assert len(executions(aws)) == 1


def test_a_new_version_of_the_same_key_is_a_new_run(aws: dict[str, Any]) -> None:
    invoke([upload(aws, "book/en/a/index.md", b"# A\n\nText.\n")])
    invoke([upload(aws, "book/en/a/index.md", b"# A\n\nEdited text.\n")])
    assert len(executions(aws)) == 2


@pytest.mark.parametrize(
    ("key", "body", "reason"),
    [
        ("book/en/bin.md", b"\x89PNG\r\n\x1a\n\x00\x00", "binary data"),
        ("book/en/latin1.md", "caf\xe9".encode("latin-1"), "invalid UTF-8"),
        ("book/en/empty.md", b"  \n", "empty file"),
        ("book/en/big.md", b"x" * 2000, "above the 1000-byte limit"),
        ("book/fr/a.md", b"# A\n", "unknown language folder 'fr'"),
        ("book/en/image.png", b"# A\n", "not a markdown file"),
        ("elsewhere/en/a.md", b"# A\n", "outside the book folder"),
    ],
)
def test_bad_uploads_are_recorded_with_their_reason(aws: dict[str, Any], key: str, body: bytes, reason: str) -> None:
    response = invoke([upload(aws, key, body)])
    assert response == {"batchItemFailures": []}  # retrying cannot fix them: recorded, not re-queued
    assert executions(aws) == []
    [rejection] = rejections(aws)
    assert rejection["key"] == key
    assert reason in rejection["reason"]
    assert key in rejection["reason"]  # the reason names the object


def test_bad_uploads_do_not_hold_back_good_ones(aws: dict[str, Any]) -> None:
    records = [upload(aws, "book/en/empty.md", b""), upload(aws, "book/en/a/index.md", b"# A\n\nText.\n")]
    assert invoke(records) == {"batchItemFailures": []}
    [execution] = executions(aws)
    run_input = json.loads(aws["sfn"].describe_execution(executionArn=execution["executionArn"])["input"])
    assert run_input["chapters"] == ["a/index.md"]
    assert [r["key"] for r in rejections(aws)] == ["book/en/empty.md"]


def test_a_malformed_message_is_a_batch_item_failure(aws: dict[str, Any]) -> None:
    good = upload(aws, "book/en/a/index.md", b"# A\n\nText.\n")
    bad = {**good, "messageId": "not-an-s3-event", "body": '{"hello": "world"}'}
    response = invoke([good, bad])
    assert response == {"batchItemFailures": [{"itemIdentifier": "not-an-s3-event"}]}
    assert len(executions(aws)) == 1


def test_when_the_execution_cannot_start_every_record_is_retried(
    aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(config.ENV_STATE_MACHINE_ARN, aws["machine"] + "-missing")
    shared.reset()
    records = [upload(aws, "book/en/a/index.md", b"# A\n"), upload(aws, "book/en/b/index.md", b"# B\n")]
    response = invoke(records)
    assert sorted(item["itemIdentifier"] for item in response["batchItemFailures"]) == sorted(
        record["messageId"] for record in records
    )


@pytest.mark.parametrize(
    "event_key",
    ["book/en/a+b%2Bc.md", "book/en/a b+c.md"],
    ids=["url-encoded as S3 encodes notification keys", "raw"],
)
def test_a_plus_sign_in_a_chapter_name_survives_either_key_encoding(aws: dict[str, Any], event_key: str) -> None:
    # Given a chapter whose name holds a space and a plus sign, announced with its key encoded or not
    response = invoke([upload(aws, "book/en/a b+c.md", b"# A\n\nText.\n", event_key=event_key)])
    # Then the Starter finds the object the event meant, and the run translates that chapter
    assert response == {"batchItemFailures": []}
    [execution] = executions(aws)
    run_input = json.loads(aws["sfn"].describe_execution(executionArn=execution["executionArn"])["input"])
    assert run_input["chapters"] == ["a b+c.md"]
    assert rejections(aws) == []


def test_an_unsafe_key_is_rejected_on_its_own_and_the_batch_runs(aws: dict[str, Any]) -> None:
    # Given a batch with a backslash key, a traversal key and a good chapter
    records = [
        upload(aws, "book/en/a\\b.md", b"# A\n\nText.\n"),
        upload(aws, "book/en/x/../../../reports/evil.md", b"# E\n\nText.\n"),
        upload(aws, "book/en/good.md", b"# G\n\nText.\n"),
    ]
    # When the Starter gets it
    response = invoke(records)
    # Then nothing is retried, the good chapter runs, and each bad key is recorded with its reason
    assert response == {"batchItemFailures": []}
    [execution] = executions(aws)
    run_input = json.loads(aws["sfn"].describe_execution(executionArn=execution["executionArn"])["input"])
    assert run_input["chapters"] == ["good.md"]
    reasons = {item["key"]: item["reason"] for item in rejections(aws)}
    assert "backslash" in reasons["book/en/a\\b.md"]
    assert "'..' component" in reasons["book/en/x/../../../reports/evil.md"]
