"""The stand-in's state and shared parts: errors, simulated clock, resource records, request checks."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from amts.translate.parallel_data import ParallelRow
from amts.translate.rules import (
    CLIENT_TOKEN,
    RESOURCE_NAME,
    parse_s3_uri,
)
from botocore.exceptions import ClientError

from amts_local.engines.chain import (
    ApertiumEngine,
)

_Resource = TypeVar("_Resource")
STAND_IN_NAME = "AMTS offline stand-in for Amazon Translate"  # how its outputs name it
ACTIVE_JOB_STATES = frozenset({"SUBMITTED", "IN_PROGRESS", "STOP_REQUESTED"})
_STATUS_OF_ERROR = {
    "TooManyRequestsException": 429,
    "ConcurrentModificationException": 409,
    "ConflictException": 409,
    "ResourceNotFoundException": 404,
    "InternalServerException": 500,
    "ServiceUnavailableException": 503,
}


class ServiceError(Exception):
    """An error the service answers with: botocore turns it into the modelled exception class."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = _STATUS_OF_ERROR.get(code, 400)

    def response(self) -> dict[str, Any]:
        return {
            "Error": {"Code": self.code, "Message": self.message},
            "Message": self.message,
            "ResponseMetadata": {
                "RequestId": str(uuid.uuid4()),
                "HTTPStatusCode": self.status,
                "HTTPHeaders": {"x-amts-standin": "true"},
            },
        }


class SimulatedClock:
    """The stand-in's time: moves only when advanced, or by ``tick_per_call`` seconds on every API call."""

    def __init__(self, start: datetime | None = None, *, tick_per_call: float = 0.0) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)
        self.tick_per_call = tick_per_call

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)

    def tick(self) -> None:
        if self.tick_per_call:
            self.advance(self.tick_per_call)


FIRST_DOCUMENT = "*first*"  # for finish_next_job_with_errors: the job's first document (by name), whatever it is


@dataclass
class Faults:
    """Failures to inject; each entry is consumed by the next matching call or job."""

    throttles: list[str | None] = field(default_factory=list)  # operation names (None = any operation)
    job_failures: list[str] = field(default_factory=list)
    job_document_errors: list[tuple[str, ...]] = field(default_factory=list)
    parallel_data_failures: list[str] = field(default_factory=list)


@dataclass
class _ParallelData:
    name: str
    arn: str
    description: str | None
    config: dict[str, str]
    created_at: datetime
    client_token: str
    status: str = "CREATING"
    ready_at: datetime | None = None
    rows: list[ParallelRow] = field(default_factory=list)
    source_language: str = ""
    target_languages: tuple[str, ...] = ()
    message: str | None = None
    counts: tuple[int, int, int, int] = (0, 0, 0, 0)  # imported size, imported, failed, skipped
    auxiliary: dict[str, Any] | None = None
    data: bytes = b""
    last_updated_at: datetime | None = None
    # An update in flight or finished: (status, at, ready_at, outcome)
    update_status: str | None = None
    update_at: datetime | None = None
    update_ready_at: datetime | None = None
    update_outcome: dict[str, Any] | None = None
    update_auxiliary: dict[str, Any] | None = None
    delete_at: datetime | None = None


@dataclass
class _Terminology:
    properties: dict[str, Any]
    rows: list[tuple[str, ...]]
    languages: list[str]
    data: bytes
    fmt: str
    auxiliary: dict[str, Any] | None


@dataclass
class _Job:
    job_id: str
    request: dict[str, Any]
    submitted_at: datetime
    region: str
    status: str = "SUBMITTED"
    started_at: datetime | None = None
    duration: float = 0.0
    end_at: datetime | None = None
    end_time: datetime | None = None
    stop_at: datetime | None = None
    message: str | None = None
    details: dict[str, int] = field(default_factory=dict)
    fail_message: str | None = None
    error_documents: tuple[str, ...] = ()
    output_uri: str = ""


def _data_location(payload: bytes, mime: str = "text/plain") -> dict[str, str]:
    """A self-contained location (``urllib`` opens ``data:`` URLs), standing in for a presigned S3 URL."""
    return {"RepositoryType": "S3", "Location": f"data:{mime};base64,{base64.b64encode(payload).decode()}"}


def _json_location(value: Any) -> dict[str, str]:
    """An auxiliary-data location: ``value`` as a JSON document."""
    return _data_location(json.dumps(value).encode(), "application/json")


def _page(
    items: list[Any], params: dict[str, Any], key: str, *, bad_token_error: str = "InvalidParameterValueException"
) -> dict[str, Any]:
    """One page of a List call's answer: ``{key: items}``, with a ``NextToken`` while more are left."""
    token = params.get("NextToken")
    start = 0
    if token:
        try:
            start = int(base64.b64decode(token).decode())
        except ValueError:
            raise ServiceError(bad_token_error, "The NextToken is not valid.") from None
    size = int(params.get("MaxResults") or 100)
    body: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        body["NextToken"] = base64.b64encode(str(start + size).encode()).decode()
    return body


class StandInCore:
    """The service's state (resources, jobs, clock, faults) and the request checks every operation shares."""

    OPERATIONS = (
        "CreateParallelData",
        "UpdateParallelData",
        "GetParallelData",
        "ListParallelData",
        "DeleteParallelData",
        "ImportTerminology",
        "GetTerminology",
        "ListTerminologies",
        "StartTextTranslationJob",
        "DescribeTextTranslationJob",
        "ListTextTranslationJobs",
        "StopTextTranslationJob",
        "TranslateText",
    )

    def __init__(
        self,
        s3_client: Any,
        *,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        clock: SimulatedClock | None = None,
        queue_seconds: float = 10.0,
        job_seconds: float = 120.0,
        stop_seconds: float = 30.0,
        parallel_data_seconds: float = 60.0,
        delete_seconds: float = 10.0,
        max_concurrent_jobs: int = 10,
        max_queued_jobs: int = 1000,
        reject_over_concurrency: bool = False,
        fuzzy_threshold: float = 0.85,
        use_apertium: bool = True,
        apertium: ApertiumEngine | None = None,
    ) -> None:
        self.s3 = s3_client
        self.region = region
        self.account_id = account_id
        self.clock = clock or SimulatedClock()
        self.queue_seconds = queue_seconds
        self.job_seconds = job_seconds
        self.stop_seconds = stop_seconds
        self.parallel_data_seconds = parallel_data_seconds
        self.delete_seconds = delete_seconds
        self.max_concurrent_jobs = max_concurrent_jobs
        self.max_queued_jobs = max_queued_jobs
        self.reject_over_concurrency = reject_over_concurrency
        self.fuzzy_threshold = fuzzy_threshold
        self.apertium = (apertium or ApertiumEngine()) if use_apertium else None
        self.faults = Faults()
        self.calls: list[tuple[str, dict[str, Any]]] = []  # every request received, for tests
        self._parallel_data: dict[str, _ParallelData] = {}
        self._terminologies: dict[str, _Terminology] = {}
        self._jobs: dict[str, _Job] = {}
        self._job_tokens: dict[str, str] = {}
        self._slot_free_at = self.clock.now()
        self._lock = threading.RLock()

    # ---------------------------------------------------------------------------------------------- validation

    @staticmethod
    def _check_name(name: str, what: str = "Name") -> None:
        if not RESOURCE_NAME.match(name or ""):
            raise ServiceError(
                "InvalidParameterValueException",
                f"Value '{name}' at '{what.lower()}' failed to satisfy constraint: "
                "Member must satisfy regular expression pattern: ^([A-Za-z0-9-]_?)+$",
            )

    @staticmethod
    def _found(resource: _Resource | None, what: str, name: str) -> _Resource:
        """The resource a request names; ResourceNotFoundException, worded as Translate words it, when there is none."""
        if resource is None:
            raise ServiceError("ResourceNotFoundException", f"The {what} {name} does not exist.")
        return resource

    def _parallel_data_named(self, name: str, *, deleting: bool = False) -> _ParallelData:
        """A parallel data resource; one being deleted is found only with ``deleting`` (GetParallelData still shows it
        with its status; every other operation already treats it as gone)."""
        pd = self._parallel_data.get(name)
        if pd is not None and pd.delete_at is not None and not deleting:
            pd = None
        return self._found(pd, "parallel data resource", name)

    @staticmethod
    def _check_token(token: str) -> None:
        if not CLIENT_TOKEN.match(token or ""):
            raise ServiceError(
                "InvalidParameterValueException",
                "Value at 'clientToken' failed to satisfy constraint: Member must satisfy regular expression "
                "pattern: ^[a-zA-Z0-9-]+$",
            )

    def _split_s3(self, uri: str, region: str, what: str) -> tuple[str, str]:
        parsed = parse_s3_uri(uri or "")
        if parsed is None:
            raise ServiceError("InvalidParameterValueException", f"The {what} S3 URI {uri!r} is not valid.")
        bucket, key = parsed
        try:
            location = self.s3.get_bucket_location(Bucket=bucket).get("LocationConstraint") or "us-east-1"
        except ClientError:
            raise ServiceError("InvalidRequestException", f"The {what} bucket {bucket!r} does not exist.") from None
        if location != region:
            raise ServiceError(
                "InvalidRequestException",
                f"The {what} bucket {bucket!r} is in {location}; it must be in the same region as the "
                f"Amazon Translate endpoint ({region}).",
            )
        return bucket, key
