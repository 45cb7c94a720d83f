"""Amazon Translate for the local runtime: the project's stand-in, served through the runtime's dispatcher.

The stand-in (``amts_local.standin``) answers each call; the runtime's one ``before-call`` hook routes
Translate calls to it, so every call is also recorded for the least-privilege check. The stand-in reads job
inputs and writes job outputs with an S3 client wrapped here so those calls count as the Translate
data-access role's, the role a real job runs with. Parallel-data files are read with the caller's identity
(CreateParallelData has no role parameter), so they stay attributed to the caller.
"""

from __future__ import annotations

import base64
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.awsrequest import AWSResponse

from amts_local.awscalls import TRANSLATE_ROLE_PRINCIPAL, acting_as
from amts_local.standin import ServiceError, SimulatedClock, TranslateStandIn

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


SERVICE_BUCKET_SUFFIX = "translate-service"  # where the local "service" keeps files it hands out by URL
_INLINE_URL_LIMIT = 2048


class _Locations:
    """Turns the stand-in's self-contained ``data:`` locations into presigned S3 URLs, as the service returns.

    ``GetParallelData`` answers with a presigned URL (30-minute expiry) to the imported file; the stand-in inlines
    the whole file as a ``data:`` URL, which for a book's parallel data exceeds Step Functions' 256 KiB task result
    limit. The file is put in a service-owned bucket and a presigned URL to it is returned instead.
    """

    def __init__(self, s3_client: Any, bucket: str) -> None:
        self.s3, self.bucket, self.created = s3_client, bucket, False

    def rewrite(self, value: Any, path: str = "") -> Any:
        if isinstance(value, dict):
            return {key: self.rewrite(item, f"{path}/{key}") for key, item in value.items()}
        if isinstance(value, str) and value.startswith("data:") and len(value) > _INLINE_URL_LIMIT:
            return self._presigned(value, path)
        return value

    def _presigned(self, url: str, path: str) -> str:
        header, _, payload = url.partition(",")
        data = base64.b64decode(payload) if header.endswith(";base64") else payload.encode("utf-8")
        key = f"{uuid.uuid4().hex}{path}"
        with acting_as(TRANSLATE_SERVICE_PRINCIPAL):
            if not self.created:
                self.s3.create_bucket(Bucket=self.bucket)
                self.created = True
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=data)
            presigned: str = self.s3.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=1800
            )
        return presigned


def translate_hook(
    standin: TranslateStandIn, *, s3_client: Any | None = None, service_bucket: str | None = None
) -> Callable[[str, str, dict[str, Any]], Any]:
    """A runtime service hook: Translate calls answered by ``standin`` (errors as the modelled exceptions)."""
    locations = _Locations(s3_client, service_bucket) if s3_client is not None and service_bucket else None

    def answer(service: str, operation: str, params: dict[str, Any]) -> Any:
        if service != "translate":
            return None
        url = f"https://translate.{standin.region}.amazonaws.com/"
        try:
            body = standin.call(operation, params)
            status = 200
            if locations is not None:
                body = locations.rewrite(body)
        except ServiceError as exc:
            body, status = exc.response(), exc.status
        # Every AWS response carries a request id; Step Functions quotes it in a failed task's cause.
        body.setdefault("ResponseMetadata", {}).setdefault("RequestId", str(uuid.uuid4()))
        body["ResponseMetadata"].setdefault("HTTPStatusCode", status)
        return AWSResponse(url, status, {}, None), body

    return answer
