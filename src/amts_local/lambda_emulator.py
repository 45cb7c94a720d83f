"""Run a Lambda handler in-process the way the Lambda service would: context object, JSON in, JSON out.

An exception in the handler does not propagate: like Lambda, the invocation "succeeds" with
``FunctionError: Unhandled`` and an error payload (``errorMessage``, ``errorType``, ``stackTrace``), which
Step Functions turns into a task failure named after the exception type.
"""

from __future__ import annotations

import importlib
import io
import json
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.response import StreamingBody

Handler = Callable[[Any, Any], Any]


@dataclass
class LambdaContext:
    """The attributes and method Powertools and handlers use from the real context object."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    timeout_seconds: int
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started: float = field(default_factory=time.monotonic)
    log_group_name: str = field(init=False)
    log_stream_name: str = field(init=False)

    def __post_init__(self) -> None:
        # Plain attributes, fixed when the invocation starts, as on Lambda's own context object
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = f"{time.strftime('%Y/%m/%d')}/[$LATEST]{self.aws_request_id.replace('-', '')}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.started + self.timeout_seconds - time.monotonic()) * 1000))


@dataclass(frozen=True)
class InvocationResult:
    """What one invocation returned: the payload bytes, and the error type when it failed."""

    function_id: str
    payload: bytes
    error_type: str | None
    error_message: str | None
    duration_seconds: float
    request_id: str

    @property
    def failed(self) -> bool:
        return self.error_type is not None


def load_handler(dotted: str) -> Handler:
    """Import ``package.module.function`` (the handler string of a FunctionSpec)."""
    module_name, _, attribute = dotted.rpartition(".")
    module = importlib.import_module(module_name)
    handler: Handler = getattr(module, attribute)
    return handler


@dataclass
class LambdaFunction:
    """One deployed function: its id and name, its handler, and its limits."""

    function_id: str
    function_name: str
    arn: str
    handler: Handler
    memory_mb: int = 1024
    timeout_seconds: int = 900
    lock: threading.Lock = field(default_factory=threading.Lock)
    invocations: int = 0

    def invoke(self, event: Any) -> InvocationResult:
        context = LambdaContext(
            function_name=self.function_name,
            invoked_function_arn=self.arn,
            memory_limit_in_mb=self.memory_mb,
            timeout_seconds=self.timeout_seconds,
        )
        with self.lock:
            self.invocations += 1
        started = time.monotonic()
        try:
            result = self.handler(event, context)
            payload = json.dumps(result, ensure_ascii=False, default=str).encode("utf-8")
        except Exception as exc:  # Lambda turns any handler exception into an Unhandled function error.
            return self._failure(exc, context, started)
        duration = time.monotonic() - started
        if duration > self.timeout_seconds:
            return _error_result(
                self.function_id,
                "Sandbox.Timedout",
                f"Task timed out after {self.timeout_seconds:.2f} seconds",
                [],
                duration,
                context.aws_request_id,
            )
        return InvocationResult(self.function_id, payload, None, None, duration, context.aws_request_id)

    def _failure(self, exc: Exception, context: LambdaContext, started: float) -> InvocationResult:
        stack = traceback.format_list(traceback.extract_tb(exc.__traceback__))
        return _error_result(
            self.function_id,
            type(exc).__name__,
            str(exc),
            [line.rstrip("\n") for line in stack],
            time.monotonic() - started,
            context.aws_request_id,
        )


def _error_result(
    function_id: str, error_type: str, message: str, stack: list[str], duration: float, request_id: str
) -> InvocationResult:
    body = {"errorMessage": message, "errorType": error_type, "requestId": request_id, "stackTrace": stack}
    return InvocationResult(function_id, json.dumps(body).encode("utf-8"), error_type, message, duration, request_id)


def decode_payload(payload: Any) -> Any:
    """The event of a ``lambda.Invoke`` call, whichever form its ``Payload`` parameter took (bytes, text, a file)."""
    if payload is None:
        return {}
    if isinstance(payload, bytes | bytearray):
        payload = payload.decode("utf-8")
    if isinstance(payload, str):
        return json.loads(payload) if payload.strip() else {}
    if hasattr(payload, "read"):
        return json.loads(payload.read() or b"{}")
    return payload


def invoke_response(result: InvocationResult) -> tuple[AWSResponse, dict[str, Any]]:
    """The botocore ``before-call`` answer for ``lambda.Invoke`` (short-circuits the HTTP request)."""
    parsed: dict[str, Any] = {
        "StatusCode": 200,
        "ExecutedVersion": "$LATEST",
        "Payload": StreamingBody(io.BytesIO(result.payload), len(result.payload)),
        "ResponseMetadata": {"HTTPStatusCode": 200, "RequestId": result.request_id, "HTTPHeaders": {}},
    }
    if result.failed:
        parsed["FunctionError"] = "Unhandled"
    return AWSResponse("https://lambda.local/invoke", 200, {}, None), parsed
