"""Small S3 helpers shared by the steps: list a book folder, read text strictly, write whole objects."""

from __future__ import annotations

import json
from typing import Any

from amts.errors import InputError
from amts.fsio import decode_text
from amts.keys import SkippedKey, split_chapter_listing


def list_keys(s3_client: Any, bucket: str, prefix: str) -> list[str]:
    """Every key under ``prefix`` (all pages)."""
    keys: list[str] = []
    for page in s3_client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(item["Key"] for item in page.get("Contents", []))
    return keys


def list_chapters(s3_client: Any, bucket: str, prefix: str) -> tuple[list[str], list[SkippedKey]]:
    """The chapter paths under ``prefix`` (e.g. ``book/en/``), sorted, and the ``.md`` keys the validator refused."""
    return split_chapter_listing(list_keys(s3_client, bucket, prefix), prefix)


def list_markdown(s3_client: Any, bucket: str, prefix: str) -> list[str]:
    """The valid chapter paths under ``prefix``, sorted (refused keys are reported by Plan's listing)."""
    return list_chapters(s3_client, bucket, prefix)[0]


def read_bytes(s3_client: Any, bucket: str, key: str) -> bytes | None:
    """The object's bytes, or None when it does not exist."""
    try:
        body: bytes = s3_client.get_object(Bucket=bucket, Key=key)["Body"].read()
    except s3_client.exceptions.NoSuchKey:
        return None
    return body


def read_text(s3_client: Any, bucket: str, key: str) -> str | None:
    """The object as strict UTF-8 text (an ``InputError`` naming the object otherwise), or None when absent."""
    data = read_bytes(s3_client, bucket, key)
    return None if data is None else decode_text(data, path=f"s3://{bucket}/{key}")


def read_json(s3_client: Any, bucket: str, key: str) -> Any:
    """The object parsed as JSON; a missing or broken object is an error naming it."""
    text = read_text(s3_client, bucket, key)
    if text is None:
        raise InputError("object not found", path=f"s3://{bucket}/{key}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg}", path=f"s3://{bucket}/{key}", line=exc.lineno) from None


def put_bytes(s3_client: Any, bucket: str, key: str, data: bytes, content_type: str) -> None:
    """Write one whole object (a PUT is atomic: readers see the old object or the new one, never a part)."""
    s3_client.put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)


def put_text(
    s3_client: Any, bucket: str, key: str, text: str, content_type: str = "text/markdown; charset=utf-8"
) -> None:
    put_bytes(s3_client, bucket, key, text.encode("utf-8"), content_type)


def put_json(s3_client: Any, bucket: str, key: str, value: Any) -> None:
    put_bytes(s3_client, bucket, key, json.dumps(value, ensure_ascii=False, indent=2).encode(), "application/json")


def s3_uri(bucket: str, key: str) -> str:
    return f"s3://{bucket}/{key}"
