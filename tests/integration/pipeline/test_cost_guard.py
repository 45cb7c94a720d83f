"""The cost guard's parts on moto: the estimate, the spend ledger's reservations, and Release's job folder.

Given prepared pairs and a DynamoDB ledger, when runs are reserved and settled, then per-run, daily and monthly
caps refuse what would pass them, a retried reservation is not counted twice and settling returns unused
headroom. Given staged documents, when Release fills a job folder, then it refuses a folder holding anything it
did not write and a document changed after it was measured.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from amts.pipeline_config import BudgetConfig
from amts_steps import layout
from amts_steps.budget import SpendLedger, estimate_run, reserve_budget, settle_budget
from amts_steps.pair_models import PairResult, ReleaseStep, StagedChapter, StageManifest, StageResult
from amts_steps.plan_models import PairSettings, PairTask
from amts_steps.release import JobFolderError, release_job_input
from amts_steps.run_models import PreparedPair, ReserveRequest, SettleRequest
from moto import mock_aws

TABLE, WORK = "amts-test-spend", "amts-test-work"
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def _task(pair: str = "en-zh", run_id: str = "run-1") -> PairTask:
    source, target = pair.split("-")
    return PairTask(
        run_id=run_id,
        pair=PairSettings(source=source, target=target, parallel_data_name=f"amts-{pair}", reference_prefix="book/zh/"),
        pair_name=pair,
        chapter_count=1,
        publish=True,
        evaluate=False,
        job_name=f"amts-{run_id}-{pair}",
        client_token="t" * 40,
    )


def _prepared(pair: str, characters: int, *, act: bool = True, baseline: bool = False) -> PreparedPair:
    task = _task(pair)
    stage = StageResult(
        needs_translation=characters > 0,
        input_s3_uri=f"s3://{WORK}/{layout.job_docs_prefix(task.run_id, pair)}",
        output_s3_uri="s3://w/o/",
        baseline_output_s3_uri="s3://w/b/",
        stage_key=layout.stage_manifest_key(task.run_id, pair),
        staged_prefix=layout.staged_docs_prefix(task.run_id, pair),
        parallel_data_names=[f"amts-{pair}"] if act else [],
        baseline_wanted=baseline,
        characters=characters,
    )
    return PreparedPair(task=task, stage=stage)


def test_the_estimate_prices_every_job_of_every_pair_and_skips_failed_ones() -> None:
    budget = BudgetConfig(price_per_million_characters=15.0, price_per_million_characters_act=60.0)
    failed = PreparedPair(task=_task("en-es"), failed=PairResult(pair_name="en-es", status="FAILED"))
    estimate = estimate_run(
        [_prepared("en-zh", 1_000, baseline=True), _prepared("en-ja", 2_000, act=False), failed], budget
    )
    # ACT job at $60/M, its baseline at $15/M, the pair without parallel data at $15/M; the failed pair nothing
    assert [(j.pair_name, j.role, j.priced_as, j.micro_usd) for j in estimate.jobs] == [
        ("en-zh", "act", "ACT", 60_000),
        ("en-zh", "baseline", "standard", 15_000),
        ("en-ja", "act", "standard", 30_000),
    ]
    assert (estimate.characters, estimate.usd) == (4_000, 0.105)


@pytest.fixture
def ledger() -> Iterator[SpendLedger]:
    with mock_aws():
        db = boto3.client("dynamodb", region_name="us-east-1")
        db.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield SpendLedger(db, TABLE)


def _reserve(ledger: SpendLedger, run_id: str, characters: int, **caps: Any) -> Any:
    budget = BudgetConfig(**caps)
    request = ReserveRequest(run_id=run_id, prepared=[_prepared("en-zh", characters)])
    return reserve_budget(request, ledger=ledger, budget=budget, now=NOW)


def test_per_run_caps_refuse_without_touching_the_ledger(ledger: SpendLedger) -> None:
    by_dollars = _reserve(ledger, "r1", 10_000, max_cost_usd_per_run=0.5)  # $0.60 at the ACT price
    by_characters = _reserve(ledger, "r2", 10_000, max_characters_per_run=9_999)
    assert not by_dollars.approved
    assert "per-run cap" in (by_dollars.reason or "")
    assert not by_characters.approved
    assert "max_characters_per_run" in (by_characters.reason or "")
    assert ledger.spent("day#2026-12-03") == 0


def test_the_daily_cap_holds_across_runs_and_a_retry_is_not_counted_twice(ledger: SpendLedger) -> None:
    first = _reserve(ledger, "r1", 10_000, max_cost_usd_per_day=1.0)  # $0.60
    again = _reserve(ledger, "r1", 10_000, max_cost_usd_per_day=1.0)  # the same step retried
    second = _reserve(ledger, "r2", 10_000, max_cost_usd_per_day=1.0)  # $0.60 more would pass $1.00
    assert first.approved
    assert again.approved
    assert (first.day_spent_usd, again.reserved_micro_usd) == (0.6, 600_000)
    assert not second.approved
    assert "daily cap" in (second.reason or "")
    assert "$0.60 already spent or reserved" in (second.reason or "")
    assert ledger.spent("day#2026-12-03") == ledger.spent("month#2026-12") == 600_000


def test_the_monthly_cap_counts_every_day_of_the_month(ledger: SpendLedger) -> None:
    assert _reserve(ledger, "r1", 10_000, max_cost_usd_per_month=1.0).approved
    later = reserve_budget(
        ReserveRequest(run_id="r2", prepared=[_prepared("en-zh", 10_000)]),
        ledger=ledger,
        budget=BudgetConfig(max_cost_usd_per_month=1.0),
        now=datetime(2026, 12, 20, tzinfo=UTC),
    )
    assert not later.approved
    assert "monthly cap" in (later.reason or "")


def test_settling_replaces_the_reservation_once(ledger: SpendLedger) -> None:
    decision = _reserve(ledger, "r1", 10_000)
    request = SettleRequest(run_id="r1", budget=decision, billed_usd=0.15)  # one pair failed: less was billed
    settled = settle_budget(request, ledger=ledger, now=NOW)
    repeated = settle_budget(request, ledger=ledger, now=NOW)
    assert settled.settled
    assert not repeated.settled
    assert ledger.spent("day#2026-12-03") == ledger.spent("month#2026-12") == 150_000


# ---------------------------------------------------------------------------------------------------- Release


@pytest.fixture
def s3() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=WORK)
        yield client


def _staged(s3: Any, documents: dict[str, str]) -> ReleaseStep:
    task = _task()
    prepared = _prepared("en-zh", 10)
    assert prepared.stage is not None
    chapters = []
    for index, (name, html) in enumerate(documents.items()):
        etag = s3.put_object(Bucket=WORK, Key=prepared.stage.staged_prefix + name, Body=html.encode())["ETag"]
        chapters.append(
            StagedChapter(path=f"c{index}.md", mode="sync", index=index, document=name, etag=etag, characters=len(html))
        )
    manifest = StageManifest(run_id=task.run_id, pair_name=task.pair_name, chapters=chapters)
    s3.put_object(Bucket=WORK, Key=prepared.stage.stage_key, Body=manifest.model_dump_json().encode())
    return ReleaseStep(task=task, stage=prepared.stage)


def _job_folder(s3: Any) -> list[str]:
    prefix = layout.job_root("run-1", "en-zh")
    return [item["Key"] for item in s3.list_objects_v2(Bucket=WORK, Prefix=prefix).get("Contents", [])]


def test_release_fills_the_job_folder_with_exactly_the_staged_documents(s3: Any) -> None:
    step = _staged(s3, {"c00000.html": "<p>one</p>", "c00001.html": "<p>two</p>"})
    result = release_job_input(step, s3_client=s3, work_bucket=WORK)
    again = release_job_input(step, s3_client=s3, work_bucket=WORK)  # a retried step finds its own copies
    docs = layout.job_docs_prefix("run-1", "en-zh")
    assert sorted(_job_folder(s3)) == [f"{docs}c00000.html", f"{docs}c00001.html"]
    assert (result.documents, result.characters) == (2, 20) == (again.documents, again.characters)


def test_release_refuses_a_job_folder_holding_anything_it_did_not_write(s3: Any) -> None:
    step = _staged(s3, {"c00000.html": "<p>one</p>"})
    foreign = layout.job_docs_prefix("run-1", "en-zh") + "planted.html"
    s3.put_object(Bucket=WORK, Key=foreign, Body=b"<p>a whole other book</p>")
    with pytest.raises(JobFolderError, match="did not write"):
        release_job_input(step, s3_client=s3, work_bucket=WORK)
    assert _job_folder(s3) == [foreign]  # nothing copied next to it


def test_release_refuses_a_document_changed_after_it_was_measured(s3: Any) -> None:
    step = _staged(s3, {"c00000.html": "<p>one</p>"})
    s3.put_object(Bucket=WORK, Key=step.stage.staged_prefix + "c00000.html", Body=b"<p>" + b"much longer " * 99)
    with pytest.raises(JobFolderError, match="changed after the cost guard measured"):
        release_job_input(step, s3_client=s3, work_bucket=WORK)
    assert _job_folder(s3) == []
