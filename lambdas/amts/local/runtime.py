"""The whole AMTS stack, offline, in one process: moto + Step Functions interpreter + in-process handlers.

``LocalRuntime`` is a context manager. On entry it starts moto (S3, SQS, EventBridge, Step Functions, SNS),
creates what the CDK stack defines (buckets, the S3 -> EventBridge -> SQS upload path, the topic, the state
machine from ``statemachine/*.asl.json`` with local ARNs substituted), serves ``lambda.Invoke`` with the real
handlers and polls the upload queue the way Lambda's SQS event source mapping does (a batch is handed to the
Starter once the queue has been quiet for the batching window). Every AWS call is recorded per principal for
the least-privilege check (``amts.local.awscalls``).
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import threading
import time
import urllib.parse
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any

import boto3

from amts import asl, config
from amts.book import markdown_files
from amts.errors import InputError
from amts.fsio import read_bytes
from amts.local import awscalls
from amts.local.awscalls import CallRecord, acting_as, function_principal
from amts.local.lambda_emulator import Handler, InvocationResult, LambdaFunction, invoke_response, load_handler
from amts.pipeline.keys import key_problem
from amts.pipeline.s3 import list_keys as list_s3_keys
from amts.pipeline_config import (
    PipelineConfig,
    PollingConfig,
    PollSchedule,
    asl_limit_substitutions,
    cdk_context,
    load_pipeline_config_from_cdk_json,
)
from amts.translate.standin import TranslateStandIn

# The state machine and cdk.json the stack is built from, as package data: in a checkout ``amts/deploy/`` links to the
# repository's own files, and ``pip install .`` copies them into the package, so an installed ``amts`` runs too.
DEPLOY_DATA = Path(str(resources.files("amts") / "deploy"))
DEFAULT_ASL_DIR = DEPLOY_DATA / "statemachine"
DEFAULT_CDK_JSON = DEPLOY_DATA / "cdk.json"
STARTER_ID = "Starter"
_TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}


@dataclass(frozen=True)
class LocalNames:
    """Physical names of the local resources (the CDK stack lets CloudFormation name them)."""

    account: str = "123456789012"
    region: str = "us-east-1"
    prefix: str = "amts-local"

    @property
    def input_bucket(self) -> str:
        return f"{self.prefix}-input"

    @property
    def work_bucket(self) -> str:
        return f"{self.prefix}-work"

    @property
    def output_bucket(self) -> str:
        return f"{self.prefix}-output"

    @property
    def upload_queue(self) -> str:
        return f"{self.prefix}-uploads"

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.prefix}-uploads-dlq"

    @property
    def notification_inbox(self) -> str:
        """A queue subscribed to the topic so a local run can show the notifications (the person's e-mail)."""
        return f"{self.prefix}-notifications-inbox"

    @property
    def topic(self) -> str:
        return f"{self.prefix}-notifications"

    @property
    def spend_table(self) -> str:
        return f"{self.prefix}-spend-ledger"

    def spend_table_arn(self) -> str:
        return f"arn:aws:dynamodb:{self.region}:{self.account}:table/{self.spend_table}"

    @property
    def upload_rule(self) -> str:
        return f"{self.prefix}-source-uploaded"

    def topic_arn(self) -> str:
        return f"arn:aws:sns:{self.region}:{self.account}:{self.topic}"

    def queue_arn(self, name: str) -> str:
        return f"arn:aws:sqs:{self.region}:{self.account}:{name}"

    def role_arn(self, role: str) -> str:
        return f"arn:aws:iam::{self.account}:role/{self.prefix}-{role}"

    @property
    def translate_role_arn(self) -> str:
        return self.role_arn("translate-data-access")

    @property
    def state_machine_role_arn(self) -> str:
        return self.role_arn("state-machine")

    def function_name(self, function_id: str) -> str:
        return f"{self.prefix}-{function_id}"

    def function_arn(self, function_id: str) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{self.function_name(function_id)}"

    def state_machine_name(self, stem: str) -> str:
        return f"{self.prefix}-{stem}"

    def state_machine_arn(self, stem: str) -> str:
        return f"arn:aws:states:{self.region}:{self.account}:stateMachine:{self.state_machine_name(stem)}"


@dataclass(frozen=True)
class ProgressEvent:
    """One step of an execution, for live progress: a state entered/exited/failed, or the execution's end."""

    execution_arn: str
    kind: str  # "entered", "exited", "failed", "retry", "execution"
    state: str
    pair: str | None
    detail: str
    timestamp: float


@dataclass
class RunStats:
    """Counters the benchmark and the demo summary read."""

    invocations: dict[str, int] = field(default_factory=dict)
    failed_invocations: dict[str, int] = field(default_factory=dict)
    starter_batches: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class QueuePolling:
    """The emulated SQS event source mapping: batch size and batching window (collect until quiet)."""

    batch_size: int = 10_000
    quiet_seconds: float = 0.5
    visibility_timeout_seconds: int = 2
    max_receive_count: int = 3


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
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None
        self._poller_error: BaseException | None = None
        self._idle = threading.Event()
        self._stats_lock = threading.Lock()
        self._saved_env: dict[str, str | None] = {}
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

        self._set_environment(self._base_environment())
        mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
        mock.start()
        self._stack.callback(mock.stop)
        awscalls.DISPATCHER.activate(records=self.calls, answer=self._answer, account=self.names.account)
        self._stack.callback(awscalls.DISPATCHER.deactivate)
        if self.serve_translate:
            from amts.local.translate_service import SERVICE_BUCKET_SUFFIX, make_standin, translate_hook

            s3 = boto3.client("s3", region_name=self.names.region)
            self.translate = make_standin(s3, region=self.names.region, account=self.names.account)
            service_bucket = f"{self.names.prefix}-{SERVICE_BUCKET_SUFFIX}"
            hook = translate_hook(self.translate, s3_client=s3, service_bucket=service_bucket)
            self.service_hooks.append(hook)  # hooks given by the caller answer first
        self._create_storage_and_trigger()
        self._set_environment(self.function_environment())  # before the handlers' modules are imported
        self._quiet_interpreter_logs()
        self._create_functions()
        self._create_state_machines()
        self._set_environment(self.function_environment())
        _cold_start_handlers()
        for make_context in self.service_contexts:
            self._stack.enter_context(make_context(self))
        self._poller = threading.Thread(target=self._poll_uploads, name="amts-sqs-event-source", daemon=True)
        self._poller.start()

    def _shutdown(self) -> None:
        self._stop.set()
        if self._poller is not None:
            self._poller.join(timeout=30)
        try:
            self._abort_running()
        finally:
            self._stack.close()
            self._restore_environment()

    def _abort_running(self) -> None:
        if not self.state_machines:
            return
        sfn = self.client("stepfunctions")
        for arn in self.state_machines.values():
            for execution in sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"]:
                sfn.stop_execution(executionArn=execution["executionArn"], cause="local runtime shut down")

    # ------------------------------------------------------------------------------------------- environment
    def _base_environment(self) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": self.names.region,
            "AWS_REGION": self.names.region,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def function_environment(self) -> dict[str, str]:
        """What the stack sets on every function (names local), plus Powertools settings for a local run."""
        env = {
            config.ENV_INPUT_BUCKET: self.names.input_bucket,
            config.ENV_WORK_BUCKET: self.names.work_bucket,
            config.ENV_OUTPUT_BUCKET: self.names.output_bucket,
            config.ENV_TRANSLATE_ROLE_ARN: self.names.translate_role_arn,
            config.ENV_TOPIC_ARN: self.names.topic_arn(),
            config.ENV_SPEND_TABLE: self.names.spend_table,
            config.ENV_PIPELINE_CONFIG: self.pipeline.to_env_json(),
            **config.POWERTOOLS_ENVIRONMENT,
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": self.log_level,
        }
        if self.state_machines:
            env[config.ENV_STATE_MACHINE_ARN] = self.state_machines[self.main_state_machine]
        env.update(self.extra_environment)
        return env

    def _quiet_interpreter_logs(self) -> None:
        """moto's interpreter logs every caught task failure; the progress display reports them instead."""
        interpreter = logging.getLogger("moto.stepfunctions.parser")
        previous = interpreter.level
        interpreter.setLevel(logging.CRITICAL)
        self._stack.callback(interpreter.setLevel, previous)

    def _set_environment(self, values: Mapping[str, str]) -> None:
        for name, value in values.items():
            self._saved_env.setdefault(name, os.environ.get(name))
            os.environ[name] = value

    def _restore_environment(self) -> None:
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env.clear()

    # ----------------------------------------------------------------------------------------------- clients
    def reconfigure_functions(self, pipeline: PipelineConfig) -> None:
        """Give the functions a changed pipeline config (budget, pair options), as a redeploy of cdk.json would;
        the state machine keeps its definition (its limits come from the config it was created with)."""
        self.pipeline = local_pipeline_config(pipeline)
        self._set_environment(self.function_environment())
        _cold_start_handlers()

    def client(self, service: str) -> Any:
        """A boto3 client bound to the local stack (calls from it are recorded as the local user's)."""
        if service not in self._clients:
            self._clients[service] = boto3.client(service, region_name=self.names.region)
        return self._clients[service]

    # ----------------------------------------------------------------------------------------------- resources
    def _create_storage_and_trigger(self) -> None:
        names = self.names
        s3, sqs, events, sns = (self.client(s) for s in ("s3", "sqs", "events", "sns"))
        for bucket in (names.input_bucket, names.work_bucket, names.output_bucket):
            s3.create_bucket(Bucket=bucket)
        # As in the stack: the input bucket is versioned, so each upload of a chapter is a distinct version; the
        # output bucket, so an overwritten translation or memory can be restored.
        for bucket in (names.input_bucket, names.output_bucket):
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        self.client("dynamodb").create_table(
            TableName=names.spend_table,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        # The stack: input bucket -> EventBridge (Object Created under the source prefix) -> SQS -> Starter.
        s3.put_bucket_notification_configuration(
            Bucket=names.input_bucket, NotificationConfiguration={"EventBridgeConfiguration": {}}
        )
        sqs.create_queue(QueueName=names.dead_letter_queue)
        sqs.create_queue(
            QueueName=names.upload_queue,
            Attributes={
                "VisibilityTimeout": str(self.polling.visibility_timeout_seconds),
                "RedrivePolicy": json.dumps(
                    {
                        "deadLetterTargetArn": names.queue_arn(names.dead_letter_queue),
                        "maxReceiveCount": str(self.polling.max_receive_count),
                    }
                ),
            },
        )
        pattern = {
            "source": ["aws.s3"],
            "detail-type": ["Object Created"],
            "detail": {"bucket": {"name": [names.input_bucket]}, "object": {"key": [{"prefix": config.SOURCE_PREFIX}]}},
        }
        events.put_rule(Name=names.upload_rule, EventPattern=json.dumps(pattern), State="ENABLED")
        events.put_targets(
            Rule=names.upload_rule, Targets=[{"Id": "upload-queue", "Arn": names.queue_arn(names.upload_queue)}]
        )
        topic_arn = sns.create_topic(Name=names.topic)["TopicArn"]
        inbox_url = sqs.create_queue(QueueName=names.notification_inbox)["QueueUrl"]
        sns.subscribe(
            TopicArn=topic_arn,
            Protocol="sqs",
            Endpoint=names.queue_arn(names.notification_inbox),
            Attributes={"RawMessageDelivery": "true"},
        )
        self.upload_queue_url = sqs.get_queue_url(QueueName=names.upload_queue)["QueueUrl"]
        self.dead_letter_queue_url = sqs.get_queue_url(QueueName=names.dead_letter_queue)["QueueUrl"]
        self.inbox_url = inbox_url

    def _create_functions(self) -> None:
        for spec in config.FUNCTIONS:
            if spec.function_id not in self.deployed:
                continue
            handler = self.handler_overrides.get(spec.function_id)
            if handler is None:
                try:
                    handler = load_handler(spec.handler)
                except (ImportError, AttributeError) as exc:
                    raise InputError(
                        f"handler {spec.handler} of function {spec.function_id} cannot be loaded: {exc}"
                    ) from None
            self.functions[spec.function_id] = LambdaFunction(
                function_id=spec.function_id,
                function_name=self.names.function_name(spec.function_id),
                arn=self.names.function_arn(spec.function_id),
                handler=handler,
            )
        for function_id, handler in self.handler_overrides.items():
            if function_id not in self.functions:
                self.functions[function_id] = LambdaFunction(
                    function_id=function_id,
                    function_name=self.names.function_name(function_id),
                    arn=self.names.function_arn(function_id),
                    handler=handler,
                )

    def asl_substitutions(self) -> dict[str, str]:
        """Placeholder -> local value, with the same names the CDK stack substitutes."""
        values = {
            config.ASL_INPUT_BUCKET: self.names.input_bucket,
            config.ASL_WORK_BUCKET: self.names.work_bucket,
            config.ASL_OUTPUT_BUCKET: self.names.output_bucket,
            config.ASL_TRANSLATE_ROLE_ARN: self.names.translate_role_arn,
            config.ASL_TOPIC_ARN: self.names.topic_arn(),
            **asl_limit_substitutions(self.pipeline),
        }
        for spec in config.FUNCTIONS:
            if spec.asl_placeholder is not None:
                values[spec.asl_placeholder] = self.names.function_arn(spec.function_id)
        for function_id in self.functions:
            values.setdefault(f"{function_id}FunctionArn", self.names.function_arn(function_id))
        values.update(self.extra_substitutions)
        return values

    def _create_state_machines(self) -> None:
        substitutions = self.asl_substitutions()
        sfn = self.client("stepfunctions")
        for path in self.asl_files:
            definition = substitute_placeholders(path, substitutions)
            stem = path.name.removesuffix(".asl.json")
            response = sfn.create_state_machine(
                name=self.names.state_machine_name(stem),
                definition=definition,
                roleArn=self.names.state_machine_role_arn,
                type="STANDARD",
            )
            self.state_machines[stem] = response["stateMachineArn"]

    # ----------------------------------------------------------------------------------- calls and invocation
    def _answer(self, service: str, operation: str, params: dict[str, Any]) -> Any:
        if service == "lambda" and operation == "Invoke":
            function = self._function_for(str(params.get("FunctionName", "")))
            result = self.invoke(function.function_id, _decode_payload(params.get("Payload")))
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
    def _poll_uploads(self) -> None:
        try:
            with acting_as(function_principal(STARTER_ID)):
                self._poll_loop()
        except BaseException as exc:  # surfaced by wait_for_quiet, never swallowed
            self._poller_error = exc

    def _poll_loop(self) -> None:
        sqs = boto3.client("sqs", region_name=self.names.region)
        pending: dict[str, dict[str, Any]] = {}
        last_arrival = 0.0
        while not self._stop.is_set():
            messages = sqs.receive_message(
                QueueUrl=self.upload_queue_url,
                MaxNumberOfMessages=10,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            now = time.monotonic()
            for message in messages:
                pending[message["MessageId"]] = message
                last_arrival = now
            quiet = now - last_arrival >= self.polling.quiet_seconds
            if pending and (quiet or len(pending) >= self.polling.batch_size):
                batch = list(pending.values())[: self.polling.batch_size]
                for message in batch:
                    pending.pop(message["MessageId"])
                self._deliver(sqs, batch)
                continue
            if messages or pending:
                self._idle.clear()
            else:
                self._idle.set()
            if not messages:
                time.sleep(0.1)

    def _deliver(self, sqs: Any, batch: list[dict[str, Any]]) -> None:
        self._idle.clear()
        queue_arn = self.names.queue_arn(self.names.upload_queue)
        event = {"Records": [_sqs_record(message, queue_arn, self.names.region) for message in batch]}
        with self._stats_lock:
            self.stats.starter_batches.append(len(batch))
        result = self.invoke(STARTER_ID, event)
        if result.failed:
            return  # the messages become visible again, then go to the dead-letter queue (as with Lambda)
        failed_ids = _batch_item_failures(result.payload)
        done = [message for message in batch if message["MessageId"] not in failed_ids]
        for start in range(0, len(done), 10):
            entries = [
                {"Id": str(i), "ReceiptHandle": message["ReceiptHandle"]}
                for i, message in enumerate(done[start : start + 10])
            ]
            sqs.delete_message_batch(QueueUrl=self.upload_queue_url, Entries=entries)

    def wait_for_uploads(self, timeout: float = 60.0) -> None:
        """Block until every upload event has been handed to the Starter (the queue is empty and quiet)."""
        deadline = time.monotonic() + timeout
        sqs = self.client("sqs")
        while time.monotonic() < deadline:
            if self._poller_error is not None:
                raise RuntimeError("the upload queue poller stopped") from self._poller_error
            if self._idle.wait(timeout=0.1):
                attributes = sqs.get_queue_attributes(
                    QueueUrl=self.upload_queue_url,
                    AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
                )["Attributes"]
                if (
                    attributes["ApproximateNumberOfMessages"] == "0"
                    and attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
                ):
                    return
                time.sleep(0.1)
        raise TimeoutError(f"upload events still queued after {timeout:.0f} s")

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
        arn = self.state_machines[stem or self.main_state_machine]
        sfn = self.client("stepfunctions")
        found: list[dict[str, Any]] = sfn.list_executions(stateMachineArn=arn)["executions"]
        return found

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
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            description: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
            if on_event is not None:
                history = self.history(execution_arn)
                for event in history[seen:]:
                    progress = progress_event(execution_arn, event)
                    if progress is not None:
                        on_event(progress)
                seen = len(history)
            if description["status"] in _TERMINAL:
                return description
            if time.monotonic() > deadline:
                raise TimeoutError(f"execution {execution_arn} still {description['status']} after {timeout:.0f} s")
            time.sleep(poll_seconds)

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        sfn = self.client("stepfunctions")
        events: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
        while True:
            page = sfn.get_execution_history(**kwargs)
            events.extend(page["events"])
            if not page.get("nextToken"):
                return events
            kwargs["nextToken"] = page["nextToken"]

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
            messages = sqs.receive_message(QueueUrl=self.inbox_url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                return found
            for message in messages:
                try:
                    found.append(json.loads(message["Body"]))
                except json.JSONDecodeError:
                    found.append({"message": message["Body"]})
                sqs.delete_message(QueueUrl=self.inbox_url, ReceiptHandle=message["ReceiptHandle"])

    def dead_letters(self) -> list[dict[str, Any]]:
        sqs = self.client("sqs")
        messages: list[dict[str, Any]] = sqs.receive_message(
            QueueUrl=self.dead_letter_queue_url, MaxNumberOfMessages=10
        ).get("Messages", [])
        return messages

    def list_keys(self, bucket: str, prefix: str = "") -> list[str]:
        return list_s3_keys(self.client("s3"), bucket, prefix)

    def read_object(self, bucket: str, key: str) -> bytes:
        body: bytes = self.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
        return body

    def download(self, bucket: str, prefix: str, destination: Path) -> list[Path]:
        """Copy every object under ``prefix`` to ``destination`` (relative paths kept, written atomically).

        Keys go through the pipeline's key validator: one that would land outside ``destination`` (``..``, an
        absolute path, a backslash, a control character) is never written; it is listed in ``refused_downloads``.
        """
        from amts.fsio import write_atomic

        root = destination.resolve()
        written = []
        for key in self.list_keys(bucket, prefix):
            relative = key[len(prefix) :]
            if not relative or relative.endswith("/"):
                continue
            problem = key_problem(relative)
            target = (root / relative).resolve()
            if problem is None and not target.is_relative_to(root):
                problem = "resolves outside the output folder"
            if problem is not None:
                self.refused_downloads.append((f"s3://{bucket}/{key}", problem))
                continue
            write_atomic(target, self.read_object(bucket, key))
            written.append(target)
        return written

    def calls_by(self, principal: str) -> Iterator[CallRecord]:
        return (call for call in self.calls if call.principal == principal)


def deployment_queue_polling(cdk_json: Path = DEFAULT_CDK_JSON) -> QueuePolling:
    """The stack's batch size for the Starter's event source (``amts:deployment``); the window stays local-short.

    The deployed batching window (up to 300 s) bounds how long Lambda waits for a batch to fill; locally the
    batch is handed over as soon as the queue has been quiet for ``quiet_seconds``, which gives the same batches
    for uploads made in one go without the wait.
    """
    deployment = cdk_context(cdk_json).get(config.CDK_CONTEXT_DEPLOYMENT) or {}
    batch_size = deployment.get("starter_batch_size")
    return (
        QueuePolling(batch_size=int(batch_size)) if isinstance(batch_size, int) and batch_size > 0 else QueuePolling()
    )


def default_pipeline_config() -> PipelineConfig:
    """The pipeline config the stack is built from (``cdk.json`` context ``amts:pipeline``)."""
    return load_pipeline_config_from_cdk_json(DEFAULT_CDK_JSON)


def local_pipeline_config(pipeline: PipelineConfig, *, pairs: Sequence[str] | None = None) -> PipelineConfig:
    """The same config with local waits: poll every second, retry after a second (Translate answers at once)."""
    # 60 one-second polls at most: the stand-in's jobs end after a few polls, and the history budget stays small.
    fast = PollSchedule(initial_seconds=1, max_seconds=1, backoff_rate=1.0, max_wait_seconds=60)
    update: dict[str, Any] = {
        "polling": PollingConfig(translation_job=fast, parallel_data=fast),
        "retry": pipeline.retry.model_copy(update={"interval_seconds": 1, "max_delay_seconds": 2}),
    }
    if pairs is not None:
        update["language_pairs"] = tuple(pipeline.pair(key) for key in pairs)
    return pipeline.model_copy(update=update)


def _cold_start_handlers() -> None:
    """Forget settings and clients the handlers cached in an earlier run in this process (a new cold start)."""
    try:
        shared = importlib.import_module("amts_handlers.shared")
    except ImportError:
        return
    reset = getattr(shared, "reset", None)
    if callable(reset):
        reset()


def substitute_placeholders(path: Path, substitutions: Mapping[str, str]) -> str:
    """The ASL text with every ``${Name}`` replaced; an unknown placeholder is an error naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("state machine definition not found", path=str(path)) from None
    return asl.substitute(text, substitutions, path=str(path))


def _decode_payload(payload: Any) -> Any:
    if payload is None:
        return {}
    if isinstance(payload, bytes | bytearray):
        payload = payload.decode("utf-8")
    if isinstance(payload, str):
        return json.loads(payload) if payload.strip() else {}
    if hasattr(payload, "read"):
        return json.loads(payload.read() or b"{}")
    return payload


def _sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """The record shape Lambda's SQS event source mapping hands to a function."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": as_aws_delivers(message["Body"]),
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def as_aws_delivers(body: str) -> str:
    """An S3 ``Object Created`` event with its key encoded as S3 encodes notification keys.

    S3's notification documentation says keys are URL-encoded (a space becomes ``+``); its EventBridge page does
    not say, and Powertools' EventBridge data class decodes them the same way, so the local runtime delivers them
    encoded. moto puts the raw key in the EventBridge event. The Starter accepts either (``Upload.candidate_keys``).
    """
    try:
        event = json.loads(body)
        obj = event["detail"]["object"]
    except (ValueError, KeyError, TypeError):
        return body
    if event.get("source") != "aws.s3" or not isinstance(obj.get("key"), str):
        return body
    obj["key"] = urllib.parse.quote_plus(obj["key"], safe="/")  # each delivery encodes the queued raw body once
    return json.dumps(event)


def _batch_item_failures(payload: bytes) -> set[str]:
    try:
        response = json.loads(payload or b"null")
    except json.JSONDecodeError:
        return set()
    if not isinstance(response, dict):
        return set()
    failures = response.get("batchItemFailures") or []
    return {str(item.get("itemIdentifier")) for item in failures if isinstance(item, dict)}


_PAIR_KEYS = ("pair", "pair_key", "language_pair")


def _pair_of(text: str | None) -> str | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key in _PAIR_KEYS:
                found = item.get(key)
                if isinstance(found, str):
                    return found
                if isinstance(found, dict) and "source" in found and "target" in found:
                    return f"{found['source']}-{found['target']}"
            if isinstance(item.get("source"), str) and isinstance(item.get("target"), str):
                return f"{item['source']}-{item['target']}"
            stack.extend(v for v in item.values() if isinstance(v, dict))
    return None


def progress_event(execution_arn: str, event: dict[str, Any]) -> ProgressEvent | None:
    """Turn one history event into a progress step (None for the ones a person need not see)."""
    kind = str(event["type"])
    stamp = event["timestamp"].timestamp() if hasattr(event["timestamp"], "timestamp") else time.time()
    if kind.endswith("StateEntered"):
        details = event.get("stateEnteredEventDetails", {})
        return ProgressEvent(
            execution_arn, "entered", details.get("name", ""), _pair_of(details.get("input")), "", stamp
        )
    if kind.endswith("StateExited"):
        details = event.get("stateExitedEventDetails", {})
        return ProgressEvent(
            execution_arn, "exited", details.get("name", ""), _pair_of(details.get("output")), "", stamp
        )
    if kind in {"TaskFailed", "LambdaFunctionFailed", "MapIterationFailed"}:
        empty: dict[str, Any] = {}
        failure: dict[str, Any] = next((v for k, v in event.items() if k.endswith("EventDetails")), empty)
        detail = f"{failure.get('error', '')}: {str(failure.get('cause', ''))[:200]}"
        return ProgressEvent(execution_arn, "failed", "", None, detail, stamp)
    if kind.startswith("Execution") and kind != "ExecutionStarted":
        return ProgressEvent(execution_arn, "execution", kind.removeprefix("Execution"), None, "", stamp)
    return None
