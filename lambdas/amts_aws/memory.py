"""The translation memory's S3 store: one object per language pair, written with optimistic concurrency."""

from __future__ import annotations

from typing import Any

from amts.sync.memory import MemoryConflictError

# What S3 answers when a conditional PUT lost the race (the object changed, or appeared, since it was read).
_CONFLICT_CODES = frozenset({"PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey"})


class S3MemoryStore:
    """An S3 object; the client is injected (boto3 or moto-backed), so the domain code has no AWS setup.

    Writes are conditional (optimistic concurrency): the store remembers the ETag of the version it last read
    or wrote, and a PUT succeeds only if the object is still that version (``If-Match``), or still absent
    when it was absent (``If-None-Match: *``). Otherwise ``write`` raises ``MemoryConflictError``.
    """

    def __init__(self, client: Any, bucket: str, key: str) -> None:
        self.client = client
        self.bucket = bucket
        self.key = key
        self.etag: str | None = None  # None: the object did not exist when last read (or was never read)

    def read(self) -> bytes | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.key)
        except self.client.exceptions.NoSuchKey:
            self.etag = None
            return None
        body: bytes = response["Body"].read()
        self.etag = response["ETag"]
        return body

    def write(self, data: bytes) -> None:
        # A single PUT replaces the object whole: readers never see a partial memory.
        condition = {"IfMatch": self.etag} if self.etag is not None else {"IfNoneMatch": "*"}
        try:
            response = self.client.put_object(
                Bucket=self.bucket, Key=self.key, Body=data, ContentType="application/json", **condition
            )
        except self.client.exceptions.ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code not in _CONFLICT_CODES:
                raise
            raise MemoryConflictError(
                f"the memory changed since it was read ({code}); another run wrote it", path=self.describe()
            ) from None
        self.etag = response["ETag"]

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.key}"
