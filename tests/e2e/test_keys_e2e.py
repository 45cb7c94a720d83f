"""One key validator on every path a key takes: upload, whole-book listing, local download.

Given the real S3 -> EventBridge -> SQS -> Starter path and the real state machine, when one upload batch holds
two good chapters (one named with a space and a plus sign) and two unsafe keys (a backslash, a ``..`` traversal),
then the bad records are rejected on their own with their reasons and the good chapters run; a whole-book run
skips and reports the unsafe keys; and nothing reaches ``translated/`` or the local disk outside its folder.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from amts import config

from amts_local.bookrun import PhaseResult, collect_outputs, run_phase, start_and_wait
from amts_local.runtime import LocalRuntime, default_pipeline_config, local_pipeline_config

pytestmark = pytest.mark.slow

CHAPTER = """# Sorting Cards

Sorting a deck of cards by hand teaches the idea of an invariant.
Each pass leaves the left part of the deck in order.

## Cost

A careful sorter compares each new card with the sorted ones.
"""
GOOD = {"book/en/cards/sorting.md": CHAPTER, "book/en/cards/a b+c.md": CHAPTER.replace("Cards", "Tiles")}
BAD = {
    "book/en/cards/bad\\name.md": "backslash",
    "book/en/cards/../../../reports/evil.md": "'..' component",
}


@dataclass
class Scenario:
    runtime: LocalRuntime
    batch: PhaseResult
    whole_book: PhaseResult
    out: Path


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    root = Path(tmp_path_factory.mktemp("keys"))
    pipeline = local_pipeline_config(default_pipeline_config(), pairs=["en-zh"])
    with LocalRuntime(pipeline=pipeline) as runtime:

        def upload_batch() -> int:
            for key, text in GOOD.items():
                runtime.upload(key, text)
            for key in BAD:
                runtime.upload(key, CHAPTER)
            return len(GOOD) + len(BAD)

        batch = run_phase(runtime, "batch", upload_batch)
        whole_book = start_and_wait(runtime, "whole book", {}, execution_name="keys-whole-book")
        # A key that escapes its folder planted in the output bucket (as by a compromised writer)
        runtime.upload(f"{config.OUTPUT_PREFIX}zh/../../escape.md", "# escaped\n", bucket=runtime.names.output_bucket)
        out = root / "out"
        collect_outputs(runtime, out)
        yield Scenario(runtime, batch, whole_book, out)


def test_a_batch_with_bad_keys_still_runs_the_good_ones(scenario: Scenario) -> None:
    runtime = scenario.runtime
    # Then one execution ran for the good chapters and succeeded, and nothing was dead-lettered
    assert scenario.batch.status == "SUCCEEDED", (scenario.batch.error, scenario.batch.cause)
    assert runtime.dead_letters() == []
    published = [
        key
        for key in runtime.list_keys(runtime.names.output_bucket, f"{config.OUTPUT_PREFIX}zh/")
        if not key.endswith("escape.md")  # planted by the fixture after the runs
    ]
    assert sorted(published) == [
        f"{config.OUTPUT_PREFIX}zh/cards/a b+c.md",
        f"{config.OUTPUT_PREFIX}zh/cards/sorting.md",
    ]
    # And each bad key is rejected on its own, with the reason, under reports/rejected/
    keys = runtime.list_keys(runtime.names.output_bucket, config.REJECTED_PREFIX)
    rejected = {
        item["key"]: item["reason"]
        for key in keys
        for item in json.loads(runtime.read_object(runtime.names.output_bucket, key))["rejected"]
    }
    assert set(rejected) == set(BAD)
    for key, reason in BAD.items():
        assert reason in rejected[key]


def test_a_whole_book_run_skips_and_reports_the_unsafe_keys(scenario: Scenario) -> None:
    runtime = scenario.runtime
    assert scenario.whole_book.status == "SUCCEEDED", (scenario.whole_book.error, scenario.whole_book.cause)
    report = json.loads(
        runtime.read_object(runtime.names.output_bucket, f"{config.REPORT_PREFIX}keys-whole-book/report.json")
    )
    notes = "\n".join(report["notes"])
    for key in BAD:
        assert f"skipped {key}" in notes
    # And no key of any bucket the pipeline wrote holds a traversal
    for bucket in (runtime.names.work_bucket, runtime.names.output_bucket):
        written = [key for key in runtime.list_keys(bucket) if "/../" in key and "escape.md" not in key]
        assert written == []


def test_a_traversal_key_never_reaches_the_local_disk(scenario: Scenario) -> None:
    out = scenario.out
    # Then the download kept every file inside its folder and named the refused key
    assert (out / "zh" / "cards" / "a b+c.md").is_file()
    assert not (out.parent / "escape.md").exists()
    assert not list(out.parent.rglob("escape.md"))
    refused = dict(scenario.runtime.refused_downloads)
    assert any("escape.md" in uri for uri in refused)
    assert all("'..' component" in reason for reason in refused.values())
