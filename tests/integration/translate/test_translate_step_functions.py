"""The stand-in installed on the default boto3 session answers moto's Step Functions aws-sdk:translate tasks."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from amts_local.standin import SimulatedClock, TranslateStandIn
from tests.integration.translate.conftest import REGION


@pytest.fixture
def sfn_world(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, TranslateStandIn]]:
    for name, value in {"AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t", "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(name, value)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        standin = TranslateStandIn(boto3.client("s3", region_name=REGION), clock=SimulatedClock())
        with standin.installed():  # the default session: the one moto's interpreter builds its clients from
            yield boto3.client("stepfunctions", region_name=REGION), standin


def run(sfn: Any, text: str) -> dict[str, Any]:
    definition = {
        "StartAt": "Translate",
        "States": {
            "Translate": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:translate:translateText",
                "Parameters": {"Text.$": "$.text", "SourceLanguageCode": "en", "TargetLanguageCode": "zh"},
                "End": True,
            }
        },
    }
    machine = sfn.create_state_machine(
        name=f"m{time.monotonic_ns()}", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/r"
    )
    execution = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input=json.dumps({"text": text}))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        described: dict[str, Any] = sfn.describe_execution(executionArn=execution["executionArn"])
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.1)
    raise AssertionError("the execution did not finish in 30 s")


def test_sdk_task_is_answered_by_the_standin(sfn_world: tuple[Any, TranslateStandIn]) -> None:
    sfn, standin = sfn_world
    described = run(sfn, "Hello world.")
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["TranslatedText"] == "[pseudo en→zh] Hélló wórld."
    assert standin.calls == [
        ("TranslateText", {"Text": "Hello world.", "SourceLanguageCode": "en", "TargetLanguageCode": "zh"})
    ]


def test_sdk_task_sees_the_service_error_name(sfn_world: tuple[Any, TranslateStandIn]) -> None:
    sfn, standin = sfn_world
    standin.throttle(1)
    described = run(sfn, "Hello world.")
    assert described["status"] == "FAILED"
    # moto spells the prefix in lower case ("translate."); AWS uses "Translate.".
    assert described["error"].lower() == "translate.toomanyrequestsexception"
