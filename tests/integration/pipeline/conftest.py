"""Fixtures for the workflow tests: moto-backed settings, a fake Lambda context, a scriptable Translate, and the
small bilingual book the step tests run on (``book``).

The ASL tests run ``statemachine/pipeline.asl.json`` under moto's Step Functions interpreter through the local
runtime (``amts_local.LocalRuntime``: the same wiring the demo uses). ``ScriptedTranslate`` answers the
``aws-sdk:translate`` tasks so each test can choose the service's behaviour (statuses, failures, throttling)
and check the exact requests the state machine made.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from amts import config
from amts.pipeline_config import PipelineConfig, asl_limit_substitutions
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from tests.integration.pipeline.bilingual_book import INPUT, OUTPUT, WORK, Book, load_book

ACCOUNT = "123456789012"
REGION = "us-east-1"


@contextmanager
def moto_s3(monkeypatch: pytest.MonkeyPatch, *buckets: str) -> Iterator[Any]:
    """A moto S3 client (fake credentials, so no real account is ever reached) with ``buckets`` created."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        for bucket in buckets:
            client.create_bucket(Bucket=bucket)
        yield client


@pytest.fixture
def book(monkeypatch: pytest.MonkeyPatch) -> Iterator[Book]:
    """The small bilingual book (``bilingual_book``) in moto S3, with the Translate stand-in over it."""
    with moto_s3(monkeypatch, INPUT, WORK, OUTPUT) as s3:
        yield load_book(s3)


def small_pipeline_config(**overrides: Any) -> PipelineConfig:
    """Two pairs and 1-second polling, so executions finish in seconds."""
    data: dict[str, Any] = {
        "language_pairs": [
            {"source": "en", "target": "zh", "evaluation": True},
            {"source": "en", "target": "es", "evaluation": False},
        ],
        "max_concurrency": 2,
        "polling": {
            "translation_job": {"initial_seconds": 1, "max_seconds": 1, "backoff_rate": 2.0, "max_wait_seconds": 60},
            "parallel_data": {"initial_seconds": 1, "max_seconds": 1, "backoff_rate": 2.0, "max_wait_seconds": 60},
        },
        "retry": {"interval_seconds": 1, "max_attempts": 2, "backoff_rate": 1.0, "max_delay_seconds": 1},
    }
    data.update(overrides)
    return PipelineConfig.model_validate(data)


@dataclass
class FakeLambdaContext:
    """What Powertools reads from a Lambda context."""

    function_name: str = "amts-test"
    function_version: str = "$LATEST"
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:amts-test"
    memory_limit_in_mb: int = 512
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"
    log_group_name: str = "/aws/lambda/amts-test"
    log_stream_name: str = "2026/11/25/[$LATEST]test"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


def _ok(parsed: dict[str, Any]) -> tuple[AWSResponse, dict[str, Any]]:
    parsed = {**parsed, "ResponseMetadata": {"HTTPStatusCode": 200, "RequestId": "fake", "HTTPHeaders": {}}}
    return AWSResponse("https://translate.local/", 200, {}, None), parsed


def _error(code: str, message: str, status: int = 400) -> tuple[AWSResponse, dict[str, Any]]:
    parsed = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status, "RequestId": "fake", "HTTPHeaders": {}},
    }
    return AWSResponse("https://translate.local/", status, {}, io.BytesIO(b"")), parsed


@dataclass
class ScriptedTranslate:
    """Amazon Translate as the state machine sees it; every knob is a plain attribute a test sets."""

    job_statuses: list[str] = field(default_factory=lambda: ["IN_PROGRESS", "COMPLETED"])
    job_message: str | None = None
    fail_targets: set[str] = field(default_factory=set)  # jobs into these languages end with job_failure_status
    job_failure_status: str = "FAILED"
    parallel_data_statuses: list[str] = field(default_factory=lambda: ["CREATING", "ACTIVE"])
    parallel_data_message: str | None = None
    throttle_first: dict[str, int] = field(default_factory=dict)  # operation -> how many calls get throttled
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    _jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    _tokens: dict[str, str] = field(default_factory=dict)
    _parallel_data: dict[str, dict[str, Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, service: str, operation: str, params: dict[str, Any]) -> Any:
        if service != "translate":
            return None
        with self._lock:
            self.calls.append((operation, params))
            if self.throttle_first.get(operation, 0) > 0:
                self.throttle_first[operation] -= 1
                return _error("TooManyRequestsException", "Rate exceeded", 429)
            return getattr(self, f"_{operation}")(params)

    def operations(self, name: str) -> list[dict[str, Any]]:
        return [params for operation, params in self.calls if operation == name]

    # Parallel data ----------------------------------------------------------------------------------------
    def _CreateParallelData(self, params: dict[str, Any]) -> Any:
        name = params["Name"]
        if name in self._parallel_data:
            return _error("ConflictException", f"parallel data {name} already exists")
        self._parallel_data[name] = {"config": params["ParallelDataConfig"], "polls": 0}
        return _ok({"Name": name, "Status": "CREATING"})

    def _UpdateParallelData(self, params: dict[str, Any]) -> Any:
        entry = self._parallel_data[params["Name"]]
        entry.update(config=params["ParallelDataConfig"], polls=0)
        return _ok({"Name": params["Name"], "Status": "ACTIVE", "LatestUpdateAttemptStatus": "UPDATING"})

    def _GetParallelData(self, params: dict[str, Any]) -> Any:
        entry = self._parallel_data.get(params["Name"])
        if entry is None:
            return _error("ResourceNotFoundException", f"parallel data {params['Name']} not found")
        statuses = self.parallel_data_statuses
        status = statuses[min(entry["polls"], len(statuses) - 1)]
        entry["polls"] += 1
        properties: dict[str, Any] = {"Name": params["Name"], "Status": status, "ParallelDataConfig": entry["config"]}
        if status == "FAILED" and self.parallel_data_message:
            properties["Message"] = self.parallel_data_message
        return _ok({"ParallelDataProperties": properties})

    # Jobs --------------------------------------------------------------------------------------------------
    def _StartTextTranslationJob(self, params: dict[str, Any]) -> Any:
        token = params["ClientToken"]
        if token in self._tokens:  # idempotent, as Translate is for the same ClientToken
            job_id = self._tokens[token]
            return _ok({"JobId": job_id, "JobStatus": self._jobs[job_id]["status"]})
        job_id = f"job{len(self._jobs) + 1:04d}"
        self._tokens[token] = job_id
        self._jobs[job_id] = {"params": params, "polls": 0, "status": "SUBMITTED"}
        return _ok({"JobId": job_id, "JobStatus": "SUBMITTED"})

    def _DescribeTextTranslationJob(self, params: dict[str, Any]) -> Any:
        job = self._jobs[params["JobId"]]
        request = job["params"]
        statuses = self.job_statuses
        status = statuses[min(job["polls"], len(statuses) - 1)]
        if request["TargetLanguageCodes"][0] in self.fail_targets and status == statuses[-1]:
            status = self.job_failure_status
        job["polls"] += 1
        job["status"] = status
        properties: dict[str, Any] = {
            "JobId": params["JobId"],
            "JobName": request["JobName"],
            "JobStatus": status,
            "SourceLanguageCode": request["SourceLanguageCode"],
            "TargetLanguageCodes": request["TargetLanguageCodes"],
            "ParallelDataNames": request.get("ParallelDataNames", []),
            "InputDataConfig": request["InputDataConfig"],
            "OutputDataConfig": {
                "S3Uri": f"{request['OutputDataConfig']['S3Uri']}{ACCOUNT}-TranslateText-{params['JobId']}/"
            },
            "JobDetails": {"TranslatedDocumentsCount": 1, "DocumentsWithErrorsCount": 0, "InputDocumentsCount": 1},
        }
        if status in {"FAILED", "STOPPED"} and self.job_message:
            properties["Message"] = self.job_message
        return _ok({"TextTranslationJobProperties": properties})


StepHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


@pytest.fixture
def translate() -> ScriptedTranslate:
    return ScriptedTranslate()


@pytest.fixture
def make_runtime(translate: ScriptedTranslate) -> Iterator[Callable[..., Any]]:
    """Build a ``LocalRuntime`` with the small config, the scripted Translate and optional handler overrides."""
    from amts_local.runtime import LocalRuntime

    opened: list[Any] = []

    def build(
        *, handlers: dict[str, StepHandler] | None = None, pipeline: PipelineConfig | None = None
    ) -> LocalRuntime:
        pipeline = pipeline or small_pipeline_config()
        runtime = LocalRuntime(
            handlers=handlers or {},
            environment={config.ENV_PIPELINE_CONFIG: pipeline.to_env_json()},
            asl_substitutions=asl_limit_substitutions(pipeline),
            service_hooks=[translate],
        )
        runtime.__enter__()
        opened.append(runtime)
        _reset_handler_caches()
        return runtime

    yield build
    for runtime in opened:
        runtime.__exit__(None, None, None)
    _reset_handler_caches()


def stand_in_runtime(*, evaluation: bool) -> Any:
    """A ``LocalRuntime`` with the real handlers and the Translate stand-in, for one en-zh pair.

    Uploads do not start executions (the Starter is replaced): each test starts its own with ``run_execution``.
    """
    from amts_local.runtime import LocalRuntime

    pipeline = small_pipeline_config(
        language_pairs=[{"source": "en", "target": "zh", "evaluation": evaluation}], max_concurrency=1
    )
    return LocalRuntime(
        pipeline=pipeline,
        environment={config.ENV_PIPELINE_CONFIG: pipeline.to_env_json()},
        asl_substitutions=asl_limit_substitutions(pipeline),
        handlers={"Starter": lambda event, context: {"batchItemFailures": []}},
    )


def _reset_handler_caches() -> None:
    from amts_handlers import shared

    shared.reset()


def run_execution(runtime: Any, execution_input: dict[str, Any], *, name: str = "test-run") -> dict[str, Any]:
    """Start the pipeline and wait for it; returns describe_execution's answer."""
    sfn = runtime.client("stepfunctions")
    arn = sfn.start_execution(
        stateMachineArn=runtime.state_machines["pipeline"], name=name, input=json.dumps(execution_input)
    )["executionArn"]
    result: dict[str, Any] = runtime.wait_for_execution(arn, timeout=120)
    return result
