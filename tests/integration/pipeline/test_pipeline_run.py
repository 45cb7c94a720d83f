"""The real handlers end to end under moto's Step Functions interpreter, Translate served by the stand-in.

A chapter with no translation yet is translated whole and published; after one paragraph of the source is
edited, a second run sends only that paragraph to Translate and keeps the rest of the published translation.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from amts import config
from amts_steps import layout
from amts_steps.pair_models import StageManifest

from amts_local.bookrun import bill_job, list_jobs
from tests.integration.pipeline.conftest import run_execution, stand_in_runtime

pytestmark = pytest.mark.slow

CHAPTER = "chapter_intro/index.md"
SOURCE = """# Introduction
:label:`chap_intro`

Machine learning programs learn from data. They improve with experience.

```{.python .input}
x = 1 + 1
```

The loss function $L(\\theta)$ measures how wrong a model is.
"""
EDITED = SOURCE.replace("They improve with experience.", "They get better with more experience.")


@pytest.fixture
def runtime() -> Any:
    with stand_in_runtime(evaluation=False) as local:
        yield local


def _job_inputs(runtime: Any, run_id: str) -> list[str]:
    prefix = f"{config.JOB_INPUT_PREFIX}{run_id}/en-zh/docs/"
    return [
        runtime.read_object(runtime.names.work_bucket, key).decode()
        for key in runtime.list_keys(runtime.names.work_bucket, prefix)
    ]


def test_new_chapter_is_published_then_an_edit_sends_only_the_changed_paragraph(runtime: Any) -> None:
    # Given a source chapter with no translation
    runtime.upload(f"book/en/{CHAPTER}", SOURCE)
    runtime.wait_for_uploads()
    # When the pipeline runs
    first = run_execution(runtime, {"pairs": ["en-zh"]}, name="first-run")
    # Then it succeeds and publishes the translated chapter, its source snapshot, the memory and the report
    assert first["status"] == "SUCCEEDED", first
    summary = json.loads(first["output"])
    assert summary["all_succeeded"] is True
    output = runtime.names.output_bucket
    published = runtime.read_object(output, f"translated/zh/{CHAPTER}").decode()
    assert "```{.python .input}\nx = 1 + 1\n```" in published  # code kept byte for byte
    assert "$L(\\theta)$" in published  # math kept
    assert ":label:`chap_intro`" in published
    assert published != SOURCE
    keys = set(runtime.list_keys(output))
    assert f"state/en-zh/source/{CHAPTER}" in keys
    assert "state/en-zh/memory.json" in keys
    assert {"reports/first-run/report.json", "reports/first-run/report.html", "reports/first-run/report.md"} <= keys
    whole_input = "".join(_job_inputs(runtime, "first-run"))
    assert "Machine learning programs learn from data." in whole_input

    # Given one sentence of the source is edited
    runtime.upload(f"book/en/{CHAPTER}", EDITED)
    runtime.wait_for_uploads()
    # When the pipeline runs again
    second = run_execution(runtime, {"pairs": ["en-zh"]}, name="second-run")
    # Then only the edited text went to Translate
    assert second["status"] == "SUCCEEDED", second
    sync_input = "".join(_job_inputs(runtime, "second-run"))
    assert "They get better with more experience." in sync_input
    assert "The loss function" not in sync_input
    assert "# Introduction" not in sync_input
    republished = runtime.read_object(output, f"translated/zh/{CHAPTER}").decode()
    assert republished != published
    # and the untouched translated text is kept as it was
    kept_line = next(line for line in published.splitlines() if "$L(\\theta)$" in line)
    assert kept_line in republished


def test_unchanged_book_translates_nothing(runtime: Any) -> None:
    runtime.upload(f"book/en/{CHAPTER}", SOURCE)
    runtime.wait_for_uploads()
    assert run_execution(runtime, {"pairs": ["en-zh"]}, name="one")["status"] == "SUCCEEDED"
    again = run_execution(runtime, {"pairs": ["en-zh"]}, name="two")
    assert again["status"] == "SUCCEEDED", again
    assert _job_inputs(runtime, "two") == []
    assert "NOTHING_TO_TRANSLATE" in json.loads(again["output"])["message"]


REFERENCE = """# 引言
:label:`chap_intro`

机器学习程序从数据中学习。它们随着经验而改进。

```{.python .input}
x = 1 + 1
```

损失函数 $L(\\theta)$ 衡量模型有多错。
"""


def test_evaluation_only_run_scores_against_the_reference_and_publishes_nothing(runtime: Any) -> None:
    # Given a chapter and its human translation
    runtime.upload(f"book/en/{CHAPTER}", SOURCE)
    runtime.upload(f"book/zh/{CHAPTER}", REFERENCE)
    runtime.wait_for_uploads()
    # When an evaluation-only run translates it
    description = run_execution(
        runtime, {"pairs": ["en-zh"], "chapters": [CHAPTER], "evaluate": True, "publish": False}, name="eval-run"
    )
    # Then the whole chapter went to Translate (the reference was held out of the parallel data) and was scored
    assert description["status"] == "SUCCEEDED", description
    assert "Machine learning programs learn from data." in "".join(_job_inputs(runtime, "eval-run"))
    output = runtime.names.output_bucket
    keys = set(runtime.list_keys(output))
    assert f"translated/zh/{CHAPTER}" not in keys
    scores = json.loads(runtime.read_object(output, "reports/eval-run/en-zh/scores.json"))
    metrics = {m["metric"]: m["score"] for m in scores["act"]["run"]["metrics"]}
    assert {"BLEU", "chrF"} <= set(metrics)
    assert f"reports/eval-run/en-zh/act/{CHAPTER}" in keys  # the scored translation, kept for reading
    report = json.loads(runtime.read_object(output, "reports/eval-run/report.json"))
    assert report["scores"][0]["tgt_lang"] == "zh"


OTHER_EN = (
    "# Linear Regression\n\nWe use regression whenever the answer we want is a number. "
    "Common examples include predicting prices.\n\nWe assume that the relationship is linear. "
    "The noise is well behaved.\n\nMachine learning programs learn from data. They improve with experience.\n"
)
OTHER_ZH = (
    "# 线性回归\n\n每当我们想预测一个数值时，就会出现回归问题。常见的例子包括预测价格。\n\n"
    "我们假设这种关系是线性的。噪声表现良好。\n\n机器学习程序从数据中学习。它们随着经验而改进。\n"
)


def _upload_two_translated_chapters(runtime: Any) -> None:
    """Both chapters in English and Chinese: an evaluated pair's reference and its parallel data."""
    runtime.upload(f"book/en/{CHAPTER}", SOURCE)
    runtime.upload(f"book/zh/{CHAPTER}", REFERENCE)
    runtime.upload("book/en/other.md", OTHER_EN)
    runtime.upload("book/zh/other.md", OTHER_ZH)
    runtime.wait_for_uploads()


def test_act_and_baseline_jobs_run_on_the_stand_in_and_are_both_scored() -> None:
    # Given a book with two translated chapters; the one not evaluated feeds the parallel data
    with stand_in_runtime(evaluation=True) as runtime:
        _upload_two_translated_chapters(runtime)
        # When an evaluation run translates the first chapter
        description = run_execution(
            runtime, {"chapters": [CHAPTER], "evaluate": True, "publish": False}, name="act-eval"
        )
        # Then parallel data was built by the real aligner and imported, an ACT job and a baseline job ran,
        # and both were scored
        assert description["status"] == "SUCCEEDED", description
        work_keys = runtime.list_keys(runtime.names.work_bucket, config.PARALLEL_DATA_PREFIX)
        assert len(work_keys) == 1
        scores = json.loads(runtime.read_object(runtime.names.output_bucket, "reports/act-eval/en-zh/scores.json"))
        assert scores["act"] is not None
        assert scores["baseline"] is not None
        assert scores["act_engine"] != scores["baseline_engine"]  # the stand-in names its translation-memory engine
        summary = json.loads(description["output"])
        assert summary["all_succeeded"] is True


def test_a_job_completed_with_errors_publishes_the_good_chapters_and_names_the_bad_one(runtime: Any) -> None:
    # Given two new chapters, and Translate failing the first chapter's document (c00000.html)
    runtime.upload(f"book/en/{CHAPTER}", SOURCE)
    runtime.upload("book/en/other.md", OTHER_EN)
    runtime.wait_for_uploads()
    runtime.translate.finish_next_job_with_errors(["c00000.html"])
    # When the pipeline runs
    description = run_execution(runtime, {"pairs": ["en-zh"]}, name="partial")
    # Then the pair is reported failed, naming the chapter, and the other chapter is published
    assert description["status"] == "FAILED"
    assert description["error"] == "AMTS.PairsFailed"
    assert CHAPTER in description["cause"]
    keys = set(runtime.list_keys(runtime.names.output_bucket))
    assert "translated/zh/other.md" in keys
    assert f"translated/zh/{CHAPTER}" not in keys
    assert any(CHAPTER in json.dumps(n) for n in runtime.notifications())


def test_an_evaluated_sync_run_starts_one_job_and_bills_the_edit_once() -> None:
    # Given an evaluated pair (evaluation on, parallel data from the book's human translations) already published
    with stand_in_runtime(evaluation=True) as runtime:
        _upload_two_translated_chapters(runtime)
        first = run_execution(runtime, {"pairs": ["en-zh"], "evaluate": True}, name="sync-base")
        assert first["status"] == "SUCCEEDED", first
        jobs_before = {job["JobId"] for job in list_jobs(runtime)}
        # When one paragraph of the source is edited and a publishing run with evaluation on synchronizes it
        runtime.upload(f"book/en/{CHAPTER}", EDITED)
        runtime.wait_for_uploads()
        second = run_execution(runtime, {"pairs": ["en-zh"], "evaluate": True}, name="sync-edit")
        assert second["status"] == "SUCCEEDED", second
        # Then exactly one Translate job started for the pair: the ACT job, no baseline without ACT
        new_jobs = [job for job in list_jobs(runtime) if job["JobId"] not in jobs_before]
        assert len(new_jobs) == 1, new_jobs
        assert new_jobs[0]["ParallelDataNames"] == ["amts-en-zh"]
        # and it billed only the edited text, once
        manifest = StageManifest.model_validate_json(
            runtime.read_object(runtime.names.work_bucket, layout.stage_manifest_key("sync-edit", "en-zh"))
        )
        staged = {chapter.path: chapter for chapter in manifest.chapters}
        assert staged["other.md"].document is None  # unchanged: nothing of it goes to Translate
        chapter = staged[CHAPTER]
        assert chapter.mode == "sync"
        assert chapter.units == 1
        edited = "They get better with more experience."
        billed = [bill_job(runtime, job).characters for job in new_jobs]
        assert billed == [len(edited)]  # sync sends the edited sentence, once
        # (the cost guard's estimate counts the staged document's whole text, line breaks and title included)
        assert len(edited) <= chapter.characters < len(edited) + 40
        # and the run report prices that one job and says why there is no with/without-ACT comparison
        output = runtime.names.output_bucket
        report = json.loads(runtime.read_object(output, "reports/sync-edit/report.json"))
        assert [line["label"] for line in report["cost"]["lines"]] == ["en-zh ACT job (ACT price)"]
        assert report["experiments"] == []
        assert any("baseline job was skipped because no chapter of this run is scored" in n for n in report["notes"])
