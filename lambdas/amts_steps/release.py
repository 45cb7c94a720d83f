"""The Release step: after the cost guard approved the run, fill the pair's job folder with the staged documents.

A Translate job translates every object under its input prefix, so the folder must hold exactly what was priced.
Release refuses a folder holding anything it did not write (a foreign object, or one of its names with other
content), copies each staged document only if it is still the version Stage measured (``CopySourceIfMatch``),
and lists the folder again to prove it holds those documents and nothing else. A retried Release finds its own
copies (same names, same ETags) and completes them.
"""

from __future__ import annotations

from typing import Any

from amts.errors import AmtsError
from amts_aws.s3 import read_json, s3_uri
from botocore.exceptions import ClientError

from amts_steps import layout
from amts_steps.pair_models import ReleaseResult, ReleaseStep, StageManifest


class JobFolderError(AmtsError):
    """The job folder holds something Release did not put there, or a staged document changed: no job starts."""


def _listing(s3_client: Any, bucket: str, prefix: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for page in s3_client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        found.update({item["Key"]: str(item["ETag"]) for item in page.get("Contents", [])})
    return found


def _etag(s3_client: Any, bucket: str, key: str) -> str | None:
    try:
        return str(s3_client.head_object(Bucket=bucket, Key=key)["ETag"])
    except ClientError:
        return None


def release_job_input(step: ReleaseStep, *, s3_client: Any, work_bucket: str) -> ReleaseResult:
    """Copy the staged documents into the job folder and verify it holds exactly them."""
    task = step.task
    manifest = StageManifest.model_validate(read_json(s3_client, work_bucket, step.stage.stage_key))
    root = layout.job_root(task.run_id, task.pair_name)
    docs = layout.job_docs_prefix(task.run_id, task.pair_name)
    # job key -> (staged key, ETag as measured, billed characters)
    expected = {
        docs + c.document: (step.stage.staged_prefix + c.document, c.etag, c.characters)
        for c in manifest.chapters
        if c.document is not None and c.etag is not None
    }
    where = s3_uri(work_bucket, root)
    foreign = [
        key
        for key, etag in _listing(s3_client, work_bucket, root).items()
        if key not in expected or expected[key][1] != etag
    ]
    if foreign:
        raise JobFolderError(
            f"the job folder holds {len(foreign)} object(s) this run did not write (e.g. {foreign[0]}); "
            "no job was started on it",
            path=where,
        )
    changed = [source for source, etag, _ in expected.values() if _etag(s3_client, work_bucket, source) != etag]
    if changed:
        raise JobFolderError(
            f"{len(changed)} staged document(s) changed after the cost guard measured them; no job was started",
            path=s3_uri(work_bucket, changed[0]),
        )
    for key, (source, etag, _) in expected.items():
        try:
            s3_client.copy_object(
                Bucket=work_bucket,
                Key=key,
                CopySource={"Bucket": work_bucket, "Key": source},
                CopySourceIfMatch=etag,
                ContentType="text/html",
                MetadataDirective="REPLACE",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("PreconditionFailed", "412"):  # changed meanwhile
                raise JobFolderError(
                    "a staged document changed after the cost guard measured it; no job was started",
                    path=s3_uri(work_bucket, source),
                ) from None
            raise
    present = _listing(s3_client, work_bucket, root)
    wrong = sorted(set(present) ^ set(expected)) + sorted(
        key for key in present.keys() & expected.keys() if present[key] != expected[key][1]
    )
    if wrong:
        raise JobFolderError(f"the job folder changed while it was filled ({wrong[0]}); no job was started", path=where)
    return ReleaseResult(
        job_prefix=docs,
        documents=len(expected),
        characters=sum(characters for _, _, characters in expected.values()),
    )
