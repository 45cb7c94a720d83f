"""Amazon Translate for the local runtime: the project's stand-in, served through the runtime's dispatcher.

The stand-in (``amts.translate.standin``) answers each call; the runtime's one ``before-call`` hook routes
Translate calls to it, so every call is also recorded for the least-privilege check. The stand-in reads job
inputs and writes job outputs with an S3 client wrapped here so those calls count as the Translate
data-access role's, the role a real job runs with. Parallel-data files are read with the caller's identity
(CreateParallelData has no role parameter), so they stay attributed to the caller.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.awsrequest import AWSResponse

from amts.local.awscalls import TRANSLATE_ROLE_PRINCIPAL, acting_as
from amts.translate.standin import ServiceError, SimulatedClock, TranslateStandIn

TRANSLATE_SERVICE_PRINCIPAL = "translate-service"  # the service's own checks: no customer role involved
_state = threading.local()


class _DataAccessS3:
    """An S3 client whose calls are made as the Translate data-access role (outside a parallel-data import)."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute) or name in ("get_paginator",):
            return _paginator_proxy(attribute) if name == "get_paginator" else attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            if getattr(_state, "caller_reads", False):
                return attribute(*args, **kwargs)
            # The stand-in checks a bucket's region the way the service does on its own side; that is not a
            # request made with the data-access role, whose documented grants are Get/Put/ListBucket only.
            principal = TRANSLATE_SERVICE_PRINCIPAL if name == "get_bucket_location" else TRANSLATE_ROLE_PRINCIPAL
            with acting_as(principal):
                return attribute(*args, **kwargs)

        return call


def _paginator_proxy(get_paginator: Callable[[str], Any]) -> Callable[[str], Any]:
    def make(name: str) -> Any:
        paginator = get_paginator(name)

        class _Paginator:
            def paginate(self, **kwargs: Any) -> Iterator[Any]:
                pages = iter(paginator.paginate(**kwargs))
                while True:
                    if getattr(_state, "caller_reads", False):
                        page = next(pages, None)
                    else:
                        with acting_as(TRANSLATE_ROLE_PRINCIPAL):
                            page = next(pages, None)
                    if page is None:
                        return
                    yield page

        return _Paginator()

    return make


@contextmanager
def _caller_reads(enabled: bool) -> Iterator[None]:
    previous = getattr(_state, "caller_reads", False)
    _state.caller_reads = enabled
    try:
        yield
    finally:
        _state.caller_reads = previous


def make_standin(s3_client: Any, *, region: str, account: str) -> TranslateStandIn:
    """A stand-in tuned for a local run: jobs and imports finish after a few status polls, not minutes."""
    standin = TranslateStandIn(
        _DataAccessS3(s3_client),
        region=region,
        account_id=account,
        clock=SimulatedClock(tick_per_call=1.0),
        queue_seconds=0.0,
        job_seconds=2.0,
        stop_seconds=1.0,
        parallel_data_seconds=2.0,
        delete_seconds=1.0,
    )
    read_file = standin._read_parallel_data_file

    def read_as_caller(bucket: str, key: str) -> bytes | None:
        with _caller_reads(True):
            return read_file(bucket, key)

    standin._read_parallel_data_file = read_as_caller  # type: ignore[method-assign]
    return standin


def translate_hook(standin: TranslateStandIn) -> Callable[[str, str, dict[str, Any]], Any]:
    """A runtime service hook: Translate calls answered by ``standin`` (errors as the modelled exceptions)."""

    def answer(service: str, operation: str, params: dict[str, Any]) -> Any:
        if service != "translate":
            return None
        url = f"https://translate.{standin.region}.amazonaws.com/"
        try:
            body = standin.call(operation, params)
            status = 200
        except ServiceError as exc:
            body, status = exc.response(), exc.status
        # Every AWS response carries a request id; Step Functions quotes it in a failed task's cause.
        body.setdefault("ResponseMetadata", {}).setdefault("RequestId", str(uuid.uuid4()))
        body["ResponseMetadata"].setdefault("HTTPStatusCode", status)
        return AWSResponse(url, status, {}, None), body

    return answer
