"""The run report from the real steps on moto S3, Translate served by the stand-in (no Step Functions).

Given a small bilingual book, the pair's steps run as the state machine would chain them (BuildParallelData,
the parallel-data import, Stage, the ACT and baseline jobs, Assemble, Score) and then the run report is written.
The report must show BLEU/chrF with vs without ACT per chapter with the leakage guard that really applied, the
characters each job billed with the standard vs ACT estimate, the engine that produced the segments, the
term-consistency check and, for a publishing run, the review workload from synchronization.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from amts.pipeline_config import BudgetConfig
from amts.translate.job_outputs import AWS_ENGINE
from amts_steps.assemble import assemble_pair
from amts_steps.layout import pair_report_key
from amts_steps.pair_models import AssembleStep, JobsResult, PairResult, ParallelDataStep, ScoreStep, StageStep
from amts_steps.parallel_data import build_pair_parallel_data
from amts_steps.plan_models import PairTask
from amts_steps.run_models import ReportStep
from amts_steps.run_report import write_run_report
from amts_steps.score import score_pair

from amts_local.standin import STAND_IN_NAME
from tests.integration.pipeline.bilingual_book import (
    BOOK,
    EVALUATED,
    INPUT,
    NEW,
    OTHER,
    OUTPUT,
    TERMINOLOGY,
    WORK,
    Book,
    pair_task,
    run_job,
    stage_and_release,
)


def _run_pair(book: Book, task: PairTask, glossary_key: str | None = None) -> PairResult:
    """The pair's steps in the state machine's order, with the stand-in answering the Translate tasks."""
    buckets = {"s3_client": book.s3, "input_bucket": INPUT, "work_bucket": WORK}
    parallel_data = build_pair_parallel_data(ParallelDataStep(task=task), **buckets)
    if parallel_data.has_data:
        exists = any(p["Name"] == parallel_data.name for p in book.translate.call("ListParallelData", {})[
            "ParallelDataPropertiesList"])  # fmt: skip
        book.translate.call(
            "UpdateParallelData" if exists else "CreateParallelData",
            {
                "Name": parallel_data.name,
                "ParallelDataConfig": {"S3Uri": parallel_data.s3_uri, "Format": "CSV"},
                "ClientToken": parallel_data.client_token,
            },
        )
        book.translate.clock.advance(3600)
    stage = stage_and_release(StageStep(task=task, parallel_data=parallel_data), output_bucket=OUTPUT, **buckets)
    jobs = JobsResult()
    if stage.needs_translation:
        customized = run_job(
            book,
            task,
            input_uri=stage.input_s3_uri,
            output_uri=stage.output_s3_uri,
            variant="act",
            pd=stage.parallel_data_names,
        )
        baseline = None
        if stage.baseline_wanted:  # the state machine's JobWanted choice for the baseline variant
            baseline = run_job(
                book, task, input_uri=stage.input_s3_uri, output_uri=stage.baseline_output_s3_uri, variant="base", pd=[]
            )
        jobs = JobsResult(customized=customized, baseline=baseline)
    clients = {**buckets, "output_bucket": OUTPUT}
    assembled = assemble_pair(AssembleStep(task=task, stage=stage, jobs=jobs), **clients)
    step = ScoreStep(task=task, parallel_data=parallel_data, stage=stage, jobs=jobs, assemble=assembled)
    return score_pair(step, glossary_key=glossary_key, **clients)


def _report(book: Book, run_id: str, results: list[PairResult]) -> dict[str, Any]:
    summary = write_run_report(
        ReportStep(run_id=run_id, report_prefix=f"reports/{run_id}/", results=results),
        s3_client=book.s3,
        output_bucket=OUTPUT,
        budget=BudgetConfig(),
    )
    assert summary.report_keys == [f"reports/{run_id}/report.{ext}" for ext in ("json", "html", "md")]
    report: dict[str, Any] = json.loads(book.s3.get_object(Bucket=OUTPUT, Key=summary.report_keys[0])["Body"].read())
    report["_summary"] = summary
    report["_html"] = book.s3.get_object(Bucket=OUTPUT, Key=summary.report_keys[1])["Body"].read().decode()
    report["_md"] = book.s3.get_object(Bucket=OUTPUT, Key=summary.report_keys[2])["Body"].read().decode()
    return report


def _details(book: Book, job_uri: str) -> dict[str, Any]:
    bucket, _, prefix = job_uri[len("s3://") :].partition("/")
    key = f"{prefix}details/zh.auxiliary-translation-details.json"
    details: dict[str, Any] = json.loads(book.s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    return details


def test_evaluation_run_reports_with_vs_without_act_cost_engine_and_terms(book: Book) -> None:
    # Given an evaluation-only run of one chapter (its human translation must stay out of the parallel data)
    task = pair_task("eval-1", chapters=[EVALUATED], publish=False, evaluate=True)
    # When the pair's steps and the run report run
    result = _run_pair(book, task)
    report = _report(book, "eval-1", [result])

    # Then BLEU/chrF are shown with and without ACT, per chapter, for the pair
    assert result.status == "SUCCEEDED"
    assert result.bleu is not None
    assert result.bleu_baseline is not None
    (experiment,) = report["experiments"]
    assert (experiment["src_lang"], experiment["tgt_lang"]) == ("en", "zh")
    assert experiment["conditions"] == ["without ACT", "with ACT"]
    (row,) = experiment["rows"]
    assert row["chapter"] == "chapter_loss"
    by_condition = {r["condition"]: r for r in row["results"]}
    assert {m["metric"] for m in by_condition["with ACT"]["metrics"]} >= {"BLEU", "chrF"}
    assert {m["metric"] for m in by_condition["without ACT"]["metrics"]} >= {"BLEU", "chrF"}
    # and the leakage guard says what BuildParallelData did: the evaluated chapter was held out
    assert by_condition["with ACT"]["leakage_guard"] == "leave-one-chapter-out"
    assert by_condition["without ACT"]["leakage_guard"] == "no-parallel-data"
    assert "held out" in " ".join(experiment["notes"])
    # and each Δ has its paired bootstrap interval, per chapter and over the run, on the 0-100 scale
    deltas = {(d["scope"], d["metric"]) for d in experiment["deltas"]}
    assert deltas == {
        ("chapter_loss", "BLEU"),
        ("chapter_loss", "chrF"),
        ("All sections", "BLEU"),
        ("All sections", "chrF"),
    }
    for delta in experiment["deltas"]:
        assert delta["low"] <= delta["delta"] <= delta["high"]
        assert delta["significant"] == (not delta["low"] <= 0 <= delta["high"])
    assert "Δ BLEU [95% CI]" in report["_html"]
    parallel_csv = book.s3.get_object(Bucket=WORK, Key=book.s3.list_objects_v2(Bucket=WORK, Prefix="parallel-data/")[
        "Contents"][0]["Key"])["Body"].read().decode()  # fmt: skip
    assert "loss" not in parallel_csv.lower()  # nothing of the evaluated chapter went into the parallel data
    # and the parallel data's figures: the records the ACT job used, and those the held-out chapter would have added
    records = len(parallel_csv.splitlines()) - 1
    assert by_condition["with ACT"]["parallel_pairs"] == records > 0
    assert by_condition["with ACT"]["excluded_pairs"] >= 3  # the evaluated chapter's sentences, aligned
    assert (by_condition["without ACT"]["parallel_pairs"], by_condition["without ACT"]["excluded_pairs"]) == (0, 0)
    assert any(f"'pairs used': the {records} record(s)" in note for note in experiment["notes"])
    assert f"(excluded {by_condition['with ACT']['excluded_pairs']})" in report["_html"]
    assert any("leave-one-chapter-out" in note and "held out" in note for note in report["notes"])

    # and the engine: the stand-in named, each condition with the segments each of its engines produced
    act_usage = by_condition["with ACT"]["engine_usage"]
    assert "translation-memory" in " ".join(act_usage)  # the shared sentence came from the parallel data
    assert "translation-memory" not in " ".join(by_condition["without ACT"]["engine_usage"])
    engines = report["engines"]
    assert len(engines) == 2
    assert all(engine["name"].startswith(STAND_IN_NAME) for engine in engines)
    assert {("ACT job" in e["description"], "no ACT" in e["description"]) for e in engines} == {
        (True, False),
        (False, True),
    }

    # and the cost: each job's billed characters (Translate's own count) at its price, standard vs ACT estimate
    act_chars = int(_details(book, result_job_uri(book, "act"))["charactersTranslated"])
    base_chars = int(_details(book, result_job_uri(book, "base"))["charactersTranslated"])
    lines = {line["label"]: line for line in report["cost"]["lines"]}
    assert lines["en-zh ACT job (ACT price)"]["characters"] == act_chars > 0
    assert lines["en-zh ACT job (ACT price)"]["usd_per_million_characters"] == 60.0
    assert lines["en-zh baseline job (standard price)"]["characters"] == base_chars
    assert lines["en-zh baseline job (standard price)"]["usd_per_million_characters"] == 15.0
    assert report["cost"]["total_usd"] == pytest.approx(act_chars * 60e-6 + base_chars * 15e-6, abs=2e-4)
    total = act_chars + base_chars
    assert (
        f"all {total:,} characters would cost ${total * 15e-6:.4f} at the standard price"
        in report["cost"]["pricing_note"]
    )

    # and the term check: the configured terminology's term was found in the source and checked in the output
    terms = report["terminology"]
    assert terms["terms_checked"] == 1
    assert terms["occurrences"] == 3  # the heading's "Loss Functions" too (case and plural are matched)
    # the stand-in, like Translate, applies terms case-sensitively: the capitalized heading kept no 损失函数
    (issue,) = terms["issues"]
    assert (issue["term"], issue["expected"], issue["path"]) == ("loss function", "损失函数", f"zh/{EVALUATED}")
    assert issue["segment_id"] == "s0001"  # the heading
    assert TERMINOLOGY in terms["glossary"]

    # and no review workload: an evaluation-only run publishes nothing
    assert report["sync"] is None
    # and the HTML and Markdown carry the sections
    for section in ("Experiments en → zh", "Cost", "Term consistency", "Translation engine"):
        assert section in report["_html"]
    assert "leakage guard" in report["_md"]
    # and the per-pair scores file the demo reads keeps its fields
    scores = json.loads(book.s3.get_object(Bucket=OUTPUT, Key="reports/eval-1/en-zh/scores.json")["Body"].read())
    assert {"pair", "act", "baseline", "act_engine", "baseline_engine"} <= set(scores)
    assert scores["leakage_guard"] == "leave-one-chapter-out"


def result_job_uri(book: Book, variant: str) -> str:
    jobs = book.translate.call("ListTextTranslationJobs", {})["TextTranslationJobPropertiesList"]
    job = next(j for j in jobs if j["JobName"].endswith(f"-{variant}"))
    return str(job["OutputDataConfig"]["S3Uri"])


def test_publishing_run_reports_the_review_workload_and_no_comparison(book: Book) -> None:
    # Given a publishing run of the whole book: two chapters with a human translation (kept by sync) and a new one
    task = pair_task("publish-1", chapters=None, publish=True, evaluate=False)
    # When the pair's steps and the run report run
    result = _run_pair(book, task)
    report = _report(book, "publish-1", [result])
    # Then the review workload lists every chapter: the synchronized ones and the new one (synced against
    # nothing, so all of it is machine output with review markers)
    assert result.status == "SUCCEEDED"
    rows = {row["path"]: row for row in report["sync"]["documents"]}
    assert set(rows) == {f"en-zh: {EVALUATED}", f"en-zh: {OTHER}", f"en-zh: {NEW}"}
    kept = rows[f"en-zh: {OTHER}"]
    assert kept["unchanged"] == kept["segments_total"] > 0
    assert kept["needs_review"] == 0
    new = rows[f"en-zh: {NEW}"]
    assert new["machine_translated"] == new["segments_total"] == new["needs_review"] == 3
    assert report["sync"]["totals"]["needs_review"] == 3
    # and nothing was scored, so there is no comparison and no leakage label
    assert report["experiments"] == []
    assert report["scores"] == []
    # and the one job is billed at the ACT price (it used the book's parallel data)
    (line,) = report["cost"]["lines"]
    assert line["label"] == "en-zh ACT job (ACT price)"
    assert line["characters"] == result.characters_billed > 0
    # and the term check covers the new chapter's machine translation
    assert report["terminology"]["occurrences"] == 1
    assert "<h2>Review workload</h2>" in report["_html"]
    # and no note speaks of scores or a leakage guard, since nothing was scored
    assert not any("leakage" in note or "answer key" in note for note in report["notes"])
    # and the review page is written beside the report: one row to review per marker of the published chapters
    assert report["review_page"] == "review.html"
    page = book.s3.get_object(Bucket=OUTPUT, Key="reports/publish-1/review.html")["Body"].read().decode()
    published = [
        book.s3.get_object(Bucket=OUTPUT, Key=f"translated/zh/{chapter}")["Body"].read().decode()
        for chapter in (EVALUATED, OTHER, NEW)
    ]
    markers = sum(text.count("<!-- amts:review ") for text in published)
    assert markers == 3
    to_review = [row for row in report["segments"] if row["classes"][0] not in ("kept", "markup-updated")]
    assert len(to_review) == markers
    assert {row["file"] for row in to_review} == {f"translated/zh/{NEW}"}
    assert page.count('class="row" data-class="machine-translated"') == markers
    assert 'href="review.html"' in report["_html"]


def test_an_edit_after_publishing_is_one_machine_translated_segment_to_review(book: Book) -> None:
    # Given a published book, and then one paragraph of a chapter edited
    _run_pair(book, pair_task("publish-1", chapters=None, publish=True, evaluate=False))
    edited = BOOK[OTHER][0].replace("Labels are often expensive to collect.", "Labels usually cost a lot to collect.")
    book.s3.put_object(Bucket=INPUT, Key=f"book/en/{OTHER}", Body=edited.encode())
    # When the chapter is synchronized
    result = _run_pair(book, pair_task("sync-1", chapters=[OTHER], publish=True, evaluate=False))
    report = _report(book, "sync-1", [result])
    # Then the workload shows one machine-translated segment to review and the rest kept
    (row,) = report["sync"]["documents"]
    assert row["path"] == f"en-zh: {OTHER}"
    assert row["machine_translated"] == 1
    assert row["needs_review"] == 1
    assert row["unchanged"] == row["segments_total"] - 1
    # and only that paragraph was billed
    assert report["cost"]["lines"][0]["characters"] == len("Labels usually cost a lot to collect.")


def test_the_pair_report_is_found_by_run_and_pair(book: Book) -> None:
    task = pair_task("eval-2", chapters=[EVALUATED], publish=False, evaluate=True)
    _run_pair(book, task)
    stored = json.loads(book.s3.get_object(Bucket=OUTPUT, Key=pair_report_key("eval-2", "en-zh"))["Body"].read())
    assert [job["role"] for job in stored["jobs"]] == ["ACT", "baseline"]
    assert stored["leakage_guard"] == "leave-one-chapter-out"
    # the stand-in served these jobs, and the report says so (Amazon Translate writes no engine field)
    assert all(job["engine"].startswith(STAND_IN_NAME) and job["engine"] != AWS_ENGINE for job in stored["jobs"])
    assert sum(stored["jobs"][1]["engine_usage"].values()) == 4  # one engine per translated segment


def test_a_configured_glossary_file_is_checked_in_full(book: Book) -> None:
    # Given the glossary the terminology was built from, in the book's markdown form (zh-en, reoriented)
    key = "book/extras/TERMINOLOGY.zh-en.md"
    glossary = "损失函数，loss function\n训练集，training set\n标签，label\n"
    book.s3.put_object(Bucket=INPUT, Key=key, Body=glossary.encode())
    # When an evaluation run is scored with it
    result = _run_pair(book, pair_task("eval-g", chapters=[EVALUATED], publish=False, evaluate=True), glossary_key=key)
    report = _report(book, "eval-g", [result])
    # Then every glossary term found in the source is checked, not only those Translate applied
    terms = report["terminology"]
    assert terms["glossary"] == f"en-zh: {key}"
    assert terms["terms_checked"] == 2  # loss function (3 times) and training set (once); no label in the chapter
    assert terms["occurrences"] == 4
    missing = {issue["term"] for issue in terms["issues"]}
    assert "training set" in missing  # the stand-in was given no term for it, and its pseudo output lacks 训练集


def test_a_broken_glossary_is_reported_without_failing_the_pair(book: Book) -> None:
    # Given a glossary whose languages cannot be told (no language codes in its name)
    key = "book/extras/glossary.md"
    book.s3.put_object(Bucket=INPUT, Key=key, Body="损失函数，loss function\n".encode())
    # When a publishing run is scored with it
    result = _run_pair(book, pair_task("pub-g", chapters=[NEW], publish=True, evaluate=False), glossary_key=key)
    report = _report(book, "pub-g", [result])
    # Then the pair still succeeds (its chapter is published), and the report says why terms were not checked
    assert result.status == "SUCCEEDED"
    assert report["terminology"] is None
    (note,) = [note for note in report["notes"] if "term check not run" in note]
    assert f"s3://{INPUT}/{key}: cannot tell the glossary's languages" in note
