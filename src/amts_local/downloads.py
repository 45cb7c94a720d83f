"""Copying a bucket prefix to a local folder without letting a key choose where it lands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from amts.fsio import write_atomic
from amts.keys import key_problem
from amts_aws.s3 import list_keys


def download_prefix(s3: Any, bucket: str, prefix: str, destination: Path, refused: list[tuple[str, str]]) -> list[Path]:
    """Copy every object under ``prefix`` to ``destination`` (relative paths kept, written atomically).

    Keys go through the pipeline's key validator: one that would land outside ``destination`` (``..``, an absolute
    path, a backslash, a control character) is never written; its ``(s3 URI, why)`` is appended to ``refused``.
    """
    root = destination.resolve()
    written = []
    for key in list_keys(s3, bucket, prefix):
        relative = key[len(prefix) :]
        if not relative or relative.endswith("/"):
            continue
        problem = key_problem(relative)
        target = (root / relative).resolve()
        if problem is None and not target.is_relative_to(root):
            problem = "resolves outside the output folder"
        if problem is not None:
            refused.append((f"s3://{bucket}/{key}", problem))
            continue
        body: bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        write_atomic(target, body)
        written.append(target)
    return written
