"""The local runtime as a harness, on a small workflow of the tests' own (independent of the real pipeline).

Given the runtime with test handlers, when objects are uploaded, then the real S3 -> EventBridge -> SQS path
delivers them to the Starter in one batch, the state machine runs the handlers in-process with a Lambda-like
context, handler exceptions become Lambda function errors, and every call is attributed to its principal.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import boto3
import pytest
from amts import config
from amts.errors import InputError

from amts_local.awscalls import LOCAL_USER_PRINCIPAL, STATE_MACHINE_PRINCIPAL, function_principal
from amts_local.runtime import LocalRuntime, ProgressEvent, QueuePolling, substitute_placeholders

ASL = Path(__file__).parent / "asl" / "harness.asl.json"
SEEN_CONTEXTS: list[dict[str, Any]] = []


def starter(event: dict[str, Any], context: Any) -> dict[str, Any]:
    keys = sorted({json.loads(record["body"])["detail"]["object"]["key"] for record in event["Records"]})
    if any("poison" in key for key in keys):
        raise RuntimeError("starter cannot handle " + ",".join(keys))
    name = "run-" + hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16]
    sfn = boto3.client("stepfunctions")
    with contextlib.suppress(sfn.exceptions.ExecutionAlreadyExists):  # a redelivered event: the run exists
        sfn.start_execution(
            stateMachineArn=os.environ[config.ENV_STATE_MACHINE_ARN], name=name, input=json.dumps({"keys": keys})
        )
    return {"batchItemFailures": []}


def stage(event: dict[str, Any], context: Any) -> dict[str, Any]:
    SEEN_CONTEXTS.append(
        {
            "function_name": context.function_name,
            "arn": context.invoked_function_arn,
            "remaining": context.get_remaining_time_in_millis(),
            "bucket": os.environ[config.ENV_WORK_BUCKET],
        }
    )
    if any("fail" in key for key in event["keys"]):
        raise ValueError("stage refused " + ",".join(event["keys"]))
    s3 = boto3.client("s3")
    s3.put_object(Bucket=os.environ[config.ENV_WORK_BUCKET], Key="jobs/input/x.html", Body=b"<p>x</p>")
    return {"staged": len(event["keys"])}


def assemble(event: dict[str, Any], context: Any) -> dict[str, Any]:
    s3 = boto3.client("s3")
    body = s3.get_object(Bucket=os.environ[config.ENV_WORK_BUCKET], Key="jobs/input/x.html")["Body"].read()
    return {"bytes": len(body), "staged": event["stage"]["staged"], "pair": "en-zh"}


@pytest.fixture
def runtime() -> Any:
    SEEN_CONTEXTS.clear()
    with LocalRuntime(
        asl_files=[ASL],
        asl_substitutions={"WaitSeconds": "0"},
        handlers={"Starter": starter, "Stage": stage, "Assemble": assemble},
        functions=("Starter", "Stage", "Assemble"),
        polling=QueuePolling(quiet_seconds=0.3),
    ) as rt:
        yield rt


def test_uploads_reach_one_execution_through_the_event_path(runtime: LocalRuntime) -> None:
    # Given three chapters and one object outside the source prefix
    for name in ("a", "b", "c"):
        runtime.upload(f"{config.SOURCE_PREFIX}en/{name}.md", f"# {name}\n")
    runtime.upload("elsewhere/en/d.md", "# d\n")
    events: list[ProgressEvent] = []

    # When the queue drains and the execution ends
    results = runtime.wait_for_all(timeout=60, on_event=events.append)

    # Then one batch started one execution that saw the three chapters only
    assert runtime.stats.starter_batches == [3]
    assert [r["status"] for r in results] == ["SUCCEEDED"]
    assert json.loads(results[0]["output"])["assemble"]["assembled"]["staged"] == 3
    entered = [e.state for e in events if e.kind == "entered"]
    assert entered == ["Stage", "Wait", "Assemble", "Notify"]
    assert any(e.pair == "en-zh" for e in events)
    assert runtime.stats.invocations == {"Starter": 1, "Stage": 1, "Assemble": 1}
    # and the handler ran with a Lambda-like context and the stack's environment
    assert SEEN_CONTEXTS[0]["function_name"] == runtime.names.prefixed("Stage")
    assert SEEN_CONTEXTS[0]["arn"] == runtime.names.function_arn("Stage")
    assert SEEN_CONTEXTS[0]["remaining"] > 0
    assert SEEN_CONTEXTS[0]["bucket"] == runtime.names.work_bucket
    assert [json.loads(n["Message"]) if "Message" in n else n for n in runtime.notifications()]


def test_calls_are_attributed_to_the_principal_that_made_them(runtime: LocalRuntime) -> None:
    runtime.upload(f"{config.SOURCE_PREFIX}en/a.md", "# a\n")
    runtime.wait_for_all(timeout=60)
    by_principal = {(c.principal, c.action) for c in runtime.calls}
    assert (function_principal("Stage"), "s3:PutObject") in by_principal
    assert (function_principal("Assemble"), "s3:GetObject") in by_principal
    assert (function_principal("Starter"), "states:StartExecution") in by_principal
    assert (function_principal("Starter"), "sqs:ReceiveMessage") in by_principal
    assert (function_principal("Starter"), "sqs:DeleteMessage") in by_principal
    assert (STATE_MACHINE_PRINCIPAL, "lambda:InvokeFunction") in by_principal
    assert (STATE_MACHINE_PRINCIPAL, "sns:Publish") in by_principal
    assert (LOCAL_USER_PRINCIPAL, "s3:PutObject") in by_principal
    put = next(c for c in runtime.calls if c.principal == function_principal("Stage"))
    assert put.resource == f"arn:aws:s3:::{runtime.names.work_bucket}/jobs/input/x.html"


def test_a_handler_exception_is_a_lambda_function_error(runtime: LocalRuntime) -> None:
    # Given an upload the Stage handler refuses with ValueError
    runtime.upload(f"{config.SOURCE_PREFIX}en/fail.md", "# fail\n")
    results = runtime.wait_for_all(timeout=60)
    # Then the state machine saw a task failure named after the exception, caught it and failed cleanly
    assert results[0]["status"] == "FAILED"
    assert results[0]["error"] == "Harness.StageFailed"
    history = runtime.history(results[0]["executionArn"])
    failures = [e for e in history if e["type"] in ("TaskFailed", "LambdaFunctionFailed")]
    assert failures
    details = next(v for k, v in failures[0].items() if k.endswith("EventDetails"))
    assert details["error"] == "ValueError"
    assert "stage refused" in json.loads(details["cause"])["errorMessage"]
    assert runtime.stats.failed_invocations == {"Stage": 1}
    assert any("stage refused" in json.dumps(n) for n in runtime.notifications())


def test_the_same_event_three_times_arrives_as_one_batch(runtime: LocalRuntime) -> None:
    runtime.upload(f"{config.SOURCE_PREFIX}en/a.md", "# a\n")
    runtime.wait_for_uploads(timeout=30)
    sqs = runtime.client("sqs")
    body = json.dumps(
        {
            "source": "aws.s3",
            "detail-type": "Object Created",
            "detail": {"bucket": {"name": runtime.names.input_bucket}, "object": {"key": "book/en/a.md"}},
        }
    )
    for _ in range(3):
        sqs.send_message(QueueUrl=runtime.upload_queue_url, MessageBody=body)
    runtime.wait_for_uploads(timeout=30)
    # The harness starter names executions by content, so the redeliveries reuse the first execution's name.
    assert runtime.stats.starter_batches == [1, 3]
    assert len(runtime.executions()) == 1


def test_a_batch_the_starter_fails_is_redelivered_then_dead_lettered(runtime: LocalRuntime) -> None:
    # Given an upload whose batch the Starter fails every time
    runtime.upload(f"{config.SOURCE_PREFIX}en/poison.md", "# p\n")
    # When the queue has been retried
    runtime.wait_for_uploads(timeout=60)
    # Then the Starter saw it max_receive_count times and the event is in the dead-letter queue, not lost
    assert runtime.stats.failed_invocations == {"Starter": runtime.polling.max_receive_count}
    dead = runtime.dead_letters()
    assert len(dead) == 1
    assert "poison.md" in dead[0]["Body"]
    assert runtime.executions() == []


def test_environment_is_restored_and_names_are_set_only_inside() -> None:
    assert config.ENV_INPUT_BUCKET not in os.environ
    with LocalRuntime(
        asl_files=[ASL], asl_substitutions={"WaitSeconds": "0"}, handlers={"Starter": starter}, functions=()
    ) as rt:
        assert os.environ[config.ENV_INPUT_BUCKET] == rt.names.input_bucket
        assert os.environ[config.ENV_STATE_MACHINE_ARN] == rt.state_machines["harness"]
    assert config.ENV_INPUT_BUCKET not in os.environ


def test_an_unknown_placeholder_is_named_with_file_and_line(tmp_path: Path) -> None:
    asl = tmp_path / "bad.asl.json"
    asl.write_text('{\n  "StartAt": "A",\n  "States": {"A": {"Type": "Wait", "Seconds": ${Nope}, "End": true}}\n}\n')
    with pytest.raises(InputError, match=r"bad\.asl\.json:3: no local value for placeholder \$\{Nope\}"):
        substitute_placeholders(asl, {})
