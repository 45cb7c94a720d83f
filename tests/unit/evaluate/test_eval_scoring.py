"""Scoring documents through the book model: what counts, how segments pair, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from amts.book import parse
from amts.errors import InputError
from amts.evaluate.metrics import choose_tokenization, score_pairs
from amts.evaluate.models import ScoreReport
from amts.evaluate.pairing import (
    SKIP_NO_PROSE,
    SKIP_OTHER_TAB,
    SKIP_UNTRANSLATED_REF,
    SegmentView,
    pair_segments,
)
from amts.evaluate.scoring import chapter_of, score_documents, score_paths, segment_views

from tests.unit.evaluate.eval_samples import EN_SECTION, ZH_HYPOTHESIS, ZH_SECTION


def _bleu(report_metrics: list) -> float:  # type: ignore[type-arg]
    return float(next(m.score for m in report_metrics if m.metric == "BLEU"))


def _score_with_source(hypothesis: str, reference: str) -> ScoreReport:
    """Score a Chinese hypothesis against a Chinese reference, given the English section it was translated from."""
    src = parse(EN_SECTION, path="en.md")
    return score_documents(
        parse(hypothesis, path="h.md"), parse(reference, path="r.md"), tgt_lang="zh", src_doc=src, src_lang="en"
    )


def test_code_math_and_one_sided_tabs_do_not_count() -> None:
    # Given a hypothesis with a jax tab and a reference with a paddle tab (and code, display math in both)
    hyp, ref = parse(ZH_HYPOTHESIS, path="hyp.md"), parse(ZH_SECTION, path="ref.md")
    # When scored
    report = score_documents(hyp, ref, tgt_lang="zh")
    doc = report.documents[0]
    # Then only the six shared prose segments are paired, by structure, and the tabs are reported
    assert doc.pairing.strategy == "structure"
    assert doc.segments == 6
    assert doc.pairing.skipped == {SKIP_OTHER_TAB: 2}
    assert not doc.pairing.mismatch
    assert 0 < _bleu(doc.metrics) < 100
    assert report.tokenize == "zh"
    assert "tok:zh" in doc.metrics[0].signature


def test_inline_code_and_math_are_not_scored() -> None:
    views = {v.id: v for v in segment_views(parse(ZH_SECTION, path="ref.md"))}
    assert "vocab" not in views["s0007"].text
    assert "f(x)" not in views["s0002"].text
    assert views["s0002"].text.startswith("我们用字典")


def test_identical_documents_score_100_and_document_level_is_reported() -> None:
    doc = parse(ZH_SECTION, path="ref.md")
    report = score_documents(doc, doc, tgt_lang="zh")
    assert _bleu(report.run.metrics) == pytest.approx(100.0)
    assert _bleu(report.documents[0].document_level) == pytest.approx(100.0)
    assert report.run.metrics[0].score_unit == pytest.approx(1.0)


def test_score_equals_scoring_the_paired_segments_directly() -> None:
    hyp, ref = parse(ZH_HYPOTHESIS, path="hyp.md"), parse(ZH_SECTION, path="ref.md")
    report = score_documents(hyp, ref, tgt_lang="zh")
    hyp_views = [v for v in segment_views(hyp) if v.tabs != ("jax",)]
    ref_views = [v for v in segment_views(ref) if v.tabs != ("paddle",)]
    direct = score_pairs([v.text for v in hyp_views], [v.text for v in ref_views], choose_tokenization("zh"))
    assert _bleu(report.run.metrics) == pytest.approx(direct[0].score)


def test_segment_count_mismatch_is_reported_and_what_aligns_is_scored() -> None:
    # Given a reference with an extra paragraph the hypothesis lacks
    extra = ZH_SECTION.replace("* 关于词元的第一项。", "另外一段话，译者补充的内容。\n\n* 关于词元的第一项。")
    hyp, ref = parse(ZH_HYPOTHESIS, path="hyp.md"), parse(extra, path="ref.md")
    # When scored
    report = score_documents(hyp, ref, tgt_lang="zh")
    info = report.documents[0].pairing
    # Then the mismatch is reported, and the six segments that align are still scored
    assert info.mismatch
    assert info.hyp_segments == 6
    assert info.ref_segments == 7
    assert info.paired == 6
    assert len(info.ref_unpaired) == 1
    assert any("segment mismatch" in note and "scored the 6 pairs" in note for note in info.notes)
    assert report.documents[0].segments == 6


def test_untranslated_reference_segments_do_not_count() -> None:
    left_in_english = ZH_SECTION.replace("关于词元的第一项。", "First item about tokens.")
    report = score_documents(parse(ZH_HYPOTHESIS, path="h.md"), parse(left_in_english, path="r.md"), tgt_lang="zh")
    assert report.documents[0].pairing.skipped[SKIP_UNTRANSLATED_REF] == 1
    assert report.documents[0].segments == 5


def test_source_given_pairs_through_the_source_and_counts_untranslated_hypotheses() -> None:
    # Given a hypothesis that left one segment in English, and the source it came from
    partial = ZH_HYPOTHESIS.replace("关于词元的第一个项目。", "First item about tokens.")
    report = _score_with_source(partial, ZH_SECTION)
    info = report.documents[0].pairing
    # Then the untranslated hypothesis segment still counts (it is the engine's miss) and is noted
    assert report.documents[0].segments == 6
    assert any("equal their source" in note for note in info.notes)


def test_empty_hypothesis_is_a_clear_error() -> None:
    only_code = "```{.python .input}\nx = 1\n```\n"
    with pytest.raises(InputError, match="hypothesis is empty") as error:
        score_documents(parse(only_code, path="hyp.md"), parse(ZH_SECTION, path="ref.md"), tgt_lang="zh")
    assert "hyp.md" in str(error.value)


def test_empty_hypothesis_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "hyp.md").write_text("", encoding="utf-8")
    (tmp_path / "ref.md").write_text(ZH_SECTION, encoding="utf-8")
    with pytest.raises(InputError) as error:
        score_paths(tmp_path / "hyp.md", tmp_path / "ref.md", tgt_lang="zh")
    assert "hyp.md" in str(error.value)


def test_unknown_language_code_is_a_clear_error() -> None:
    doc = parse(ZH_SECTION, path="ref.md")
    with pytest.raises(InputError, match="unknown target language 'zz'"):
        score_documents(doc, doc, tgt_lang="zz")
    with pytest.raises(InputError, match="unknown source language"):
        score_documents(doc, doc, tgt_lang="zh", src_doc=doc, src_lang="english")


def test_folders_pair_files_by_path_and_report_missing_documents(tmp_path: Path) -> None:
    # Given two chapters in the hypothesis, one of them missing from the reference, and one reference-only file
    for side, text in (("hyp", ZH_HYPOTHESIS), ("ref", ZH_SECTION)):
        for chapter in ("chapter_a", "chapter_b"):
            (tmp_path / side / chapter).mkdir(parents=True)
            (tmp_path / side / chapter / "one.md").write_text(text, encoding="utf-8")
    (tmp_path / "hyp" / "chapter_b" / "two.md").write_text(ZH_HYPOTHESIS, encoding="utf-8")
    (tmp_path / "ref" / "chapter_a" / "three.md").write_text(ZH_SECTION, encoding="utf-8")
    # When the folders are scored
    report = score_paths(tmp_path / "hyp", tmp_path / "ref", tgt_lang="zh")
    # Then per-document, per-chapter and run scores are there, and the unmatched files are listed
    assert [c.name for c in report.chapters] == ["chapter_a", "chapter_b"]
    assert report.run.documents == 2
    assert report.run.segments == 12
    assert report.missing_ref == ["chapter_b/two.md"]
    assert report.missing_hyp == ["chapter_a/three.md"]
    assert _bleu(report.chapters[0].metrics) == pytest.approx(_bleu(report.run.metrics))


def test_mixing_a_file_and_a_folder_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "hyp.md").write_text(ZH_HYPOTHESIS, encoding="utf-8")
    (tmp_path / "refs").mkdir()
    with pytest.raises(InputError, match="folders for every side"):
        score_paths(tmp_path / "hyp.md", tmp_path / "refs", tgt_lang="zh")


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="hypothesis not found"):
        score_paths(tmp_path / "nope.md", tmp_path / "ref.md", tgt_lang="zh")


def test_chapter_is_the_folder_name() -> None:
    assert chapter_of("chapter_recurrent-modern/seq2seq.md") == "chapter_recurrent-modern"
    assert chapter_of("index.md") == "index"


def _view(seg_id: str, kind: str, text: str, anchors: tuple[str, ...] = ()) -> SegmentView:
    return SegmentView(id=seg_id, kind=kind, text=text, anchors=anchors)


def test_structure_diff_pairs_matching_kinds_when_there_is_no_aligner() -> None:
    hyp = [_view("h1", "heading", "标题", ("sec_a",)), _view("h2", "paragraph", "第一段"), _view("h3", "caption", "图")]
    ref = [
        _view("r1", "heading", "标题", ("sec_a",)),
        _view("r2", "list-item", "多出的列表项"),
        _view("r3", "paragraph", "第一段"),
        _view("r4", "caption", "图"),
    ]
    pairing = pair_segments(hyp, ref, tgt_lang="zh", aligner=None)
    assert pairing.info.strategy == "structure-diff"
    pairs = [(p.hyp_ids, p.ref_ids) for p in pairing.pairs]
    assert pairs == [(("h1",), ("r1",)), (("h2",), ("r3",)), (("h3",), ("r4",))]
    assert pairing.info.ref_unpaired == ["r2"]


def test_aligner_groups_join_many_to_one_segments() -> None:
    hyp = [_view("h1", "paragraph", "第一句。"), _view("h2", "paragraph", "第二句。")]
    ref = [_view("r1", "paragraph", "第一句。第二句。"), _view("r2", "list-item", "项")]
    pairing = pair_segments(hyp, ref, tgt_lang="zh", aligner=lambda: [(("h1", "h2"), ("r1",))])
    assert pairing.info.strategy == "aligner"
    assert pairing.pairs[0].hyp == "第一句。 第二句。"
    assert pairing.info.ref_unpaired == ["r2"]


def test_segments_with_nothing_to_translate_are_left_out() -> None:
    hyp = [_view("h1", "paragraph", "  "), _view("h2", "paragraph", "正文")]
    ref = [_view("r1", "paragraph", "正文")]
    pairing = pair_segments(hyp, ref, tgt_lang="zh")
    assert pairing.info.skipped == {SKIP_NO_PROSE: 1}
    assert pairing.info.strategy == "structure"


def test_with_a_source_a_different_reference_structure_pairs_through_the_aligner() -> None:
    # Given a reference with an extra paragraph, and the source the hypothesis was rebuilt from
    extra = ZH_SECTION.replace("* 关于词元的第一项。", "另外一段话，译者补充的内容。\n\n* 关于词元的第一项。")
    info = _score_with_source(ZH_HYPOTHESIS, extra).documents[0].pairing
    # Then source and reference are aligned across languages, and the extra paragraph is reported unpaired
    assert info.strategy in ("source-aligned", "structure-diff")
    assert info.paired == 6
    assert info.mismatch
