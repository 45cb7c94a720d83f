"""The Score handler on moto: it scores a pair with the glossary the pipeline config names for that pair.

The pair's steps run on moto S3 with the stand-in serving Translate (``bilingual_book``, as in
``test_run_report_steps``); then the Score Lambda handler is invoked with the state machine's payload, configured
from the environment the stack sets.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from amts import config
from amts.pipeline_config import PipelineConfig
from amts_handlers import score, shared
from amts_steps.assemble import assemble_pair
from amts_steps.layout import pair_report_key
from amts_steps.pair_models import ScoreStep

from tests.integration.pipeline.bilingual_book import BUCKETS, INPUT, NEW, OUTPUT, WORK, Book, stage_and_translate
from tests.integration.pipeline.conftest import FakeLambdaContext

GLOSSARY_KEY = "glossaries/TERMINOLOGY.zh-en.md"  # outside book/: the stack grants Score this one key


@pytest.fixture(autouse=True)
def _cold_start() -> Iterator[None]:
    """Each test is a cold start: the handlers' cached settings and clients are built from its environment."""
    shared.reset()
    yield
    shared.reset()


def _configure(monkeypatch: pytest.MonkeyPatch, terminology_key: str | None) -> None:
    pair: dict[str, Any] = {"source": "en", "target": "zh", "evaluation": False}
    if terminology_key is not None:
        pair["terminology_key"] = terminology_key
    pipeline = PipelineConfig.model_validate({"language_pairs": [pair], "max_concurrency": 1})
    for name, value in {
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        config.ENV_INPUT_BUCKET: INPUT,
        config.ENV_WORK_BUCKET: WORK,
        config.ENV_OUTPUT_BUCKET: OUTPUT,
        config.ENV_PIPELINE_CONFIG: pipeline.to_env_json(),
    }.items():
        monkeypatch.setenv(name, value)


def _score_event(bilingual: Book) -> dict[str, Any]:
    """The Score state's payload for a publishing run of the new chapter (translated whole)."""
    step = stage_and_translate(bilingual, "score-h", NEW)
    assembled = assemble_pair(step, s3_client=bilingual.s3, **BUCKETS)
    return ScoreStep(task=step.task, stage=step.stage, jobs=step.jobs, assemble=assembled).model_dump(mode="json")


def _pair_report(bilingual: Book) -> dict[str, Any]:
    body = bilingual.s3.get_object(Bucket=OUTPUT, Key=pair_report_key("score-h", "en-zh"))["Body"].read()
    report: dict[str, Any] = json.loads(body)
    return report


def test_the_score_handler_checks_the_pairs_configured_glossary(
    book: Book,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a pair whose config names its glossary, stored in the input bucket
    glossary = "损失函数，loss function\n章节，chapter\n"
    book.s3.put_object(Bucket=INPUT, Key=GLOSSARY_KEY, Body=glossary.encode())
    _configure(monkeypatch, GLOSSARY_KEY)
    # When the Score function is invoked with the state machine's payload
    result = score.handler(_score_event(book), FakeLambdaContext())  # type: ignore[arg-type]
    # Then the term check ran on that glossary file (every term of it, not only those Translate applied)
    assert result["status"] == "SUCCEEDED"
    terms = _pair_report(book)["terminology"]
    assert terms["glossary"] == GLOSSARY_KEY
    assert terms["terms_checked"] == 2  # "loss function" and "chapter" both occur in the new chapter


def test_without_a_configured_glossary_the_handler_uses_the_terms_translate_applied(
    book: Book,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _configure(monkeypatch, None)
    score.handler(_score_event(book), FakeLambdaContext())  # type: ignore[arg-type]
    terms = _pair_report(book)["terminology"]
    assert terms["glossary"].startswith("terminology amts-terms-en-zh (the terms Translate reported applying)")


def test_a_configured_glossary_that_is_missing_is_a_note_not_a_failure(
    book: Book,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _configure(monkeypatch, "glossaries/absent.zh-en.md")
    result = score.handler(_score_event(book), FakeLambdaContext())  # type: ignore[arg-type]
    assert result["status"] == "SUCCEEDED"
    report = _pair_report(book)
    # the terms Translate applied stand in, and the missing file is not silently ignored
    assert report["terminology"]["glossary"].startswith("terminology amts-terms-en-zh")
    assert any("glossaries/absent.zh-en.md not found in the input bucket" in note for note in report["notes"])
