"""What every handler shares: Powertools objects, and settings and clients built once per cold start."""

from __future__ import annotations

import functools
import os
from typing import Any

import boto3
from amts import config
from amts.threads import pin_threads
from amts_steps.settings import Settings, load_settings
from aws_lambda_powertools import Logger, Metrics, Tracer

# Once per cold start, before the first invocation: the stack sets the thread variables, and this limits any
# pool a library loaded before them (no configuration is read, so it is safe at import).
pin_threads()

logger = Logger(service=config.POWERTOOLS_SERVICE)
tracer = Tracer(service=config.POWERTOOLS_SERVICE)
metrics = Metrics(namespace=config.POWERTOOLS_METRICS_NAMESPACE, service=config.POWERTOOLS_SERVICE)


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
