"""Pure parts of the run report: which engine a job's details name, and the leakage guard a run had."""

from __future__ import annotations

from typing import Any

import pytest
from amts.translate.job_outputs import AWS_ENGINE
from amts_steps.job_output import engine_usage
from amts_steps.layout import pair_report_key
from amts_steps.pair_models import AssembleResult, JobResult, JobsResult, ScoreStep, StageResult
from amts_steps.pair_report import baseline_skipped_note, leakage_guard_of
from amts_steps.plan_models import PairSettings, PairTask


def _stand_in_details() -> dict[str, Any]:
    return {
        "charactersTranslated": "120",
        "details": [
            {
                "sourceFile": "c00000.html",
                "engine": {"segments": [{"id": "s0001", "engine": "pseudo"}, {"id": "s0002", "engine": "pseudo"}]},
            },
            {
                "sourceFile": "c00001.html",
                "engine": {"segments": [{"id": "s0001", "engine": "translation-memory (exact)"}]},
            },
            {"sourceFile": "c00002.html", "errorCode": "CustomerError", "errorMessage": "bad"},
        ],
        "engine": {"name": "Some engine", "engines": ["pseudo", "translation-memory (exact)"]},
    }


def test_amazon_translate_details_name_amazon_translate() -> None:
    # Given the auxiliary details file Amazon Translate writes (no engine field), or none at all
    aws = {"charactersTranslated": "99", "details": [{"sourceFile": "c00000.html", "targetFile": "zh.c00000.html"}]}
    # Then the engine is Amazon Translate, with no per-segment breakdown (the service gives none)
    assert engine_usage(aws) == (AWS_ENGINE, {})
    assert engine_usage({}) == (AWS_ENGINE, {})


def test_an_engine_field_names_the_engine_and_counts_segments() -> None:
    name, usage = engine_usage(_stand_in_details())
    assert name == "Some engine (pseudo, translation-memory (exact))"
    assert usage == {"pseudo": 2, "translation-memory (exact)": 1}
    # and the count can be limited to some job input documents (one chapter's)
    assert engine_usage(_stand_in_details(), {"c00001.html"})[1] == {"translation-memory (exact)": 1}


def test_engine_labels_are_counted_by_kind_not_by_match_score() -> None:
    # Given segments made by fuzzy matches of many scores, some by several engines at once
    labels = [
        "translation-memory (fuzzy 0.86)",
        "translation-memory (fuzzy 0.97)",
        "pseudo, translation-memory (exact), translation-memory (fuzzy 0.86), translation-memory (fuzzy 0.90)",
        "translation-memory (exact), pseudo",
        "pseudo",
    ]
    details = {
        "details": [{"sourceFile": "c00000.html", "engine": {"segments": [{"engine": label} for label in labels]}}],
        "engine": {"name": "Stand-in", "engines": ["pseudo", "translation-memory (fuzzy 0.86)", "translation-memory "
                                                   "(fuzzy 0.99)"]},
    }  # fmt: skip
    # When the job's engines are counted
    name, usage = engine_usage(details)
    # Then the scores are gone and each combination of engines is one row, its engines in a fixed order
    assert name == "Stand-in (pseudo, translation-memory (fuzzy))"
    assert usage == {
        "pseudo": 1,
        "pseudo + translation-memory (exact)": 1,
        "pseudo + translation-memory (exact) + translation-memory (fuzzy)": 1,
        "translation-memory (fuzzy)": 2,
    }


def _step(*, publish: bool, parallel_data: list[str]) -> ScoreStep:
    pair = PairSettings(source="en", target="zh", parallel_data_name="amts-en-zh", reference_prefix="book/zh/")
    task = PairTask(
        run_id="r1",
        pair=pair,
        pair_name="en-zh",
        chapters=["a/index.md", "b/index.md"],
        chapter_count=2,
        publish=publish,
        evaluate=True,
        job_name="amts-r1-en-zh",
        client_token="t",
    )
    stage = StageResult(
        needs_translation=True,
        input_s3_uri="s3://w/in/",
        output_s3_uri="s3://w/out/act/",
        baseline_output_s3_uri="s3://w/out/baseline/",
        parallel_data_names=parallel_data,
        stage_key="in/meta/stage.json",
    )
    job = JobResult(JobId="j1", JobStatus="COMPLETED", ParallelDataNames=parallel_data)
    assemble = AssembleResult(
        chapters_published=0, segments_translated=3, segments_untranslated=0, characters_billed=10, details_key="k"
    )
    return ScoreStep(task=task, stage=stage, jobs=JobsResult(customized=job), assemble=assemble)


@pytest.mark.parametrize(
    ("publish", "parallel_data", "guard", "said"),
    [
        # BuildParallelData holds out every chapter of an evaluation-only (publish=false) run
        (False, ["amts-en-zh"], "leave-one-chapter-out", "all 2 evaluated chapter(s) were held out"),
        # a publishing run aligns every chapter with a human translation, the scored ones included
        (True, ["amts-en-zh"], "own-pairs-included", "may have seen the answer key"),
        # nothing left to build parallel data from: the "ACT" job ran uncustomized
        (False, [], "no-parallel-data", "without parallel data"),
        (True, [], "no-parallel-data", "without parallel data"),
    ],
)
def test_the_leakage_guard_states_what_build_parallel_data_did(
    publish: bool, parallel_data: list[str], guard: str, said: str
) -> None:
    label, note = leakage_guard_of(_step(publish=publish, parallel_data=parallel_data))
    assert label == guard
    assert said in note


def test_pair_report_sits_beside_the_pair_scores() -> None:
    assert pair_report_key("run-7", "en-zh") == "reports/run-7/en-zh/pair-report.json"


@pytest.mark.parametrize(
    ("parallel_data", "baseline_wanted", "has_baseline_job", "said"),
    [
        # a sync run: nothing scored, so Stage skipped the baseline; the report says why
        (["amts-en-zh"], False, False, "no chapter of this run is scored"),
        (["amts-en-zh"], False, True, None),  # it ran after all: nothing skipped
        ([], False, False, "there is no parallel data"),
        (["amts-en-zh"], True, False, None),  # wanted but missing: not a skip
        (["amts-en-zh"], True, True, None),
    ],
)
def test_a_skipped_baseline_is_explained(
    parallel_data: list[str], baseline_wanted: bool, has_baseline_job: bool, said: str | None
) -> None:
    step = _step(publish=True, parallel_data=parallel_data)
    baseline = JobResult(JobId="j2", JobStatus="COMPLETED") if has_baseline_job else None
    step = step.model_copy(
        update={
            "stage": step.stage.model_copy(update={"baseline_wanted": baseline_wanted}),
            "jobs": JobsResult(customized=step.jobs.customized, baseline=baseline),
        }
    )
    note = baseline_skipped_note(step)
    if said is None:
        assert note is None
    else:
        assert note is not None
        assert said in note


def test_no_skip_note_when_evaluation_is_off_or_nothing_was_translated() -> None:
    step = _step(publish=True, parallel_data=["amts-en-zh"])
    not_evaluated = step.model_copy(update={"task": step.task.model_copy(update={"evaluate": False})})
    assert baseline_skipped_note(not_evaluated) is None
    stage = step.stage.model_copy(update={"needs_translation": False})
    assert baseline_skipped_note(step.model_copy(update={"stage": stage})) is None
