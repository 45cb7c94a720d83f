"""The study's A/B experiments with a fake engine: conditions, both directions, and the leakage guard."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from amts.book import parse
from amts.errors import InputError
from amts.evaluate.experiments import (
    CONDITION_NO_ACT,
    CONDITION_PARAGRAPH,
    CONDITION_SENTENCE,
    Engine,
    ParallelPair,
    compare_score_reports,
    run_experiments,
)
from amts.evaluate.models import ConditionResult, ExperimentReport, RunReport
from amts.evaluate.report_html import render_html
from amts.evaluate.scoring import score_documents, segment_views
from amts.languages import LanguagePair

from tests.unit.evaluate.eval_samples import (
    EN_SECTION,
    ZH_HYPOTHESIS,
    ZH_SECTION,
    FakeTranslationMemory,
    sample_book,
    sample_pools,
)


def _run(direction: str, *, allow_leakage: bool) -> tuple[ExperimentReport, FakeTranslationMemory]:
    book = sample_book()
    memory = FakeTranslationMemory()
    report = run_experiments(
        book,
        ["chapter_a/one.md"],
        LanguagePair.parse(direction),
        Engine("fake-tm", memory),
        sample_pools(book),
        allow_leakage=allow_leakage,
    )
    return report, memory


def _by_condition(report: ExperimentReport) -> dict[str, ConditionResult]:
    return {r.condition: r for r in report.rows[0].results}


def _bleu(result: ConditionResult) -> float:
    return next(m.score for m in result.metrics if m.metric == "BLEU")


def test_leave_one_chapter_out_is_the_default_and_removes_the_chapters_own_pairs() -> None:
    # Given a book whose evaluated section is in chapter_a
    report, memory = _run("en-zh", allow_leakage=False)
    results = _by_condition(report)
    sentence = results[CONDITION_SENTENCE]
    # Then the section's chapter pairs were excluded, and the report says so
    assert sentence.leakage_guard == "leave-one-chapter-out"
    assert sentence.excluded_pairs > 0
    pool = sample_pools(sample_book())["sentence"]
    assert sentence.parallel_pairs == len([p for p in pool if p.chapter != "chapter_a"])
    assert sentence.excluded_pairs == len([p for p in pool if p.chapter == "chapter_a"])
    assert "leave-one-chapter-out" in report.leakage_policy
    # And the engine only saw the other chapter's pairs (it never got the answer key)
    assert memory.calls[2][3] == sentence.parallel_pairs
    # And with the only sentence the other chapter shares, sentence pairs help a little, paragraphs do not
    untranslated = _bleu(results[CONDITION_NO_ACT])
    assert untranslated < 5  # only "PyTorch" and punctuation match an English hypothesis
    assert _bleu(results[CONDITION_PARAGRAPH]) == pytest.approx(untranslated)
    assert untranslated < _bleu(sentence) < 50


def test_own_pairs_included_only_when_opted_in_and_labelled_as_such() -> None:
    # Given the user opts in to using the chapter's own pairs
    report, _ = _run("en-zh", allow_leakage=True)
    results = _by_condition(report)
    # Then every ACT result is labelled as having seen its own pairs, and the scores show why that is no result
    for condition in (CONDITION_PARAGRAPH, CONDITION_SENTENCE):
        assert results[condition].leakage_guard == "own-pairs-included"
        assert results[condition].excluded_pairs == 0
    assert results[CONDITION_NO_ACT].leakage_guard == "no-parallel-data"
    assert _bleu(results[CONDITION_PARAGRAPH]) == pytest.approx(100.0)
    assert "included" in report.leakage_policy
    # And the HTML report flags it
    page = render_html(RunReport(experiments=[report]))
    assert 'class="banner bad"' in page
    assert "own-pairs-included" in page


def test_both_directions_and_the_engine_is_named_in_every_result() -> None:
    en_zh, _ = _run("en-zh", allow_leakage=True)
    zh_en, memory = _run("zh-en", allow_leakage=True)
    assert (zh_en.src_lang, zh_en.tgt_lang, zh_en.tokenize) == ("zh", "en", "13a")
    assert en_zh.tokenize == "zh"
    assert {c[1:3] for c in memory.calls} == {("zh", "en")}
    for report in (en_zh, zh_en):
        assert report.engine == "fake-tm"
        assert report.conditions == [CONDITION_NO_ACT, CONDITION_PARAGRAPH, CONDITION_SENTENCE]
        assert all(r.engine == "fake-tm" for row in report.rows for r in row.results)
        assert [t.name for t in report.totals] == report.conditions
    assert _bleu(_by_condition(zh_en)[CONDITION_PARAGRAPH]) == pytest.approx(100.0)


def test_only_translatable_segments_go_to_the_engine_and_are_scored() -> None:
    report, memory = _run("en-zh", allow_leakage=False)
    translatable = [v for v in segment_views(parse(EN_SECTION, path="en.md")) if v.translatable]
    assert memory.calls[0][0] == len(translatable)
    result = _by_condition(report)[CONDITION_NO_ACT]
    assert result.characters > 0
    assert result.pairing.skipped.get("tab-only-on-one-side") == 2
    assert result.segments == 6


def test_bad_engine_output_and_unknown_sections_are_clear_errors() -> None:
    book = sample_book()

    def broken(texts: Sequence[str], src: str, tgt: str, pairs: Sequence[ParallelPair] | None) -> list[str]:
        return list(texts)[:-1]

    with pytest.raises(InputError, match="returned"):
        run_experiments(book, ["chapter_a/one.md"], LanguagePair.parse("en-zh"), Engine("broken", broken), {})
    with pytest.raises(InputError, match="not in the book"):
        run_experiments(book, ["nope.md"], LanguagePair.parse("en-zh"), Engine("broken", broken), {})


def test_pipeline_scores_compare_chapter_by_chapter_and_state_the_leakage() -> None:
    # Given a pipeline's baseline and ACT scores for the same chapter
    ref = parse(ZH_SECTION, path="zh/chapter_a/one.md")
    baseline = score_documents(parse(ZH_HYPOTHESIS, path="zh/chapter_a/one.md"), ref, tgt_lang="zh")
    act = score_documents(ref, ref, tgt_lang="zh")
    # When compared, with parallel data built from the same book
    report = compare_score_reports(
        baseline, act, src_lang="en", engine="stand-in", leakage_guard="own-pairs-included", parallel_pairs=40
    )
    # Then Table 1 has one row per chapter, and the report says the ACT scores saw the answer key
    assert report.conditions == [CONDITION_NO_ACT, "with ACT"]
    assert [row.section for row in report.rows] == ["chapter_a"]
    results = {r.condition: r for r in report.rows[0].results}
    assert _bleu(results["with ACT"]) == pytest.approx(100.0)
    assert _bleu(results[CONDITION_NO_ACT]) < 100
    assert results["with ACT"].leakage_guard == "own-pairs-included"
    assert "answer key" in report.leakage_policy
    page = render_html(RunReport(experiments=[report]))
    assert "Table 1 — without vs with ACT" in page
    assert "Table 2" not in page
