"""An in-process Amazon Translate for tests and the local runtime (moto has no Translate).

``TranslateStandIn`` implements the parallel data, terminology, batch job and TranslateText operations with
the request/response shapes of botocore's ``translate`` model, the service's validation and error names,
jobs that move through their statuses over simulated time, and S3 input/output (moto in tests) in the real
layout, auxiliary details file included. ``install()`` hooks it into boto3 through botocore's
``before-parameter-build`` and ``before-call`` events, so unchanged client code talks to it:

    standin = TranslateStandIn(s3_client)
    with standin.installed():            # the default boto3 session (moto's Step Functions uses it too)
        boto3.client("translate").translate_text(...)

Hooks must be installed before a client is created: botocore copies a session's event handlers into each
new client. Calls short-circuited this way skip botocore's retry handler, so throttling reaches the caller.

Every output names its engine: ``x-amts-engine`` in TranslateText's response metadata headers, and an
``engine`` field (the neutral one of ``amts.translate.job_outputs``: per file, per document, per segment) in each
auxiliary details file.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import hashlib
import json
import re
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath
from typing import Any

import boto3
import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from amts.errors import InputError
from amts.languages import TRANSLATE_LANGUAGES
from amts.translate.engines import (
    ApertiumEngine,
    EngineChain,
    TranslationMemoryEngine,
    standin_chain,
    translate_document,
)
from amts.translate.job_outputs import engine_field
from amts.translate.markup import parse_document, render_parts
from amts.translate.parallel_data import ParallelRow, parse_parallel_data, write_delimited, write_tmx
from amts.translate.rules import (
    CLIENT_TOKEN,
    CONTENT_TYPES,
    JOB_NAME,
    MAX_DOCUMENT_BYTES,
    MAX_TRANSLATE_TEXT_BYTES,
    RESOURCE_NAME,
    ROLE_ARN,
    parse_s3_uri,
)
from amts.translate.terminology import MAX_TERM_BYTES, parse_terminology_file

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
_HOOK_ID = "amts-translate-standin"


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


class TranslateStandIn:
    """Amazon Translate, offline. ``s3_client`` reads inputs and writes outputs (moto in tests)."""

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
        self.unmodelled_errors: list[tuple[str, str]] = []  # (operation, error code) not in botocore's model
        self._parallel_data: dict[str, _ParallelData] = {}
        self._terminologies: dict[str, _Terminology] = {}
        self._jobs: dict[str, _Job] = {}
        self._job_tokens: dict[str, str] = {}
        self._slot_free_at = self.clock.now()
        self._lock = threading.RLock()
        self._installed: list[Any] = []

    # ---------------------------------------------------------------------------------------------- faults

    def throttle(self, count: int = 1, operation: str | None = None) -> None:
        """The next ``count`` calls (of ``operation``, or of any operation) fail with TooManyRequestsException."""
        self.faults.throttles.extend([operation] * count)

    def fail_next_job(self, message: str = "Injected failure: the job could not be processed.") -> None:
        self.faults.job_failures.append(message)

    def finish_next_job_with_errors(self, documents: Sequence[str]) -> None:
        """The next job ends COMPLETED_WITH_ERROR; ``documents`` (names relative to the input prefix) fail."""
        self.faults.job_document_errors.append(tuple(documents))

    def fail_next_parallel_data(self, message: str = "Injected failure: the parallel data file was refused.") -> None:
        self.faults.parallel_data_failures.append(message)

    def slow_jobs(self, seconds: float) -> None:
        """Jobs started from now on stay IN_PROGRESS for ``seconds`` of simulated time."""
        self.job_seconds = seconds

    # ---------------------------------------------------------------------------------------------- boto3 hooks

    def install(self, *targets: Any) -> None:
        """Hook into boto3: a ``boto3.Session``, a botocore session, a client, or (none given) the default session."""
        if not targets:
            if boto3.DEFAULT_SESSION is None:
                boto3.setup_default_session()
            targets = (boto3.DEFAULT_SESSION,)
        for target in targets:
            events = self._events_of(target)
            events.register("before-parameter-build.translate", self._capture_params, unique_id=f"{_HOOK_ID}-params")
            events.register("before-call.translate", self._answer_call, unique_id=f"{_HOOK_ID}-call")
            self._installed.append(events)

    def uninstall(self) -> None:
        for events in self._installed:
            events.unregister("before-parameter-build.translate", unique_id=f"{_HOOK_ID}-params")
            events.unregister("before-call.translate", unique_id=f"{_HOOK_ID}-call")
        self._installed.clear()

    @contextlib.contextmanager
    def installed(self, *targets: Any) -> Iterator[TranslateStandIn]:
        self.install(*targets)
        try:
            yield self
        finally:
            self.uninstall()

    @staticmethod
    def _events_of(target: Any) -> Any:
        if isinstance(target, boto3.Session):
            return target._session.get_component("event_emitter")
        if isinstance(target, botocore.session.Session):
            return target.get_component("event_emitter")
        if hasattr(target, "meta") and hasattr(target.meta, "events"):
            return target.meta.events
        raise TypeError(f"cannot install the Translate stand-in on {target!r}")

    @staticmethod
    def _capture_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        # The same dict is filled in later (idempotency tokens), so keep the reference, not a copy.
        context["amts_translate_params"] = params

    def _answer_call(self, model: Any, context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        params = context.get("amts_translate_params", {})
        region = context.get("client_region") or self.region
        url = f"https://translate.{region}.amazonaws.com/"
        try:
            body = self.call(model.name, params, region=region)
        except ServiceError as exc:
            if exc.code not in {shape.name for shape in model.error_shapes}:
                self.unmodelled_errors.append((model.name, exc.code))  # a stand-in bug: tests check this stays empty
            return AWSResponse(url, exc.status, {}, None), exc.response()
        return AWSResponse(url, 200, {}, None), body

    # ---------------------------------------------------------------------------------------------- dispatch

    def call(self, operation: str, params: dict[str, Any], *, region: str | None = None) -> dict[str, Any]:
        """Answer one API call (the hook's entry point); raises ``ServiceError``."""
        with self._lock:
            self.clock.tick()
            self.calls.append((operation, copy.deepcopy(params)))
            for k, wanted in enumerate(self.faults.throttles):
                if wanted is None or wanted == operation:
                    del self.faults.throttles[k]
                    raise ServiceError("TooManyRequestsException", "You have made too many requests. Slow down.")
            if operation not in self.OPERATIONS:
                raise ServiceError("InvalidRequestException", f"The stand-in does not implement {operation}.")
            self._refresh()
            handler: Callable[[dict[str, Any], str], dict[str, Any]] = getattr(self, "_op_" + _snake(operation))
            body = handler(params, region or self.region)
            metadata = body.setdefault("ResponseMetadata", {"HTTPStatusCode": 200, "HTTPHeaders": {}})
            metadata.setdefault("RequestId", str(uuid.uuid4()))
            metadata.setdefault("HTTPHeaders", {})["x-amts-standin"] = "true"
            return body

    def client_error(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """``call`` for code that does not go through boto3: errors raised as botocore ``ClientError``."""
        try:
            return self.call(operation, params)
        except ServiceError as exc:
            raise ClientError(exc.response(), operation) from None

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

    # ---------------------------------------------------------------------------------------------- time

    def _refresh(self) -> None:
        now = self.clock.now()
        for name, pd in list(self._parallel_data.items()):
            if pd.status == "CREATING" and pd.ready_at and pd.ready_at <= now:
                pd.status = "FAILED" if pd.message else "ACTIVE"
                pd.last_updated_at = pd.ready_at
            if pd.update_status == "UPDATING" and pd.update_ready_at and pd.update_ready_at <= now:
                outcome = pd.update_outcome or {}
                if outcome.get("message"):
                    pd.update_status = "FAILED"
                    pd.update_auxiliary = outcome.get("auxiliary")
                else:
                    pd.update_status = "ACTIVE"
                    pd.status = "ACTIVE"
                    pd.message = None
                    pd.rows = outcome["rows"]
                    pd.source_language = outcome["source"]
                    pd.target_languages = outcome["targets"]
                    pd.counts = outcome["counts"]
                    pd.data = outcome["data"]
                    pd.config = outcome["config"]
                    pd.auxiliary = outcome.get("auxiliary")
                    pd.update_auxiliary = outcome.get("auxiliary")
                    pd.last_updated_at = pd.update_ready_at
                    if outcome.get("description") is not None:
                        pd.description = outcome["description"]
            if pd.delete_at and pd.delete_at <= now:
                del self._parallel_data[name]
        self._advance_jobs(now)

    def _advance_jobs(self, now: datetime) -> None:
        while True:
            running = [j for j in self._jobs.values() if j.started_at is not None and j.end_time is None]
            queued = [j for j in self._jobs.values() if j.started_at is None and j.end_time is None]
            if queued and len(running) < self.max_concurrent_jobs:
                job = min(queued, key=lambda j: j.submitted_at)
                job.started_at = max(job.submitted_at, self._slot_free_at)
                job.end_at = job.started_at + timedelta(seconds=self.queue_seconds + job.duration)
                continue
            due = [j for j in running if self._finish_time(j) <= now]
            if not due:
                break
            job = min(due, key=self._finish_time)
            self._finish(job)
            self._slot_free_at = max(self._slot_free_at, job.end_time or now)
        for job in self._jobs.values():
            if job.end_time is not None or job.status == "STOP_REQUESTED":
                continue
            if job.started_at is not None and now >= job.started_at + timedelta(seconds=self.queue_seconds):
                job.status = "IN_PROGRESS"

    def _finish_time(self, job: _Job) -> datetime:
        assert job.end_at is not None
        if job.stop_at is not None:
            return min(job.end_at, job.stop_at)
        return job.end_at

    # ---------------------------------------------------------------------------------------------- parallel data

    def _pd_arn(self, name: str, region: str) -> str:
        return f"arn:aws:translate:{region}:{self.account_id}:parallel-data/{name}"

    def _import_parallel_data(self, config: dict[str, str], region: str) -> dict[str, Any]:
        """Read and check the file now; the outcome is revealed when the simulated import ends."""
        fmt = config.get("Format", "")
        if fmt not in ("TSV", "CSV", "TMX"):
            raise ServiceError("InvalidParameterValueException", f"The parallel data format {fmt!r} is not valid.")
        bucket, key = self._split_s3(config.get("S3Uri", ""), region, "parallel data")
        outcome: dict[str, Any] = {"config": dict(config)}
        injected = self.faults.parallel_data_failures.pop(0) if self.faults.parallel_data_failures else None
        data = self._read_parallel_data_file(bucket, key)
        if data is None:
            outcome["message"] = f"Amazon Translate could not read the parallel data file at {config['S3Uri']}."
            return outcome
        parsed = parse_parallel_data(data, fmt=fmt, name=key)
        errors = [p for p in parsed.problems if p.severity == "error"]
        skipped = [p for p in parsed.problems if p.severity == "warning" and "skipped" in p.message]
        outcome["auxiliary"] = {
            "summary": {"record_error_count": len(errors), "record_skipped_count": len(skipped)},
            "messages": [{"content": f"Line {p.line}", "message": p.message} for p in errors + skipped],
        }
        bad_languages = [
            lang for lang in (parsed.source_language, *parsed.target_languages) if lang not in TRANSLATE_LANGUAGES
        ]
        if injected:
            outcome["message"] = injected
        elif parsed.fatal or bad_languages:
            first = next((p for p in errors), None)
            detail = f" (line {first.line}: {first.message})" if first else ""
            outcome["message"] = f"The parallel data file is not valid{detail}. See the auxiliary data for details."
        else:
            outcome.update(
                rows=[row for _, row in parsed.records],
                source=parsed.source_language,
                targets=parsed.target_languages,
                counts=(
                    sum(len(r.src) + sum(len(t) for t in r.tgts) for _, r in parsed.records),
                    len(parsed.records),
                    len(errors),
                    len(skipped),
                ),
                data=data,
            )
        return outcome

    def _read_parallel_data_file(self, bucket: str, key: str) -> bytes | None:
        try:
            return bytes(self.s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        except ClientError:
            pass
        listing = self.s3.list_objects_v2(Bucket=bucket, Prefix=key.rstrip("/") + "/" if key else "")
        files = [o["Key"] for o in listing.get("Contents", []) if not o["Key"].endswith("/")]
        if len(files) == 1:
            return bytes(self.s3.get_object(Bucket=bucket, Key=files[0])["Body"].read())
        return None

    def _import_busy(self, except_name: str | None = None) -> None:
        """One concurrent create-or-update per account (service quota)."""
        for pd in self._parallel_data.values():
            if pd.status == "CREATING" or pd.update_status == "UPDATING":
                if pd.name == except_name:
                    raise ServiceError(
                        "ConcurrentModificationException",
                        "Another modification is being made. That modification must complete before you can make "
                        "your change.",
                    )
                raise ServiceError(
                    "LimitExceededException",
                    f"The limit of 1 concurrent parallel data create or update operation is reached "
                    f"({pd.name} is still importing).",
                )

    def _op_create_parallel_data(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        name = params.get("Name", "")
        self._check_name(name)
        self._check_token(params.get("ClientToken", ""))
        existing = self._parallel_data.get(name)
        if existing is not None:
            if existing.client_token == params["ClientToken"] and existing.config == params["ParallelDataConfig"]:
                return {"Name": name, "Status": existing.status}  # an idempotent retry
            raise ServiceError("ConflictException", f"A parallel data resource named {name} already exists.")
        if len(self._parallel_data) >= 1000:
            raise ServiceError("LimitExceededException", "The limit of 1000 parallel data resources is reached.")
        self._import_busy()
        outcome = self._import_parallel_data(params["ParallelDataConfig"], region)
        now = self.clock.now()
        pd = _ParallelData(
            name=name,
            arn=self._pd_arn(name, region),
            description=params.get("Description"),
            config=dict(params["ParallelDataConfig"]),
            created_at=now,
            client_token=params["ClientToken"],
            ready_at=now + timedelta(seconds=self.parallel_data_seconds),
            message=outcome.get("message"),
            auxiliary=outcome.get("auxiliary"),
        )
        if not pd.message:
            pd.rows = outcome["rows"]
            pd.source_language = outcome["source"]
            pd.target_languages = outcome["targets"]
            pd.counts = outcome["counts"]
            pd.data = outcome["data"]
        self._parallel_data[name] = pd
        return {"Name": name, "Status": "CREATING"}

    def _op_update_parallel_data(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        name = params.get("Name", "")
        self._check_name(name)
        self._check_token(params.get("ClientToken", ""))
        pd = self._parallel_data.get(name)
        if pd is None or pd.delete_at is not None:
            raise ServiceError("ResourceNotFoundException", f"The parallel data resource {name} does not exist.")
        if pd.status not in ("ACTIVE", "FAILED"):
            raise ServiceError(
                "ConcurrentModificationException",
                f"The parallel data resource {name} is {pd.status}; an update is accepted only when it is ACTIVE "
                "or FAILED.",
            )
        self._import_busy(except_name=name)
        outcome = self._import_parallel_data(params["ParallelDataConfig"], region)
        outcome["description"] = params.get("Description")
        now = self.clock.now()
        pd.update_status = "UPDATING"
        pd.update_at = now
        pd.update_ready_at = now + timedelta(seconds=self.parallel_data_seconds)
        pd.update_outcome = outcome
        return {
            "Name": name,
            "Status": pd.status,
            "LatestUpdateAttemptStatus": "UPDATING",
            "LatestUpdateAttemptAt": now,
        }

    def _pd_properties(self, pd: _ParallelData) -> dict[str, Any]:
        props: dict[str, Any] = {
            "Name": pd.name,
            "Arn": pd.arn,
            "Status": "DELETING" if pd.delete_at else pd.status,
            "ParallelDataConfig": dict(pd.config),
            "ImportedDataSize": pd.counts[0],
            "ImportedRecordCount": pd.counts[1],
            "FailedRecordCount": pd.counts[2],
            "SkippedRecordCount": pd.counts[3],
            "CreatedAt": pd.created_at,
        }
        if pd.description is not None:
            props["Description"] = pd.description
        if pd.source_language:
            props["SourceLanguageCode"] = pd.source_language
            props["TargetLanguageCodes"] = list(pd.target_languages)
        if pd.status == "FAILED" and pd.message:
            props["Message"] = pd.message
        if pd.update_status:
            props["LatestUpdateAttemptStatus"] = pd.update_status
            props["LatestUpdateAttemptAt"] = pd.update_at
            if pd.update_status == "FAILED" and pd.update_outcome and pd.update_outcome.get("message"):
                props["Message"] = pd.update_outcome["message"]
        if pd.last_updated_at:
            props["LastUpdatedAt"] = pd.last_updated_at
        return props

    def _op_get_parallel_data(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        name = params.get("Name", "")
        self._check_name(name)
        pd = self._parallel_data.get(name)
        if pd is None:
            raise ServiceError("ResourceNotFoundException", f"The parallel data resource {name} does not exist.")
        body: dict[str, Any] = {"ParallelDataProperties": self._pd_properties(pd)}
        if pd.status == "ACTIVE" and pd.data:
            body["DataLocation"] = _data_location(pd.data)
        if pd.auxiliary is not None and pd.status != "CREATING":
            body["AuxiliaryDataLocation"] = _json_location(pd.auxiliary)
        if pd.update_status in ("ACTIVE", "FAILED") and pd.update_outcome and pd.update_outcome.get("auxiliary"):
            body["LatestUpdateAttemptAuxiliaryDataLocation"] = _json_location(pd.update_outcome["auxiliary"])
        return body

    def _op_list_parallel_data(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        items = [self._pd_properties(pd) for pd in sorted(self._parallel_data.values(), key=lambda p: p.created_at)]
        return _page(items, params, "ParallelDataPropertiesList")

    def _op_delete_parallel_data(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        name = params.get("Name", "")
        pd = self._parallel_data.get(name)
        if pd is None or pd.delete_at is not None:
            raise ServiceError("ResourceNotFoundException", f"The parallel data resource {name} does not exist.")
        if pd.status == "CREATING" or pd.update_status == "UPDATING":
            raise ServiceError("ConcurrentModificationException", f"The parallel data resource {name} is importing.")
        pd.delete_at = self.clock.now() + timedelta(seconds=self.delete_seconds)
        return {"Name": name, "Status": "DELETING"}

    # ---------------------------------------------------------------------------------------------- terminology

    def _op_import_terminology(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        name = params.get("Name", "")
        self._check_name(name)
        if params.get("MergeStrategy") != "OVERWRITE":
            raise ServiceError("InvalidParameterValueException", "The only supported merge strategy is OVERWRITE.")
        data_spec = params.get("TerminologyData", {})
        raw = data_spec.get("File", b"")
        data = raw.encode() if isinstance(raw, str) else bytes(raw)
        fmt = data_spec.get("Format", "")
        if name not in self._terminologies and len(self._terminologies) >= 100:
            raise ServiceError("LimitExceededException", "The limit of 100 terminologies is reached.")
        try:
            if fmt == "TMX":
                parsed = parse_parallel_data(data, fmt="TMX", name=name)
                if parsed.fatal:
                    raise InputError(parsed.problems[0].message if parsed.problems else "not a valid TMX file")
                languages = [parsed.source_language, *parsed.target_languages]
                rows = [(r.src, *r.tgts) for _, r in parsed.records]
            else:
                languages, rows = parse_terminology_file(data, fmt)
        except (InputError, UnicodeDecodeError) as exc:
            raise ServiceError("InvalidParameterValueException", f"The terminology file is not valid: {exc}") from None
        bad = [lang for lang in languages if lang not in TRANSLATE_LANGUAGES]
        if len(languages) < 2 or bad:
            raise ServiceError(
                "InvalidParameterValueException",
                f"The terminology file's header must hold language codes; not valid: {bad or languages}",
            )
        if len(languages) > 11:
            raise ServiceError(
                "InvalidParameterValueException", "A terminology file holds at most 10 target languages."
            )
        kept = [r for r in rows if len(r) == len(languages) and all(len(c.encode()) <= MAX_TERM_BYTES for c in r)]
        now = self.clock.now()
        previous = self._terminologies.get(name)
        props: dict[str, Any] = {
            "Name": name,
            "Arn": f"arn:aws:translate:{region}:{self.account_id}:terminology/{name}/LATEST",
            "SourceLanguageCode": languages[0],
            "TargetLanguageCodes": languages[1:],
            "SizeBytes": len(data),
            "TermCount": len(kept),
            "CreatedAt": previous.properties["CreatedAt"] if previous else now,
            "LastUpdatedAt": now,
            "Directionality": data_spec.get("Directionality", "UNI"),
            "SkippedTermCount": len(rows) - len(kept),
            "Format": fmt,
        }
        if params.get("Description") is not None:
            props["Description"] = params["Description"]
        auxiliary = None
        if len(rows) != len(kept):
            auxiliary = {"skippedTerms": [list(r) for r in rows if r not in kept]}
        self._terminologies[name] = _Terminology(props, kept, languages, data, fmt, auxiliary)
        body: dict[str, Any] = {"TerminologyProperties": dict(props)}
        if auxiliary:
            body["AuxiliaryDataLocation"] = _json_location(auxiliary)
        return body

    def _op_get_terminology(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        name = params.get("Name", "")
        self._check_name(name)
        term = self._terminologies.get(name)
        if term is None:
            raise ServiceError("ResourceNotFoundException", f"The terminology {name} does not exist.")
        fmt = params.get("TerminologyDataFormat") or term.fmt
        rows = [ParallelRow(r[0], tuple(r[1:])) for r in term.rows]
        if fmt == "TMX":
            data = write_tmx(rows, term.languages[0], term.languages[1:])
        else:
            data = write_delimited(rows, term.languages[0], term.languages[1:], fmt)
        body: dict[str, Any] = {
            "TerminologyProperties": dict(term.properties),
            "TerminologyDataLocation": _data_location(data),
        }
        if term.auxiliary:
            body["AuxiliaryDataLocation"] = _json_location(term.auxiliary)
        return body

    def _op_list_terminologies(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        items = [dict(t.properties) for t in self._terminologies.values()]
        return _page(items, params, "TerminologyPropertiesList")

    def _terms_for(self, names: Sequence[str], src: str, tgt: str) -> tuple[str | None, list[tuple[str, str]]]:
        if not names:
            return None, []
        if len(names) > 1:
            raise ServiceError("InvalidRequestException", "Only one terminology can be applied per request.")
        term = self._terminologies.get(names[0])
        if term is None:
            raise ServiceError("ResourceNotFoundException", f"The terminology {names[0]} does not exist.")
        if term.languages[0] != src or tgt not in term.languages[1:]:
            return names[0], []  # a terminology for other languages is ignored, as by the service
        column = term.languages.index(tgt)
        return names[0], [(r[0], r[column]) for r in term.rows if r[0] and r[column]]

    # ---------------------------------------------------------------------------------------------- jobs

    def _op_start_text_translation_job(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        token = params.get("ClientToken", "")
        self._check_token(token)
        if token in self._job_tokens:
            job = self._jobs[self._job_tokens[token]]
            return {"JobId": job.job_id, "JobStatus": job.status}
        name = params.get("JobName")
        if name is not None and not JOB_NAME.match(name):
            raise ServiceError("InvalidParameterValueException", f"The job name {name!r} is not valid.")
        if not ROLE_ARN.match(params.get("DataAccessRoleArn", "")):
            raise ServiceError("InvalidParameterValueException", "The DataAccessRoleArn is not a valid IAM role ARN.")
        content_type = params["InputDataConfig"].get("ContentType", "")
        if content_type not in CONTENT_TYPES:
            raise ServiceError("InvalidParameterValueException", f"The content type {content_type!r} is not supported.")
        if (params.get("Settings") or {}).get("Brevity"):
            raise ServiceError("InvalidRequestException", "Brevity is not supported for batch translation jobs.")
        src = params.get("SourceLanguageCode", "")
        targets = list(params.get("TargetLanguageCodes", []))
        for lang in (src, *targets):
            if lang not in TRANSLATE_LANGUAGES and lang != "auto":
                raise ServiceError("UnsupportedLanguagePairException", f"The language code {lang!r} is not supported.")
        if len(targets) > 10 or len(set(targets)) != len(targets):
            raise ServiceError("InvalidRequestException", "Give up to 10 different target languages.")
        if src in targets:
            raise ServiceError("UnsupportedLanguagePairException", "The source language is also a target language.")
        _, in_key = self._split_s3(params["InputDataConfig"].get("S3Uri", ""), region, "input")
        self._split_s3(params["OutputDataConfig"].get("S3Uri", ""), region, "output")
        if not in_key.strip("/"):
            raise ServiceError(
                "InvalidRequestException", "The input S3 URI must be a folder, not the root of the bucket."
            )
        pd_names = list(params.get("ParallelDataNames") or [])
        if len(pd_names) > 1:
            raise ServiceError("InvalidParameterValueException", "Only one parallel data resource can be used per job.")
        for pd_name in pd_names:
            pd = self._parallel_data.get(pd_name)
            if pd is None or pd.delete_at is not None:
                raise ServiceError("ResourceNotFoundException", f"The parallel data resource {pd_name} does not exist.")
            if pd.status != "ACTIVE":
                raise ServiceError("InvalidRequestException", f"The parallel data resource {pd_name} is {pd.status}.")
            missing = [t for t in targets if t not in pd.target_languages]
            if pd.source_language != src or missing:
                raise ServiceError(
                    "InvalidRequestException",
                    f"The parallel data {pd_name} is {pd.source_language}->{','.join(pd.target_languages)}; "
                    f"it must hold the source {src} and every target language of the job.",
                )
        for term_name in params.get("TerminologyNames") or []:
            self._terms_for([term_name], src, targets[0])
        active = [j for j in self._jobs.values() if j.status in ACTIVE_JOB_STATES]
        if self.reject_over_concurrency and len(active) >= self.max_concurrent_jobs:
            raise ServiceError(
                "TooManyRequestsException",
                f"The limit of {self.max_concurrent_jobs} concurrent batch translation jobs is reached.",
            )
        if len(active) >= self.max_concurrent_jobs + self.max_queued_jobs:
            raise ServiceError("TooManyRequestsException", "The limit of queued batch translation jobs is reached.")
        job_id = hashlib.md5(f"{token}-{uuid.uuid4()}".encode(), usedforsecurity=False).hexdigest()
        job = _Job(job_id, copy.deepcopy(params), self.clock.now(), region, duration=self.job_seconds)
        if self.faults.job_failures:
            job.fail_message = self.faults.job_failures.pop(0)
        if self.faults.job_document_errors:
            job.error_documents = self.faults.job_document_errors.pop(0)
        out_uri = params["OutputDataConfig"]["S3Uri"]
        job.output_uri = out_uri.rstrip("/") + f"/{self.account_id}-TranslateText-{job_id}/"
        self._jobs[job_id] = job
        self._job_tokens[token] = job_id
        self._advance_jobs(self.clock.now())
        return {"JobId": job_id, "JobStatus": job.status}

    def _job_properties(self, job: _Job) -> dict[str, Any]:
        request = job.request
        props: dict[str, Any] = {
            "JobId": job.job_id,
            "JobStatus": job.status,
            "SourceLanguageCode": request["SourceLanguageCode"],
            "TargetLanguageCodes": list(request["TargetLanguageCodes"]),
            "SubmittedTime": job.submitted_at,
            "InputDataConfig": dict(request["InputDataConfig"]),
            "OutputDataConfig": {**request["OutputDataConfig"], "S3Uri": job.output_uri},
            "DataAccessRoleArn": request["DataAccessRoleArn"],
        }
        for key in ("JobName", "TerminologyNames", "ParallelDataNames", "Settings"):
            if request.get(key):
                props[key] = copy.deepcopy(request[key])
        if job.details:
            props["JobDetails"] = dict(job.details)
        if job.message:
            props["Message"] = job.message
        if job.end_time:
            props["EndTime"] = job.end_time
        return props

    def _find_job(self, params: dict[str, Any]) -> _Job:
        job = self._jobs.get(params.get("JobId", ""))
        if job is None:
            raise ServiceError("ResourceNotFoundException", f"The job {params.get('JobId')} does not exist.")
        return job

    def _op_describe_text_translation_job(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        return {"TextTranslationJobProperties": self._job_properties(self._find_job(params))}

    def _op_list_text_translation_jobs(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        filters = {k: v for k, v in (params.get("Filter") or {}).items() if v is not None}
        if len(filters) > 1:
            raise ServiceError("InvalidFilterException", "Give only one filter at a time.")
        jobs = sorted(self._jobs.values(), key=lambda j: j.submitted_at)
        if "JobName" in filters:
            jobs = [j for j in jobs if j.request.get("JobName") == filters["JobName"]]
        if "JobStatus" in filters:
            jobs = [j for j in jobs if j.status == filters["JobStatus"]]
        if "SubmittedBeforeTime" in filters:
            jobs = [j for j in jobs if j.submitted_at < filters["SubmittedBeforeTime"]]
        if "SubmittedAfterTime" in filters:
            jobs = [j for j in jobs if j.submitted_at > filters["SubmittedAfterTime"]]
        return _page(
            [self._job_properties(j) for j in jobs],
            params,
            "TextTranslationJobPropertiesList",
            bad_token_error="InvalidRequestException",
        )

    def _op_stop_text_translation_job(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        job = self._find_job(params)
        if job.status in ("SUBMITTED", "IN_PROGRESS"):
            job.status = "STOP_REQUESTED"
            job.stop_at = self.clock.now() + timedelta(seconds=self.stop_seconds)
            if job.started_at is None:  # still queued: it stops without taking a slot
                job.started_at = self.clock.now()
                job.end_at = job.stop_at + timedelta(seconds=1)
        return {"JobId": job.job_id, "JobStatus": job.status}

    def _finish(self, job: _Job) -> None:
        """The job's end: stopped, failed, or translated (documents read from and written to S3 now)."""
        end = self._finish_time(job)
        job.end_time = end
        if job.stop_at is not None and job.stop_at < (job.end_at or end):
            job.status = "STOPPED"
            job.message = "The job was stopped on request."
            return
        if job.fail_message:
            job.status = "FAILED"
            job.message = job.fail_message
            return
        try:
            self._run_job(job)
        except ServiceError as exc:
            job.status = "FAILED"
            job.message = exc.message

    def _run_job(self, job: _Job) -> None:
        request = job.request
        in_bucket, in_prefix = self._split_s3(request["InputDataConfig"]["S3Uri"], job.region, "input")
        out_bucket, out_key = self._split_s3(job.output_uri, job.region, "output")
        content_type = request["InputDataConfig"]["ContentType"]
        in_prefix = in_prefix.rstrip("/") + "/"  # a folder: s3://b/in/run1 must not pick up s3://b/in/run10/...
        keys: list[tuple[str, int]] = []
        paginator = self.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=in_bucket, Prefix=in_prefix):
            keys.extend((o["Key"], o["Size"]) for o in page.get("Contents", []) if not o["Key"].endswith("/"))
        if not keys:
            raise ServiceError("InvalidRequestException", f"The input folder s3://{in_bucket}/{in_prefix} is empty.")
        base = in_prefix
        nested_details = [k for k, _ in keys if "details" in PurePosixPath(k[len(base) :]).parts[:-1]]
        if nested_details:
            raise ServiceError(
                "InvalidRequestException",
                f"The input folder must not contain a folder named 'details' ({nested_details[0]}).",
            )
        src = request["SourceLanguageCode"]
        memory = None
        pd_names = request.get("ParallelDataNames") or []
        if pd_names:
            pd = self._parallel_data[pd_names[0]]
            memory = TranslationMemoryEngine(
                pd.rows, pd.source_language, pd.target_languages, fuzzy_threshold=self.fuzzy_threshold
            )
        documents: dict[str, str | None] = {}
        errors: dict[str, tuple[str, str]] = {}  # relative name -> (kind, message)
        for key, size in keys:
            relative = key[len(base) :]
            if relative in job.error_documents or PurePosixPath(relative).name in job.error_documents:
                errors[relative] = ("customer", "Injected failure: the document could not be translated.")
            elif size > MAX_DOCUMENT_BYTES:
                errors[relative] = ("customer", f"The document is {size} bytes, over the 20 MB limit.")
            elif content_type not in ("text/plain", "text/html"):
                errors[relative] = ("server", f"The stand-in does not translate {content_type} documents.")
            else:
                raw = self.s3.get_object(Bucket=in_bucket, Key=key)["Body"].read()
                try:
                    documents[relative] = raw.decode("utf-8")
                except UnicodeDecodeError:
                    errors[relative] = ("customer", "The document is not valid UTF-8.")
        translated = 0
        for tgt in request["TargetLanguageCodes"]:
            chain = standin_chain(src, tgt, memory=memory, apertium=self.apertium)
            term_name, terms = self._terms_for(request.get("TerminologyNames") or [], src, tgt)
            characters = 0
            details: list[dict[str, Any]] = []
            for relative, text in documents.items():
                assert text is not None
                output, record, applied = self._translate_document(text, content_type, src, tgt, chain, terms)
                characters += record["billedCharacters"]
                target_rel = str(PurePosixPath(relative).with_name(f"{tgt}.{PurePosixPath(relative).name}"))
                self.s3.put_object(Bucket=out_bucket, Key=out_key + target_rel, Body=output.encode("utf-8"))
                entry: dict[str, Any] = {
                    "sourceFile": relative,
                    "targetFile": target_rel,
                    "auxiliaryData": {"appliedTerminologies": []},
                    "engine": record,
                }
                if term_name and applied:
                    entry["auxiliaryData"]["appliedTerminologies"] = [
                        {"name": term_name, "terms": [{"sourceText": s, "targetText": t} for s, t in applied]}
                    ]
                details.append(entry)
            for relative, (kind, message) in errors.items():
                details.append(
                    {
                        "sourceFile": relative,
                        "errorCode": "CustomerError" if kind == "customer" else "InternalServerError",
                        "errorMessage": message,
                    }
                )
            engines_used = sorted({e for d in details for e in d.get("engine", {}).get("engines", [])})
            aux = {
                "sourceLanguageCode": src,
                "targetLanguageCode": tgt,
                "charactersTranslated": str(characters),
                "documentCountWithCustomerError": str(sum(1 for k, _ in errors.values() if k == "customer")),
                "documentCountWithServerError": str(sum(1 for k, _ in errors.values() if k == "server")),
                "inputDataPrefix": request["InputDataConfig"]["S3Uri"],
                "outputDataPrefix": job.output_uri,
                "details": details,
                "engine": engine_field(
                    STAND_IN_NAME, engines_used, note="written by the AMTS offline stand-in, not by AWS"
                ),
            }
            self.s3.put_object(
                Bucket=out_bucket,
                Key=f"{out_key}details/{tgt}.auxiliary-translation-details.json",
                Body=json.dumps(aux, indent=2, ensure_ascii=False).encode("utf-8"),
            )
            translated = len(documents)
        job.details = {
            "TranslatedDocumentsCount": translated,
            "DocumentsWithErrorsCount": len(errors),
            "InputDocumentsCount": len(keys),
        }
        if errors and not documents:
            job.status = "FAILED"
            job.message = f"No document could be translated ({len(errors)} with errors); see the details folder."
        elif errors:
            job.status = "COMPLETED_WITH_ERROR"
            job.message = f"{len(errors)} document(s) could not be translated: {', '.join(sorted(errors))}"
        else:
            job.status = "COMPLETED"

    def _translate_document(
        self,
        text: str,
        content_type: str,
        src: str,
        tgt: str,
        chain: EngineChain,
        terms: Sequence[tuple[str, str]],
    ) -> tuple[str, dict[str, Any], list[tuple[str, str]]]:
        doc = parse_document(text, content_type)
        units = doc.units()
        output, results, applied = translate_document(doc, chain, src, tgt, terms)
        segments = [
            {
                "id": unit.element_id if unit.element_id is not None else f"unit-{i}",
                "engine": ", ".join(dict.fromkeys(r.engines)),
            }
            for i, (unit, r) in enumerate(zip(units, results, strict=True))
        ]
        billed = sum(len(render_parts(u.parts, html_output=False)) for u in units)
        record = {
            "engines": sorted({e for r in results for e in r.engines}),
            "segments": segments,
            "billedCharacters": billed,
        }
        return output, record, applied

    # ---------------------------------------------------------------------------------------------- real-time

    def _op_translate_text(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        text = params.get("Text", "")
        if len(text.encode("utf-8")) > MAX_TRANSLATE_TEXT_BYTES:
            raise ServiceError(
                "TextSizeLimitExceededException",
                f"Input text size exceeds limit. Max length of request text allowed is {MAX_TRANSLATE_TEXT_BYTES} "
                "bytes.",
            )
        src, tgt = params.get("SourceLanguageCode", ""), params.get("TargetLanguageCode", "")
        if src == "auto":
            src = "zh" if re.search("[\u4e00-\u9fff]", text) else "en"
        for lang in (src, tgt):
            if lang not in TRANSLATE_LANGUAGES:
                raise ServiceError("UnsupportedLanguagePairException", f"The language code {lang!r} is not supported.")
        term_name, terms = self._terms_for(params.get("TerminologyNames") or [], src, tgt)
        body: dict[str, Any] = {"SourceLanguageCode": src, "TargetLanguageCode": tgt}
        if src == tgt:
            body["TranslatedText"] = text
            engines = ["identity"]
            applied: list[tuple[str, str]] = []
        else:
            chain = standin_chain(src, tgt, apertium=self.apertium)
            output, record, applied = self._translate_document(text, "text/plain", src, tgt, chain, terms)
            body["TranslatedText"] = output
            engines = record["engines"]
        if term_name and applied:
            body["AppliedTerminologies"] = [
                {"Name": term_name, "Terms": [{"SourceText": s, "TargetText": t} for s, t in applied]}
            ]
        if params.get("Settings"):
            body["AppliedSettings"] = dict(params["Settings"])
        body["ResponseMetadata"] = {"HTTPStatusCode": 200, "HTTPHeaders": {"x-amts-engine": ", ".join(engines)}}
        return body


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
