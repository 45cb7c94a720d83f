"""The whole AMTS stack, offline, in one process: moto + Step Functions interpreter + in-process handlers.

``LocalRuntime`` is a context manager. On entry it starts moto (S3, SQS, EventBridge, Step Functions, SNS),
creates what the CDK stack defines (buckets, the S3 -> EventBridge -> SQS upload path, the topic, the state
machine from ``statemachine/*.asl.json`` with local ARNs substituted), serves ``lambda.Invoke`` with the real
handlers and polls the upload queue the way Lambda's SQS event source mapping does (a batch is handed to the
Starter once the queue has been quiet for the batching window). Every AWS call is recorded per principal for
the least-privilege check (``amts_local.awscalls``).
"""

from __future__ import annotations

import importlib
import json
import logging
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import boto3
from amts import config
from amts.book import markdown_files
from amts.errors import InputError
from amts.fsio import read_bytes
from amts.pipeline_config import PipelineConfig
from amts.threads import pin_threads
from amts_aws.s3 import list_keys as list_s3_keys

from amts_local import awscalls
from amts_local.awscalls import CallRecord, acting_as, function_principal
from amts_local.deployment import (
    DEFAULT_ASL_DIR,
    QueuePolling,
    default_pipeline_config,
    deployment_queue_polling,
    local_pipeline_config,
    substitute_placeholders,
)
from amts_local.downloads import download_prefix
from amts_local.environment import EnvironmentOverlay, aws_environment, function_environment
from amts_local.event_source import UploadEventSource, as_aws_delivers
from amts_local.executions import ProgressEvent, execution_history, list_executions, wait_for_execution
from amts_local.lambda_emulator import Handler, InvocationResult, LambdaFunction, decode_payload, invoke_response
from amts_local.names import STARTER_ID, LocalNames
from amts_local.resources import (
    QueueUrls,
    asl_substitutions,
    create_functions,
    create_state_machines,
    create_storage_and_trigger,
)
from amts_local.standin import TranslateStandIn


@dataclass
class RunStats:
    """Counters the benchmark and the demo summary read."""

    invocations: dict[str, int] = field(default_factory=dict)
    failed_invocations: dict[str, int] = field(default_factory=dict)
    starter_batches: list[int] = field(default_factory=list)


ServiceHook = Callable[[str, str, dict[str, Any]], Any]
"""Serves calls moto has no backend for (Translate): (service, operation, params) -> before-call answer or None."""


class LocalRuntime(AbstractContextManager["LocalRuntime"]):
    """The deployed stack's resources and flow, in-process. Use as ``with LocalRuntime(...) as rt:``."""

    def __init__(
        self,
        *,
        asl_files: Sequence[Path] | None = None,
        asl_substitutions: Mapping[str, str] | None = None,
        handlers: Mapping[str, Handler] | None = None,
        functions: Collection[str] | None = None,
        environment: Mapping[str, str] | None = None,
        service_hooks: Sequence[ServiceHook] = (),
        service_contexts: Sequence[Callable[[LocalRuntime], AbstractContextManager[Any]]] = (),
        names: LocalNames | None = None,
        polling: QueuePolling | None = None,
        log_level: str = "WARNING",
        pipeline: PipelineConfig | None = None,
        translate: bool = True,
    ) -> None:
        self.names = names or LocalNames()
        self.asl_files = list(asl_files) if asl_files is not None else sorted(DEFAULT_ASL_DIR.glob("*.asl.json"))
        self.extra_substitutions = dict(asl_substitutions or {})
        self.handler_overrides = dict(handlers or {})
        self.deployed = set(functions) if functions is not None else {spec.function_id for spec in config.FUNCTIONS}
        self.extra_environment = dict(environment or {})
        self.service_hooks: list[ServiceHook] = list(service_hooks)
        self.service_contexts = list(service_contexts)
        self.polling = polling or deployment_queue_polling()
        self.log_level = log_level
        self.serve_translate = translate
        self.translate: TranslateStandIn | None = None
        self.pipeline = local_pipeline_config(pipeline or default_pipeline_config())
        self.calls: dict[CallRecord, int] = {}  # each distinct call (principal, action, resource) -> times made
        self.functions: dict[str, LambdaFunction] = {}
        self.state_machines: dict[str, str] = {}  # stem -> ARN
        self.stats = RunStats()
        self.invocation_log: list[InvocationResult] = []
        self.refused_downloads: list[tuple[str, str]] = []  # (s3 URI, why) of keys download() would not write
        self._stack = ExitStack()
        self.queues: QueueUrls | None = None
        self._event_source: UploadEventSource | None = None
        self._stats_lock = threading.Lock()
        self._environment = EnvironmentOverlay()
        self._clients: dict[str, Any] = {}

    # ----------------------------------------------------------------------------------------------- lifecycle
    def __enter__(self) -> LocalRuntime:
        try:
            self._start()
        except BaseException:
            self._shutdown()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._shutdown()

    def _start(self) -> None:
        from moto import mock_aws

        self._environment.set(aws_environment(self.names.region))
        mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
        mock.start()
        self._stack.callback(mock.stop)
        awscalls.DISPATCHER.activate(records=self.calls, answer=self._answer, account=self.names.account)
        self._stack.callback(awscalls.DISPATCHER.deactivate)
        if self.serve_translate:
            from amts_local.translate_service import SERVICE_BUCKET_SUFFIX, make_standin, translate_hook

            s3 = boto3.client("s3", region_name=self.names.region)
            self.translate = make_standin(s3, region=self.names.region, account=self.names.account)
            service_bucket = f"{self.names.prefix}-{SERVICE_BUCKET_SUFFIX}"
            hook = translate_hook(self.translate, s3_client=s3, service_bucket=service_bucket)
            self.service_hooks.append(hook)  # hooks given by the caller answer first
        self.queues = create_storage_and_trigger(self.client, self.names, self.polling)
        self._environment.set(self.function_environment())  # before the handlers' modules are imported
        self._quiet_interpreter_logs()
        self.functions = create_functions(self.names, self.deployed, self.handler_overrides)
        sfn = self.client("stepfunctions")
        self.state_machines = create_state_machines(sfn, self.names, self.asl_files, self.asl_substitutions())
        self._environment.set(self.function_environment())
        pin_threads()  # the in-process handlers share this process's thread pools, as one Lambda vCPU would
        _cold_start_handlers()
        for make_context in self.service_contexts:
            self._stack.enter_context(make_context(self))
        self._event_source = UploadEventSource(
            names=self.names,
            polling=self.polling,
            queue_url=self.queues.upload,
            invoke=self.invoke,
            on_batch=self._count_batch,
        )
        self._event_source.start()

    def _shutdown(self) -> None:
        if self._event_source is not None:
            self._event_source.stop()
        try:
            self._abort_running()
        finally:
            self._stack.close()
            self._environment.restore()

    def _abort_running(self) -> None:
        if not self.state_machines:
            return
        sfn = self.client("stepfunctions")
        for arn in self.state_machines.values():
            for execution in sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"]:
                sfn.stop_execution(executionArn=execution["executionArn"], cause="local runtime shut down")

    # ------------------------------------------------------------------------------------------- environment
    def function_environment(self) -> dict[str, str]:
        """What the stack sets on every function (names local, the state machine once it exists), plus the caller's
        extra variables."""
        machine = self.state_machines[self.main_state_machine] if self.state_machines else None
        env = function_environment(self.names, self.pipeline, log_level=self.log_level, state_machine_arn=machine)
        return {**env, **self.extra_environment}

    def _quiet_interpreter_logs(self) -> None:
        """moto's interpreter logs every caught task failure; the progress display reports them instead."""
        interpreter = logging.getLogger("moto.stepfunctions.parser")
        previous = interpreter.level
        interpreter.setLevel(logging.CRITICAL)
        self._stack.callback(interpreter.setLevel, previous)

    # ----------------------------------------------------------------------------------------------- clients
    def reconfigure_functions(self, pipeline: PipelineConfig) -> None:
        """Give the functions a changed pipeline config (budget, pair options), as a redeploy of cdk.json would;
        the state machine keeps its definition (its limits come from the config it was created with)."""
        self.pipeline = local_pipeline_config(pipeline)
        self._environment.set(self.function_environment())
        _cold_start_handlers()

    def client(self, service: str) -> Any:
        """A boto3 client bound to the local stack (calls from it are recorded as the local user's)."""
        if service not in self._clients:
            self._clients[service] = boto3.client(service, region_name=self.names.region)
        return self._clients[service]

    # ----------------------------------------------------------------------------------------------- resources
    def asl_substitutions(self) -> dict[str, str]:
        """Placeholder -> local value, with the same names the CDK stack substitutes."""
        return asl_substitutions(self.names, self.pipeline, self.functions, self.extra_substitutions)

    # ----------------------------------------------------------------------------------- calls and invocation
    def _answer(self, service: str, operation: str, params: dict[str, Any]) -> Any:
        if service == "lambda" and operation == "Invoke":
            function = self._function_for(str(params.get("FunctionName", "")))
            result = self.invoke(function.function_id, decode_payload(params.get("Payload")))
            return invoke_response(result)
        for hook in self.service_hooks:
            answer = hook(service, operation, params)
            if answer is not None:
                return answer
        return None

    def _function_for(self, name_or_arn: str) -> LambdaFunction:
        name = name_or_arn.split(":function:")[-1].split(":")[0]
        for function in self.functions.values():
            if name in (function.function_name, function.function_id):
                return function
        raise InputError(f"no local function named {name_or_arn!r}")

    def invoke(self, function_id: str, event: Any) -> InvocationResult:
        """Invoke a function in this thread, its AWS calls attributed to its role (as Lambda would run it)."""
        function = self.functions[function_id]
        with acting_as(function_principal(function_id)):
            result = function.invoke(event)
        with self._stats_lock:
            self.stats.invocations[function_id] = self.stats.invocations.get(function_id, 0) + 1
            if result.failed:
                self.stats.failed_invocations[function_id] = self.stats.failed_invocations.get(function_id, 0) + 1
            self.invocation_log.append(result)
        return result

    # ---------------------------------------------------------------------------------- SQS event source mapping
    def _count_batch(self, size: int) -> None:
        with self._stats_lock:
            self.stats.starter_batches.append(size)

    def wait_for_uploads(self, timeout: float = 60.0) -> None:
        """Block until every upload event has been handed to the Starter (the queue is empty and quiet)."""
        if self._event_source is None:
            raise RuntimeError("the local runtime is not running")
        self._event_source.wait_until_drained(self.client("sqs"), timeout)

    # ------------------------------------------------------------------------------------------------ uploads
    def upload(self, key: str, data: bytes | str, *, bucket: str | None = None) -> None:
        """Put one object into the input bucket (the S3 event path starts from here)."""
        body = data.encode("utf-8") if isinstance(data, str) else data
        self.client("s3").put_object(Bucket=bucket or self.names.input_bucket, Key=key, Body=body)

    def upload_book(
        self, book_dir: Path, *, languages: Sequence[str] | None = None, only: Collection[str] | None = None
    ) -> list[str]:
        """Upload ``<book>/<lang>/<path>.md`` files to ``book/<lang>/<path>.md`` (with ``only``, just those
        relative paths); returns the keys."""
        keys: list[str] = []
        for lang_dir in sorted(p for p in book_dir.iterdir() if p.is_dir()):
            if languages is not None and lang_dir.name not in languages:
                continue
            for relative, path in markdown_files(lang_dir).items():
                if only is not None and relative not in only:
                    continue
                key = f"{config.SOURCE_PREFIX}{lang_dir.name}/{relative}"
                self.upload(key, read_bytes(path))
                keys.append(key)
        return keys

    # --------------------------------------------------------------------------------------------- executions
    @property
    def main_state_machine(self) -> str:
        """The stem of the state machine the Starter starts: ``pipeline``, or the only one loaded."""
        if "pipeline" in self.state_machines or not self.state_machines:
            return "pipeline"
        return next(iter(self.state_machines))

    def executions(self, stem: str | None = None) -> list[dict[str, Any]]:
        return list_executions(self.client("stepfunctions"), self.state_machines[stem or self.main_state_machine])

    def wait_for_execution(
        self,
        execution_arn: str,
        *,
        timeout: float = 300.0,
        on_event: Callable[[ProgressEvent], None] | None = None,
        poll_seconds: float = 0.2,
    ) -> dict[str, Any]:
        """Poll ``describe_execution`` (and the history, for progress) until the execution ends."""
        sfn = self.client("stepfunctions")
        return wait_for_execution(sfn, execution_arn, timeout=timeout, on_event=on_event, poll_seconds=poll_seconds)

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        return execution_history(self.client("stepfunctions"), execution_arn)

    def wait_for_all(
        self,
        *,
        stem: str | None = None,
        timeout: float = 300.0,
        on_event: Callable[[ProgressEvent], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Wait for the upload queue to drain, then for every execution of the state machine to end."""
        self.wait_for_uploads(timeout=timeout)
        results = []
        for execution in self.executions(stem):
            results.append(self.wait_for_execution(execution["executionArn"], timeout=timeout, on_event=on_event))
        return results

    # ------------------------------------------------------------------------------------------------- reading
    def notifications(self) -> list[dict[str, Any]]:
        """Messages published to the topic so far (drains the local inbox queue)."""
        sqs = self.client("sqs")
        found: list[dict[str, Any]] = []
        while True:
            messages = sqs.receive_message(QueueUrl=self._queues().inbox, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                return found
            for message in messages:
                try:
                    found.append(json.loads(message["Body"]))
                except json.JSONDecodeError:
                    found.append({"message": message["Body"]})
                sqs.delete_message(QueueUrl=self._queues().inbox, ReceiptHandle=message["ReceiptHandle"])

    def dead_letters(self) -> list[dict[str, Any]]:
        sqs = self.client("sqs")
        messages: list[dict[str, Any]] = sqs.receive_message(
            QueueUrl=self._queues().dead_letter, MaxNumberOfMessages=10
        ).get("Messages", [])
        return messages

    def list_keys(self, bucket: str, prefix: str = "") -> list[str]:
        return list_s3_keys(self.client("s3"), bucket, prefix)

    def read_object(self, bucket: str, key: str) -> bytes:
        body: bytes = self.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
        return body

    def download(self, bucket: str, prefix: str, destination: Path) -> list[Path]:
        """Copy every object under ``prefix`` to ``destination``; keys that would land outside it are never written
        and are listed in ``refused_downloads`` (``amts_local.downloads``)."""
        return download_prefix(self.client("s3"), bucket, prefix, destination, self.refused_downloads)

    @property
    def upload_queue_url(self) -> str:
        """The upload queue (tests send raw events to it, as EventBridge would)."""
        return self._queues().upload

    def _queues(self) -> QueueUrls:
        if self.queues is None:
            raise RuntimeError("the local runtime is not running")
        return self.queues

    def calls_by(self, principal: str) -> Iterator[CallRecord]:
        return (call for call in self.calls if call.principal == principal)


def _cold_start_handlers() -> None:
    """Forget settings and clients the handlers cached in an earlier run in this process (a new cold start)."""
    try:
        shared = importlib.import_module("amts_handlers.shared")
    except ImportError:
        return
    reset = getattr(shared, "reset", None)
    if callable(reset):
        reset()


# The runtime's public names, some defined in the modules it composes (callers import them from here).
__all__ = [
    "DEFAULT_ASL_DIR",
    "STARTER_ID",
    "LocalNames",
    "LocalRuntime",
    "ProgressEvent",
    "QueuePolling",
    "RunStats",
    "as_aws_delivers",
    "default_pipeline_config",
    "deployment_queue_polling",
    "local_pipeline_config",
    "substitute_placeholders",
]
