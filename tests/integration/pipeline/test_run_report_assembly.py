"""The run report assembled on moto S3 from the pairs' stored sections: several pairs, a failed one, prices."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from amts.evaluate.models import SyncDocumentWorkload, SyncWorkloadReport, TermConsistencyReport, TermIssue
from amts.pipeline_config import BudgetConfig
from amts.translate.job_outputs import AWS_ENGINE
from amts_steps.job_output import JobSummary
from amts_steps.layout import pair_report_key
from amts_steps.pair_models import PairResult
from amts_steps.pair_report import PairReport
from amts_steps.run_models import ReportStep
from amts_steps.run_report import write_run_report

from tests.integration.pipeline.conftest import moto_s3

OUTPUT = "amts-ra-output"
RUN = "run-42"


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with moto_s3(monkeypatch, OUTPUT) as client:
        yield client


def _store(s3: Any, report: PairReport) -> None:
    s3.put_object(Bucket=OUTPUT, Key=pair_report_key(RUN, report.pair), Body=report.model_dump_json().encode())


def _workload(path: str, total: int, mt: int) -> SyncWorkloadReport:
    return SyncWorkloadReport(
        documents=[
            SyncDocumentWorkload(
                path=path, segments_total=total, unchanged=total - mt, machine_translated=mt, needs_review=mt
            )
        ]
    )


def _read(s3: Any, key: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(s3.get_object(Bucket=OUTPUT, Key=key)["Body"].read())
    return data


def test_pairs_are_merged_and_each_job_is_priced_as_billed(s3: Any) -> None:
    # Given two synchronized pairs in AWS (one ACT job each; en-es had no parallel data) and a failed pair
    _store(
        s3,
        PairReport(
            pair="en-zh",
            source="en",
            target="zh",
            publish=True,
            jobs=[
                JobSummary(
                    role="ACT",
                    job_id="j-zh",
                    parallel_data_names=["amts-en-zh"],
                    characters_billed=2000,
                    engine=AWS_ENGINE,
                )
            ],
            terminology=TermConsistencyReport(
                glossary="extras/TERMINOLOGY.zh-en.md",
                terms_checked=4,
                occurrences=9,
                issues=[TermIssue(term="loss", expected="损失", path="ch1/index.md", segment_id="s0003")],
            ),
            sync=_workload("ch1/index.md", 20, 2),
        ),
    )
    _store(
        s3,
        PairReport(
            pair="en-es",
            source="en",
            target="es",
            publish=True,
            jobs=[JobSummary(role="ACT", job_id="j-es", characters_billed=1000, engine=AWS_ENGINE)],
            terminology=TermConsistencyReport(glossary="extras/glossary.en-es.csv", terms_checked=2, occurrences=3),
            sync=_workload("ch1/index.md", 20, 1),
        ),
    )
    results = [
        PairResult(pair_name="en-zh", status="SUCCEEDED", chapters_published=1, segments_translated=2,
                   characters_billed=2000, engine=None),
        PairResult(pair_name="en-es", status="SUCCEEDED", chapters_published=1, segments_translated=1,
                   characters_billed=1000),
        PairResult(pair_name="en-fr", status="FAILED", error="AMTS.TranslateJobFailed",
                   cause='{"errorType": "X", "errorMessage": "the job failed"}'),
    ]  # fmt: skip
    budget = BudgetConfig(price_per_million_characters=10.0, price_per_million_characters_act=40.0)
    # When the run report is written
    summary = write_run_report(
        ReportStep(run_id=RUN, report_prefix=f"reports/{RUN}/", results=results),
        s3_client=s3,
        output_bucket=OUTPUT,
        budget=budget,
    )
    report = _read(s3, f"reports/{RUN}/report.json")
    # Then each job is a cost line at the price it is billed at (ACT only with parallel data)
    lines = [
        (line["label"], line["characters"], line["usd_per_million_characters"]) for line in report["cost"]["lines"]
    ]
    assert lines == [("en-zh ACT job (ACT price)", 2000, 40.0), ("en-es ACT job (standard price)", 1000, 10.0)]
    assert report["cost"]["total_usd"] == pytest.approx(2000 * 40e-6 + 1000 * 10e-6)
    note = report["cost"]["pricing_note"]
    assert "all 3,000 characters would cost $0.0300 at the standard price and $0.1200 at the ACT price" in note
    assert "UNVERIFIED" not in note  # the prices came from the config, not the unverified defaults
    # and the per-job cost is said once, in the cost table, not again among the notes
    assert not any("characters billed; estimate" in n for n in report["notes"])
    # and the summary has each pair's status, and an engine -> segments table
    assert [(p["pair"], p["status"]) for p in report["pairs"]] == [
        ("en-zh", "SUCCEEDED"), ("en-es", "SUCCEEDED"), ("en-fr", "FAILED")
    ]  # fmt: skip
    assert report["pairs"][2]["error"] == "AMTS.TranslateJobFailed: X: the job failed"
    assert [(u["engine"], u["pair"], u["segments"]) for u in report["engine_usage"]] == [
        (AWS_ENGINE, "en-zh", None), (AWS_ENGINE, "en-es", None)
    ]  # fmt: skip
    # and the engine of each job is named
    assert [e["name"] for e in report["engines"]] == [AWS_ENGINE, AWS_ENGINE]
    assert "parallel data amts-en-zh" in report["engines"][0]["description"]
    assert "no ACT" in report["engines"][1]["description"]
    # and the term checks of both pairs are one section, issues pointing into the target language's chapter
    terms = report["terminology"]
    assert (terms["terms_checked"], terms["occurrences"]) == (6, 12)
    assert terms["issues"][0]["path"] == "zh/ch1/index.md"
    assert "en-zh: extras/TERMINOLOGY.zh-en.md" in terms["glossary"]
    # and the review workload lists each pair's documents, with totals over the run
    assert [d["path"] for d in report["sync"]["documents"]] == ["en-zh: ch1/index.md", "en-es: ch1/index.md"]
    assert report["sync"]["totals"]["needs_review"] == 3
    # and the failed pair is named with its cause, in the report and the notification
    assert "en-fr: FAILED (AMTS.TranslateJobFailed): X: the job failed" in summary.message
    assert (summary.succeeded, summary.failed, summary.all_succeeded) == (2, 1, False)
    assert report["language_pairs"] == ["en-zh", "en-es", "en-fr"]


def test_a_result_without_stored_sections_still_counts_its_characters(s3: Any) -> None:
    # Given a pair result whose Score step left no pair report (e.g. written by an earlier version)
    results = [PairResult(pair_name="en-zh", status="SUCCEEDED", characters_billed=500, engine="Amazon Translate")]
    # When the run report is written
    write_run_report(
        ReportStep(run_id=RUN, report_prefix=f"reports/{RUN}/", results=results),
        s3_client=s3,
        output_bucket=OUTPUT,
        budget=BudgetConfig(),
    )
    report = _read(s3, f"reports/{RUN}/report.json")
    # Then its characters are priced as the ACT job, and the engine is the one the result names
    assert [(line["label"], line["characters"]) for line in report["cost"]["lines"]] == [("en-zh ACT job", 500)]
    assert "UNVERIFIED" in report["cost"]["pricing_note"]  # the default prices are not verified
    assert [e["name"] for e in report["engines"]] == ["Amazon Translate"]
    assert report["sync"] is None
    assert report["terminology"] is None
    assert report["experiments"] == []


def test_a_scored_pair_is_summarized_in_the_notification(s3: Any) -> None:
    _store(s3, PairReport(pair="en-zh", source="en", target="zh", publish=False, leakage_guard="leave-one-chapter-out",
                          leakage_note="evaluation-only run: held out"))  # fmt: skip
    results = [PairResult(pair_name="en-zh", status="SUCCEEDED", bleu=31.25, bleu_baseline=20.5)]
    summary = write_run_report(
        ReportStep(run_id=RUN, report_prefix=f"reports/{RUN}/", results=results),
        s3_client=s3,
        output_bucket=OUTPUT,
        budget=BudgetConfig(),
    )
    assert "en-zh: BLEU 31.25 (0–100) with ACT, 20.50 without (leakage guard: leave-one-chapter-out)" in summary.message
    report = _read(s3, f"reports/{RUN}/report.json")
    assert "en-zh leakage guard: leave-one-chapter-out: evaluation-only run: held out" in report["notes"]
