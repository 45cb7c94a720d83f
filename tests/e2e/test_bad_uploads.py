"""Bad uploads on the local runtime: each gets a clear, recorded reason, and nothing crashes.

Given the real Starter behind the real S3 -> EventBridge -> SQS path, when a binary file, invalid UTF-8, an
empty file, a 25 MB file, a file outside the source prefix and a file in an unknown language folder are
uploaded, then no execution starts, the rejected uploads are recorded under reports/rejected/ with a reason
naming the problem, no message is dead-lettered, and the upload outside the prefix never reaches the queue.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from amts import config

from amts_local.runtime import LocalRuntime, QueuePolling

pytestmark = pytest.mark.slow

BAD = {
    "book/en/binary.md": b"# title\n\x00\x01\x02 binary\n",
    "book/en/latin1.md": "# Título\n\nCañón\n".encode("latin-1"),
    "book/en/empty.md": b"",
    "book/en/huge.md": b"# big\n\n" + b"word " * (5 * 1024 * 1024),
    "book/xx/unknown-language.md": b"# hello\n\nA paragraph.\n",
}
REASONS = {
    "book/en/binary.md": "binary",
    "book/en/latin1.md": "UTF-8",
    "book/en/empty.md": "empty",
    "book/en/huge.md": "limit",
    "book/xx/unknown-language.md": "unknown language folder",
}


@pytest.fixture(scope="module")
def runtime() -> Iterator[LocalRuntime]:
    with LocalRuntime(functions=("Starter", "Plan"), polling=QueuePolling(quiet_seconds=0.3)) as rt:
        yield rt


def test_bad_uploads_are_rejected_with_recorded_reasons(runtime: LocalRuntime) -> None:
    # When every bad upload and one outside the source prefix land in the input bucket at once
    for key, data in BAD.items():
        runtime.upload(key, data)
    runtime.upload("drafts/en/notes.md", "# not part of the book\n")
    runtime.wait_for_uploads(timeout=120)

    # Then the Starter handled them in one batch without failing, and started nothing
    assert runtime.stats.failed_invocations == {}
    assert sum(runtime.stats.starter_batches) == len(BAD)  # the key outside book/ never reached the queue
    assert runtime.executions() == []
    assert runtime.dead_letters() == []

    # And each rejection is recorded with a reason that names the file and the problem
    keys = runtime.list_keys(runtime.names.output_bucket, f"{config.REPORT_PREFIX}rejected/")
    rejected = [
        item for key in keys for item in json.loads(runtime.read_object(runtime.names.output_bucket, key))["rejected"]
    ]
    by_key = {item["key"]: item["reason"] for item in rejected}
    assert set(by_key) == set(BAD)
    for key, expected in REASONS.items():
        assert expected.lower() in by_key[key].lower(), by_key[key]
        assert key in by_key[key]


def test_inputs_are_not_modified(runtime: LocalRuntime) -> None:
    # The pipeline never writes into the book folder of the input bucket.
    writes = [
        call
        for call in runtime.calls
        if call.action in ("s3:PutObject", "s3:DeleteObject")
        and call.resource.startswith(f"arn:aws:s3:::{runtime.names.input_bucket}/")
        and call.principal != "local-user"
    ]
    assert writes == []
