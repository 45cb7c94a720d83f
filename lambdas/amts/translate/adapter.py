"""Everything the pipeline asks of Amazon Translate, through injected boto3 clients (real, or the stand-in).

- ``ensure_parallel_data``: idempotent create-or-update (ClientToken and a ``sha256`` marker from the content,
  unchanged content skipped), retry with backoff on ConcurrentModification/Conflict/LimitExceeded/
  TooManyRequests (one concurrent create/update per account), wait for ACTIVE or FAILED, FAILED explained
  from the service's auxiliary error file.
- ``start_job``: own input prefix (never the bucket root, no ``details`` folder), optional parallel data,
  terminology and settings, ClientToken derived from the execution, budget guard on the cost estimate.
- ``describe_job`` maps every job status; ``job_outputs`` finds ``<out>/<ACCOUNT>-TranslateText-<JobId>/``
  and reads ``details/<lang>.auxiliary-translation-details.json``.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any, Literal

from botocore.exceptions import ClientError

from amts.errors import AmtsError, InputError
from amts.languages import check_language
from amts.translate.markup import billed_characters
from amts.translate.rules import RESOURCE_NAME, parse_s3_uri

RETRYABLE_ERRORS = frozenset(
    {"ConcurrentModificationException", "ConflictException", "LimitExceededException", "TooManyRequestsException"}
)
HASH_MARKER = "amts-sha256:"
UNVERIFIED_PRICING_NOTE = (
    "prices are configurable defaults from third-party sources ($15 per million characters standard, $60 ACT), "
    "UNVERIFIED against aws.amazon.com/translate/pricing"
)


class TranslateServiceError(AmtsError):
    """Amazon Translate refused or failed a request; the message says what happened in plain words."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.code = code  # the service's error code, when there is one


class ParallelDataFailedError(TranslateServiceError):
    """A parallel data import ended FAILED; ``details`` holds the service's auxiliary error records."""

    def __init__(self, message: str, *, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.details = dict(details or {})


class BudgetExceededError(AmtsError):
    """A job's estimated cost is over the configured budget; it was not started."""


# ------------------------------------------------------------------------------------------------------ cost


@dataclass(frozen=True)
class Pricing:
    """USD per million billed characters. Defaults are UNVERIFIED third-party figures; override from config."""

    standard_per_million: float = 15.0
    act_per_million: float = 60.0
    note: str = UNVERIFIED_PRICING_NOTE


def usd(amount: float) -> str:
    """Dollars as people write them: cents for ordinary amounts, more digits for the tiny ones."""
    if amount == 0 or (abs(amount) >= 0.01 and round(amount, 2) == round(amount, 6)):
        return f"${amount:,.2f}"
    return f"${amount:,.6f}".rstrip("0")


@dataclass(frozen=True)
class CostEstimate:
    """Characters billed under each pricing model for a job (every target language bills the source again)."""

    source_characters: int
    target_languages: tuple[str, ...]
    uses_parallel_data: bool
    pricing: Pricing = field(default_factory=Pricing)

    @property
    def billed_characters(self) -> int:
        return self.source_characters * len(self.target_languages)

    @property
    def standard_usd(self) -> float:
        return self.billed_characters * self.pricing.standard_per_million / 1_000_000

    @property
    def act_usd(self) -> float:
        return self.billed_characters * self.pricing.act_per_million / 1_000_000

    @property
    def usd(self) -> float:
        """The cost under the model this job is billed at (ACT when it uses parallel data)."""
        return self.act_usd if self.uses_parallel_data else self.standard_usd

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_characters": self.source_characters,
            "target_languages": list(self.target_languages),
            "billed_characters": self.billed_characters,
            "standard_usd": round(self.standard_usd, 6),
            "act_usd": round(self.act_usd, 6),
            "pricing_model": "act" if self.uses_parallel_data else "standard",
            "usd": round(self.usd, 6),
            "pricing_note": self.pricing.note,
        }

    def render(self) -> str:
        return (
            f"{self.source_characters:,} source characters x {len(self.target_languages)} target language(s) "
            f"({', '.join(self.target_languages)}) = {self.billed_characters:,} billed characters\n"
            f"  standard: ${self.standard_usd:,.4f}   ACT (parallel data): ${self.act_usd:,.4f}\n"
            f"  note: {self.pricing.note}\n"
        )


def estimate_cost(
    documents: Mapping[str, str] | Sequence[str],
    target_languages: Sequence[str],
    *,
    content_type: str = "text/html",
    uses_parallel_data: bool = False,
    pricing: Pricing | None = None,
) -> CostEstimate:
    """Estimate a job over ``documents`` (texts) using the billing rule of ``amts.translate.markup``."""
    texts = documents.values() if isinstance(documents, Mapping) else documents
    characters = sum(billed_characters(text, content_type) for text in texts)
    return CostEstimate(characters, tuple(target_languages), uses_parallel_data, pricing or Pricing())


def check_budget(estimate: CostEstimate, budget_usd: float | None) -> None:
    """The budget guard: refuse, with a clear message, a job whose estimate is over ``budget_usd``."""
    if budget_usd is not None and estimate.usd > budget_usd:
        model = "ACT" if estimate.uses_parallel_data else "standard"
        raise BudgetExceededError(
            f"estimated cost ${estimate.usd:,.2f} ({estimate.billed_characters:,} characters at the {model} price) "
            f"is over the budget of ${budget_usd:,.2f}; the job was not started (raise the budget or translate "
            f"less; {estimate.pricing.note})"
        )


# ------------------------------------------------------------------------------------------------------ jobs


JobPhase = Literal["pending", "running", "succeeded", "partial", "failed", "stopping", "stopped"]
JOB_STATUS_PHASES: dict[str, tuple[JobPhase, bool]] = {
    "SUBMITTED": ("pending", False),
    "IN_PROGRESS": ("running", False),
    "COMPLETED": ("succeeded", True),
    "COMPLETED_WITH_ERROR": ("partial", True),
    "FAILED": ("failed", True),
    "STOP_REQUESTED": ("stopping", False),
    "STOPPED": ("stopped", True),
}


@dataclass(frozen=True)
class JobRequest:
    """One batch translation job. ``execution_id`` makes the ClientToken, so a retried start is the same job."""

    execution_id: str
    source_language: str
    target_languages: tuple[str, ...]
    input_s3_uri: str
    output_s3_uri: str
    data_access_role_arn: str
    content_type: str = "text/html"
    job_name: str | None = None
    parallel_data_name: str | None = None
    terminology_name: str | None = None
    formality: Literal["FORMAL", "INFORMAL"] | None = None
    profanity: Literal["MASK"] | None = None


@dataclass(frozen=True)
class JobState:
    job_id: str
    status: str
    phase: JobPhase
    terminal: bool
    message: str | None
    output_s3_uri: str | None
    details: dict[str, int]
    submitted_at: datetime | None = None
    end_at: datetime | None = None

    @property
    def has_outputs(self) -> bool:
        return self.status in ("COMPLETED", "COMPLETED_WITH_ERROR")


@dataclass(frozen=True)
class DocumentError:
    target_language: str
    source_file: str
    code: str
    message: str


@dataclass
class JobOutputs:
    job_id: str
    output_s3_uri: str
    documents: dict[str, dict[str, str]]  # target language -> source file -> output key
    characters_translated: dict[str, int]
    errors: list[DocumentError]
    auxiliary: dict[str, dict[str, Any]]  # target language -> the parsed auxiliary details file


@dataclass(frozen=True)
class ParallelDataResult:
    name: str
    action: Literal["created", "updated", "unchanged"]
    status: str
    content_sha256: str
    s3_uri: str
    imported_records: int
    failed_records: int
    skipped_records: int


def stand_in_engines(details: Mapping[str, Any]) -> list[str] | None:
    """The engines the offline stand-in records in an auxiliary details file (its ``amtsStandIn`` section), or
    None when the file has no such section (Amazon Translate writes none)."""
    stand_in = details.get("amtsStandIn")
    if not isinstance(stand_in, dict):
        return None
    return [str(engine) for engine in stand_in.get("engines", [])]


def split_s3_uri(uri: str) -> tuple[str, str]:
    parsed = parse_s3_uri(uri)
    if parsed is None:
        raise InputError(f"not an S3 URI: {uri!r} (expected s3://bucket/prefix/)")
    return parsed


def job_client_token(request: JobRequest) -> str:
    """A ClientToken derived from the execution and the job's identity (64 hex characters)."""
    identity = "|".join(
        [request.execution_id, request.source_language, ",".join(request.target_languages), request.input_s3_uri]
    )
    return hashlib.sha256(identity.encode()).hexdigest()


def _fetch_url(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return bytes(response.read())


class TranslateAdapter:
    """Amazon Translate for the pipeline. Clients are injected; ``sleep`` and ``fetch`` too, for tests."""

    def __init__(
        self,
        translate_client: Any,
        s3_client: Any,
        *,
        account_id: str | None = None,
        pricing: Pricing | None = None,
        budget_usd: float | None = None,
        max_attempts: int = 8,
        base_delay: float = 1.0,
        max_delay: float = 60.0,
        poll_interval: float = 30.0,
        parallel_data_timeout: float = 3 * 3600.0,
        sleep: Callable[[float], None] = time.sleep,
        fetch: Callable[[str], bytes] = _fetch_url,
        rng: random.Random | None = None,
    ) -> None:
        self.translate = translate_client
        self.s3 = s3_client
        self.account_id = account_id
        self.pricing = pricing or Pricing()
        self.budget_usd = budget_usd
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.poll_interval = poll_interval
        self.parallel_data_timeout = parallel_data_timeout
        self.sleep = sleep
        self.fetch = fetch
        self.rng = rng or random.Random(0)
        self.retries = 0  # retried calls so far, for reports

    # ------------------------------------------------------------------------------------------------- calls

    def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        """Call ``operation`` with exponential backoff (full jitter) on the retry-later errors."""
        for attempt in range(1, self.max_attempts + 1):
            try:
                response: dict[str, Any] = getattr(self.translate, operation)(**params)
                return response
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "")
                message = exc.response.get("Error", {}).get("Message", str(exc))
                if code in RETRYABLE_ERRORS and attempt < self.max_attempts:
                    self.retries += 1
                    delay = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
                    self.sleep(self.rng.uniform(delay / 2, delay))
                    continue
                raise TranslateServiceError(_plain_error(operation, code, message, attempt), code=code) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    # ------------------------------------------------------------------------------------------------- parallel data

    def ensure_parallel_data(
        self,
        name: str,
        data: bytes,
        *,
        fmt: Literal["CSV", "TSV", "TMX"],
        bucket: str,
        prefix: str = "parallel-data/",
        description: str = "",
    ) -> ParallelDataResult:
        """Create or update parallel data ``name`` with ``data``; unchanged content is a no-op. Waits for the end."""
        if not RESOURCE_NAME.match(name) or len(name) > 256:
            raise InputError(f"parallel data name {name!r} must match ^([A-Za-z0-9-]_?)+$ (no dots or spaces)")
        digest = hashlib.sha256(data).hexdigest()
        marker = f"{HASH_MARKER}{digest}"
        full_description = f"{description[: 255 - len(marker)]} {marker}".strip()
        key = f"{prefix.strip('/')}/{name}/{digest[:16]}.{fmt.lower()}".lstrip("/")
        s3_uri = f"s3://{bucket}/{key}"
        token = f"pd-{digest[:60]}"
        config = {"S3Uri": s3_uri, "Format": fmt}
        deadline = time.monotonic() + self.parallel_data_timeout
        properties = self._get_parallel_data(name)
        while properties is not None and self._importing(properties):
            properties = self._wait_parallel_data(name, deadline, update=_is_updating(properties))[0]
        if properties is not None and self._is_current(properties, marker):
            return self._result(name, "unchanged", properties, digest, s3_uri)
        self.s3.put_object(Bucket=bucket, Key=key, Body=data)
        action: Literal["created", "updated"] = "created" if properties is None else "updated"
        self._call(
            "create_parallel_data" if action == "created" else "update_parallel_data",
            Name=name,
            Description=full_description,
            ParallelDataConfig=config,
            ClientToken=token,
        )
        properties, body = self._wait_parallel_data(name, deadline, update=action == "updated")
        status = properties.get("LatestUpdateAttemptStatus") if action == "updated" else properties.get("Status")
        if status == "FAILED":
            location_key = (
                "LatestUpdateAttemptAuxiliaryDataLocation" if action == "updated" else "AuxiliaryDataLocation"
            )
            raise self._failure(name, properties, body.get(location_key))
        return self._result(name, action, properties, digest, s3_uri)

    def _get_parallel_data(self, name: str) -> dict[str, Any] | None:
        try:
            properties: dict[str, Any] = self._call("get_parallel_data", Name=name)["ParallelDataProperties"]
        except TranslateServiceError as exc:
            if exc.code == "ResourceNotFoundException":
                return None
            raise
        return properties

    @staticmethod
    def _importing(properties: Mapping[str, Any]) -> bool:
        return properties.get("Status") == "CREATING" or _is_updating(properties)

    @staticmethod
    def _is_current(properties: Mapping[str, Any], marker: str) -> bool:
        settled = properties.get("Status") == "ACTIVE" and properties.get("LatestUpdateAttemptStatus") in (
            None,
            "ACTIVE",
        )
        return settled and marker in (properties.get("Description") or "")

    def _wait_parallel_data(self, name: str, deadline: float, *, update: bool) -> tuple[dict[str, Any], dict[str, Any]]:
        """Poll until the import (create or update) is ACTIVE or FAILED."""
        while True:
            body = self._call("get_parallel_data", Name=name)
            properties: dict[str, Any] = body["ParallelDataProperties"]
            status = properties.get("LatestUpdateAttemptStatus") if update else properties.get("Status")
            if status in ("ACTIVE", "FAILED"):
                return properties, body
            if time.monotonic() > deadline:
                raise TranslateServiceError(
                    f"parallel data {name!r} is still {status} after {self.parallel_data_timeout:.0f} s; "
                    "run again later (the import continues on the service side)"
                )
            self.sleep(self.poll_interval)

    def _failure(self, name: str, properties: Mapping[str, Any], location: Mapping[str, Any] | None) -> Exception:
        details: dict[str, Any] = {}
        if location and location.get("Location"):
            try:
                details = json.loads(self.fetch(str(location["Location"])).decode("utf-8"))
            except (OSError, ValueError) as exc:
                details = {"fetch_error": str(exc)}
        summary = details.get("summary", {})
        records = [f"{m.get('content', '?')}: {m.get('message', '?')}" for m in details.get("messages", [])[:5]]
        words = [f"Amazon Translate could not import parallel data {name!r}: {properties.get('Message') or 'FAILED'}"]
        if summary:
            words.append(
                f"{summary.get('record_error_count', 0)} record(s) had errors and "
                f"{summary.get('record_skipped_count', 0)} were skipped"
            )
        if records:
            words.append("first problems: " + "; ".join(records))
        if "fetch_error" in details:
            words.append(f"the error file could not be read ({details['fetch_error']})")
        return ParallelDataFailedError(". ".join(words), details=details)

    @staticmethod
    def _result(
        name: str, action: Literal["created", "updated", "unchanged"], props: Mapping[str, Any], digest: str, uri: str
    ) -> ParallelDataResult:
        return ParallelDataResult(
            name=name,
            action=action,
            status=str(props.get("Status")),
            content_sha256=digest,
            s3_uri=str(props.get("ParallelDataConfig", {}).get("S3Uri", uri)),
            imported_records=int(props.get("ImportedRecordCount", 0)),
            failed_records=int(props.get("FailedRecordCount", 0)),
            skipped_records=int(props.get("SkippedRecordCount", 0)),
        )

    # ------------------------------------------------------------------------------------------------- jobs

    def stage_documents(self, input_s3_uri: str, documents: Mapping[str, str | bytes]) -> str:
        """Upload documents under the job's own input prefix (a folder, never the bucket root, no ``details``)."""
        bucket, prefix = split_s3_uri(input_s3_uri)
        prefix = _folder(prefix, input_s3_uri)
        for name, body in documents.items():
            relative = PurePosixPath(name)
            if relative.is_absolute() or ".." in relative.parts or "details" in relative.parts[:-1]:
                raise InputError(f"bad document name {name!r} for a Translate job (no '..', no 'details' folder)")
            payload = body.encode("utf-8") if isinstance(body, str) else body
            self.s3.put_object(Bucket=bucket, Key=prefix + str(relative), Body=payload)
        return f"s3://{bucket}/{prefix}"

    def check_input_prefix(self, input_s3_uri: str) -> int:
        """The job's input folder: not the bucket root, holds files, and no sub-folder named ``details``."""
        bucket, prefix = split_s3_uri(input_s3_uri)
        prefix = _folder(prefix, input_s3_uri)
        keys = self._keys_under(bucket, prefix)
        for key in keys:
            if "details" in PurePosixPath(key[len(prefix) :]).parts[:-1]:
                raise InputError(f"input folder {input_s3_uri} holds a 'details' folder ({key})")
        if not keys:
            raise InputError(f"input folder {input_s3_uri} is empty")
        return len(keys)

    def _keys_under(self, bucket: str, prefix: str) -> list[str]:
        """Every object key under ``prefix`` (all pages of the listing)."""
        keys: list[str] = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            keys.extend(item["Key"] for item in page.get("Contents", []))
        return keys

    def start_job(self, request: JobRequest, *, estimate: CostEstimate | None = None) -> JobState:
        """Start (or, for a retried execution, find again) a batch job. The budget guard runs first."""
        check_language(request.source_language, what="source language")
        for lang in request.target_languages:
            check_language(lang, what="target language")
        if estimate is not None:
            check_budget(estimate, self.budget_usd)
        self.check_input_prefix(request.input_s3_uri)
        out_bucket, out_prefix = split_s3_uri(request.output_s3_uri)
        if request.input_s3_uri.rstrip("/").startswith(request.output_s3_uri.rstrip("/") + "/") or (
            request.output_s3_uri.rstrip("/").startswith(request.input_s3_uri.rstrip("/") + "/")
        ):
            raise InputError("the output folder must not be inside the input folder, nor the other way round")
        params: dict[str, Any] = {
            "JobName": _job_name(request),
            "InputDataConfig": {"S3Uri": request.input_s3_uri, "ContentType": request.content_type},
            "OutputDataConfig": {"S3Uri": f"s3://{out_bucket}/{out_prefix}"},
            "DataAccessRoleArn": request.data_access_role_arn,
            "SourceLanguageCode": request.source_language,
            "TargetLanguageCodes": list(request.target_languages),
            "ClientToken": job_client_token(request),
        }
        if request.parallel_data_name:
            params["ParallelDataNames"] = [request.parallel_data_name]
        if request.terminology_name:
            params["TerminologyNames"] = [request.terminology_name]
        settings = {k: v for k, v in (("Formality", request.formality), ("Profanity", request.profanity)) if v}
        if settings:
            params["Settings"] = settings
        response = self._call("start_text_translation_job", **params)
        return self.describe_job(str(response["JobId"]))

    def describe_job(self, job_id: str) -> JobState:
        props = self._call("describe_text_translation_job", JobId=job_id)["TextTranslationJobProperties"]
        return job_state(props)

    def wait_for_job(self, job_id: str, *, timeout: float = 48 * 3600.0) -> JobState:
        deadline = time.monotonic() + timeout
        while True:
            state = self.describe_job(job_id)
            if state.terminal:
                return state
            if time.monotonic() > deadline:
                raise TranslateServiceError(f"job {job_id} is still {state.status} after {timeout:.0f} s")
            self.sleep(self.poll_interval)

    def stop_job(self, job_id: str) -> JobState:
        self._call("stop_text_translation_job", JobId=job_id)
        return self.describe_job(job_id)

    def job_outputs(self, job: str | JobState) -> JobOutputs:
        """The translated files and the auxiliary details of a COMPLETED or COMPLETED_WITH_ERROR job."""
        state = self.describe_job(job) if isinstance(job, str) else job
        if not state.has_outputs:
            raise TranslateServiceError(
                f"job {state.job_id} is {state.status}; outputs exist only for COMPLETED or COMPLETED_WITH_ERROR"
                + (f" ({state.message})" if state.message else "")
            )
        output_uri = self._output_folder(state)
        bucket, prefix = split_s3_uri(output_uri)
        keys = self._keys_under(bucket, prefix)
        auxiliary: dict[str, dict[str, Any]] = {}
        for key in keys:
            match = re.fullmatch(re.escape(prefix) + r"details/(.+)\.auxiliary-translation-details\.json", key)
            if match:
                body = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
                auxiliary[match.group(1)] = json.loads(body.decode("utf-8"))
        documents: dict[str, dict[str, str]] = {}
        errors: list[DocumentError] = []
        characters: dict[str, int] = {}
        for lang, aux in auxiliary.items():
            characters[lang] = int(aux.get("charactersTranslated", 0) or 0)
            for entry in aux.get("details", []):
                source_file = str(entry.get("sourceFile", ""))
                if entry.get("targetFile"):
                    documents.setdefault(lang, {})[source_file] = prefix + str(entry["targetFile"])
                if entry.get("errorCode") or entry.get("errorMessage"):
                    errors.append(
                        DocumentError(
                            lang, source_file, str(entry.get("errorCode", "")), str(entry.get("errorMessage"))
                        )
                    )
        for key in keys:  # files the details did not list (the real file may omit them): <lang>.<name>
            relative = key[len(prefix) :]
            if relative.startswith("details/"):
                continue
            name = PurePosixPath(relative).name
            for lang in auxiliary or {}:
                if name.startswith(f"{lang}.") and relative not in set(documents.get(lang, {}).values()):
                    source_name = str(PurePosixPath(relative).with_name(name[len(lang) + 1 :]))
                    documents.setdefault(lang, {}).setdefault(source_name, key)
        return JobOutputs(state.job_id, output_uri, documents, characters, errors, auxiliary)

    def _output_folder(self, state: JobState) -> str:
        uri = state.output_s3_uri or ""
        folder_suffix = f"-TranslateText-{state.job_id}/"
        if uri.endswith((folder_suffix, folder_suffix.rstrip("/"))):
            return uri.rstrip("/") + "/"
        if not self.account_id:
            raise TranslateServiceError(
                f"cannot locate the outputs of job {state.job_id}: the described output URI {uri!r} lacks the "
                "job folder and no account id was configured"
            )
        return uri.rstrip("/") + f"/{self.account_id}{folder_suffix}"

    def estimate_cost(
        self, documents: Mapping[str, str] | Sequence[str], request: JobRequest | Sequence[str]
    ) -> CostEstimate:
        """Estimate a job (its target languages, its content type, and whether it uses parallel data)."""
        if isinstance(request, JobRequest):
            return estimate_cost(
                documents,
                request.target_languages,
                content_type=request.content_type,
                uses_parallel_data=bool(request.parallel_data_name),
                pricing=self.pricing,
            )
        return estimate_cost(documents, request, pricing=self.pricing)


def job_state(props: Mapping[str, Any]) -> JobState:
    """Map a DescribeTextTranslationJob ``TextTranslationJobProperties`` to a ``JobState``."""
    status = str(props.get("JobStatus", ""))
    if status not in JOB_STATUS_PHASES:
        raise TranslateServiceError(f"job {props.get('JobId')} has an unknown status {status!r}")
    phase, terminal = JOB_STATUS_PHASES[status]
    return JobState(
        job_id=str(props.get("JobId")),
        status=status,
        phase=phase,
        terminal=terminal,
        message=props.get("Message"),
        output_s3_uri=props.get("OutputDataConfig", {}).get("S3Uri"),
        details={k: int(v) for k, v in (props.get("JobDetails") or {}).items()},
        submitted_at=props.get("SubmittedTime"),
        end_at=props.get("EndTime"),
    )


def _is_updating(properties: Mapping[str, Any]) -> bool:
    return properties.get("LatestUpdateAttemptStatus") == "UPDATING"


def _folder(prefix: str, uri: str) -> str:
    if not prefix.strip("/"):
        raise InputError(f"{uri} is the bucket root; every job needs its own input folder")
    return prefix if prefix.endswith("/") else prefix + "/"


def _job_name(request: JobRequest) -> str:
    name = (
        request.job_name
        or f"amts-{request.execution_id}-{request.source_language}-{'-'.join(request.target_languages)}"
    )
    return re.sub(r"[^\w\s.:/=+\-%@]", "-", name)[:256]


_PLAIN_ERRORS = {
    "TooManyRequestsException": "Amazon Translate is throttling requests (too many requests)",
    "LimitExceededException": "an Amazon Translate quota was reached",
    "ConcurrentModificationException": "another change to the same resource is still running",
    "ConflictException": "the request conflicts with the resource's current state",
    "ResourceNotFoundException": "the named resource does not exist",
    "InvalidParameterValueException": "a parameter value was refused",
    "InvalidRequestException": "the request was refused",
    "UnsupportedLanguagePairException": "the language pair is not supported",
    "TextSizeLimitExceededException": "the text is too long",
    "InternalServerException": "Amazon Translate had an internal error",
    "ServiceUnavailableException": "Amazon Translate is unavailable",
}


def _plain_error(operation: str, code: str, message: str, attempts: int) -> str:
    meaning = _PLAIN_ERRORS.get(code, code or "an unknown error")
    tries = f" (gave up after {attempts} attempts)" if attempts > 1 else ""
    return f"Translate {operation} failed: {meaning}{tries}: {message}"


__all__ = [
    "BudgetExceededError",
    "CostEstimate",
    "DocumentError",
    "JobOutputs",
    "JobRequest",
    "JobState",
    "ParallelDataFailedError",
    "ParallelDataResult",
    "Pricing",
    "TranslateAdapter",
    "TranslateServiceError",
    "check_budget",
    "estimate_cost",
    "job_client_token",
    "job_state",
]
