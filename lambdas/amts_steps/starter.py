"""The Starter step: check each uploaded object, then start one execution per batch under a deterministic name.

A duplicate delivery of the same batch maps to the same execution name, so Step Functions refuses a second
run (``ExecutionAlreadyExists``) and nothing is translated twice. Objects that can never be translated (a key
the validator of ``amts.keys`` refuses, binary, invalid UTF-8, empty, too large, an unknown language
folder) are each recorded with their reason under ``reports/rejected/`` and the rest of the batch runs; only a
failure to start the execution fails the batch (those messages are retried, then go to the dead-letter queue).
"""

from __future__ import annotations

import hashlib
import json
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from amts import config
from amts.errors import InputError
from amts.fsio import decode_text
from amts.keys import parse_book_key
from amts.pipeline_config import PipelineConfig
from amts_aws.s3 import put_json

from amts_steps.plan_models import Rejection, RunInput, SourceObject, StartResult

EXECUTION_NAME_PREFIX = "amts-"
REJECTED_PREFIX = config.REJECTED_PREFIX
MAX_LISTED_CHAPTERS = 150
MAX_LISTED_UPLOADS = 200


@dataclass(frozen=True)
class Upload:
    """One ``Object Created`` notification: where the object is and which version was written.

    ``key`` is the key as the event carries it: URL-encoded the way S3 encodes notification keys (a space as
    ``+``, a ``+`` as ``%2B``), or, if a sender does not encode it, the key itself. ``candidate_keys`` says which
    keys that can mean; the object that exists at that version decides.
    """

    bucket: str
    key: str
    version_id: str | None
    size: int

    @property
    def candidate_keys(self) -> list[str]:
        decoded = urllib.parse.unquote_plus(self.key)
        return [decoded] if decoded == self.key else [decoded, self.key]


def upload_from_event(event: Any) -> Upload:
    """The upload an EventBridge ``Object Created`` event describes (the key as carried, see ``Upload``)."""
    detail = event.detail
    return Upload(
        bucket=detail.bucket.name,
        key=detail.object.key,
        version_id=detail.object.version_id if detail.object.version_id not in (None, "", "null") else None,
        size=int(detail.object.size or 0),
    )


def known_languages(pipeline: PipelineConfig) -> set[str]:
    return {pair.source for pair in pipeline.language_pairs} | {pair.target for pair in pipeline.language_pairs}


class _Absent(Exception):
    """No object at this key (and version): the event meant another key."""


def inspect_upload(s3_client: Any, upload: Upload, *, pipeline: PipelineConfig) -> SourceObject | Rejection:
    """Accept the upload, or say why it cannot be translated. Reads the object only when its name is valid.

    Each key the event can mean is tried in turn (decoded first); the first that is valid and exists at the
    announced version is the upload. When none is, the first key's problem is the reason.
    """
    first_problem: tuple[str, str] | None = None
    for key in upload.candidate_keys:
        where = f"s3://{upload.bucket}/{key}"
        try:
            return _inspect_key(s3_client, upload, key, pipeline=pipeline)
        except _Absent:
            problem = f"{where}: cannot be read: no such object (deleted since the upload?)"
        except InputError as exc:
            exc.path = where if exc.path in (None, key) else exc.path
            problem = str(exc)
        first_problem = first_problem or (key, problem)
    assert first_problem is not None
    key, reason = first_problem
    return Rejection(key=key, version_id=upload.version_id, reason=reason)


def _inspect_key(s3_client: Any, upload: Upload, key: str, *, pipeline: PipelineConfig) -> SourceObject:
    book = parse_book_key(key)
    languages = known_languages(pipeline)
    if book.language not in languages:
        raise InputError(
            f"unknown language folder {book.language!r}; configured languages: {', '.join(sorted(languages))}"
        )
    limit = pipeline.max_object_bytes
    if upload.size > limit:
        raise InputError(f"{upload.size} bytes, above the {limit}-byte limit of one chapter")
    request: dict[str, Any] = {"Bucket": upload.bucket, "Key": key}
    if upload.version_id:
        request["VersionId"] = upload.version_id
    try:
        response = s3_client.get_object(**request)
    except s3_client.exceptions.NoSuchKey:
        raise _Absent from None
    except s3_client.exceptions.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("NoSuchVersion", "InvalidArgument", "404"):  # a version id of another key, or none
            raise _Absent from None
        raise InputError(f"cannot be read: {exc}") from None
    if int(response.get("ContentLength", 0)) > limit:
        raise InputError(f"{response['ContentLength']} bytes, above the {limit}-byte limit of one chapter")
    text = decode_text(response["Body"].read(), path=f"s3://{upload.bucket}/{key}")
    if not text.strip():
        raise InputError("empty file: nothing to translate")
    return SourceObject(key=key, version_id=upload.version_id, size=upload.size)


def execution_name(objects: Sequence[SourceObject]) -> str:
    """A name Step Functions accepts (<= 80 of [0-9A-Za-z_-]) that depends only on the batch's keys and versions."""
    identity = sorted({(obj.key, obj.version_id or "") for obj in objects})
    digest = hashlib.sha256(json.dumps(identity, ensure_ascii=False).encode()).hexdigest()
    return f"{EXECUTION_NAME_PREFIX}{digest[:64]}"


def run_input_for(accepted: Sequence[SourceObject], *, pipeline: PipelineConfig) -> RunInput | None:
    """The execution input for the accepted uploads: their chapters, into every pair that involves their languages.

    An upload in a target language (a revised human translation) syncs that chapter into that language; None
    when no configured pair involves the uploaded languages.
    """
    books = [parse_book_key(obj.key) for obj in accepted]
    languages = {book.language for book in books}
    pairs = [p.key for p in pipeline.language_pairs if p.source in languages or p.target in languages]
    if not pairs:
        return None
    chapters = sorted({book.path for book in books})
    # Step Functions inputs are capped at 256 KiB: a very large drop runs the whole book instead (the sync
    # leaves unchanged chapters alone), and the report lists the first uploads with the total.
    return RunInput(
        pairs=pairs,
        chapters=chapters if len(chapters) <= MAX_LISTED_CHAPTERS else None,
        trigger=list(accepted[:MAX_LISTED_UPLOADS]),
        trigger_total=len(accepted),
    )


def record_rejections(
    s3_client: Any, *, output_bucket: str, batch_name: str, rejected: Sequence[Rejection], now: datetime | None = None
) -> str | None:
    """Write the batch's rejected uploads to ``reports/rejected/<date>/<batch>.json``; returns the key."""
    if not rejected:
        return None
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%d")
    key = f"{REJECTED_PREFIX}{stamp}/{batch_name}.json"
    put_json(s3_client, output_bucket, key, {"rejected": [item.model_dump() for item in rejected]})
    return key


def start_batch(
    uploads: Sequence[Upload],
    *,
    s3_client: Any,
    sfn_client: Any,
    state_machine_arn: str,
    output_bucket: str,
    pipeline: PipelineConfig,
) -> StartResult:
    """Inspect every upload, record the rejected ones, and start one execution for the rest (at most once)."""
    accepted: list[SourceObject] = []
    rejected: list[Rejection] = []
    for upload in uploads:
        verdict = inspect_upload(s3_client, upload, pipeline=pipeline)
        (accepted if isinstance(verdict, SourceObject) else rejected).append(verdict)  # type: ignore[arg-type]
    batch_name = execution_name(accepted) if accepted else _rejection_batch_name(rejected)
    record_rejections(s3_client, output_bucket=output_bucket, batch_name=batch_name, rejected=rejected)
    run_input = run_input_for(accepted, pipeline=pipeline) if accepted else None
    if run_input is None:
        return StartResult(accepted=accepted, rejected=rejected)
    try:
        response = sfn_client.start_execution(
            stateMachineArn=state_machine_arn, name=batch_name, input=run_input.model_dump_json(exclude_none=True)
        )
    except sfn_client.exceptions.ExecutionAlreadyExists:
        return StartResult(
            execution_name=batch_name,
            execution_arn=_execution_arn(state_machine_arn, batch_name),
            duplicate=True,
            accepted=accepted,
            rejected=rejected,
        )
    return StartResult(
        execution_name=batch_name, execution_arn=response["executionArn"], accepted=accepted, rejected=rejected
    )


def _rejection_batch_name(rejected: Sequence[Rejection]) -> str:
    return execution_name([SourceObject(key=item.key, version_id=item.version_id) for item in rejected])


def _execution_arn(state_machine_arn: str, name: str) -> str:
    return state_machine_arn.replace(":stateMachine:", ":execution:") + f":{name}"
