"""What every handler shares: Powertools objects, settings and clients built once per cold start, and the
decorators that give each handler the same logging, tracing, metrics and input/output models."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, TypedDict, TypeVar

import boto3
from amts import config
from amts.threads import pin_threads
from amts_steps.settings import Settings, load_settings
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, TypeAdapter

# Once per cold start, before the first invocation: the stack sets the thread variables, and this limits any
# pool a library loaded before them (no configuration is read, so it is safe at import).
pin_threads()

logger = Logger(service=config.POWERTOOLS_SERVICE)
tracer = Tracer(service=config.POWERTOOLS_SERVICE)
metrics = Metrics(namespace=config.POWERTOOLS_METRICS_NAMESPACE, service=config.POWERTOOLS_SERVICE)

Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]
RequestT = TypeVar("RequestT")


@functools.cache
def settings() -> Settings:
    """The configuration, read from the environment on first use (not at import, so tests can set it)."""
    return load_settings(os.environ)


@functools.cache
def client(service: str) -> Any:
    """One boto3 client per service and cold start."""
    return boto3.client(service)


def reset() -> None:
    """Forget the cached settings and clients (a new cold start; used by tests and the local runtime)."""
    settings.cache_clear()
    client.cache_clear()


class BookStorage(TypedDict):
    """The S3 client and the three buckets a pair step reads and writes (the steps' keyword arguments)."""

    s3_client: Any
    input_bucket: str
    work_bucket: str
    output_bucket: str


def book_storage() -> BookStorage:
    config = settings()
    return BookStorage(
        s3_client=client("s3"),
        input_bucket=config.input_bucket,
        work_bucket=config.work_bucket,
        output_bucket=config.output_bucket,
    )


def observed(correlation_id_path: str) -> Callable[[Handler], Handler]:
    """Every handler's Powertools stack: the context and correlation id in each log line, an X-Ray trace, and the
    metrics flushed once per invocation."""

    def decorate(handler: Handler) -> Handler:
        traced: Handler = tracer.capture_lambda_handler(metrics.log_metrics(handler))
        return logger.inject_lambda_context(correlation_id_path=correlation_id_path)(traced)

    return decorate


def step_handler(
    model: type[RequestT] | TypeAdapter[RequestT], *, correlation_id_path: str = "task.run_id"
) -> Callable[[Callable[[RequestT, Settings], BaseModel]], Handler]:
    """A state machine step's handler from its action: the event validated into ``model`` (a model, or an adapter
    for a union of requests), the action given it and the settings, and its result returned as JSON."""
    adapter = model if isinstance(model, TypeAdapter) else TypeAdapter(model)

    def decorate(action: Callable[[RequestT, Settings], BaseModel]) -> Handler:
        @observed(correlation_id_path)
        def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
            return action(adapter.validate_python(event), settings()).model_dump(mode="json")

        return handler

    return decorate
