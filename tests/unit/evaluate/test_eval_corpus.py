"""On the real d2l corpus: the evaluation sections pair segment for segment with their human translation."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from amts.book import parse_file
from amts.evaluate.pairing import pair_segments
from amts.evaluate.scoring import score_documents, segment_views

pytestmark = pytest.mark.corpus


def _sections(corpus_dir: Path) -> list[str]:
    with (corpus_dir / "EVAL_SECTIONS.tsv").open(encoding="utf-8", newline="") as handle:
        return [row["zh_path"] for row in csv.DictReader(handle, delimiter="\t")]


def test_evaluation_sections_pair_with_their_translation(corpus_dir: Path) -> None:
    for rel in _sections(corpus_dir):
        en = segment_views(parse_file(corpus_dir / "origin" / "en" / rel))
        zh = segment_views(parse_file(corpus_dir / "origin" / "zh" / rel))
        pairing = pair_segments(en, zh, tgt_lang="zh")
        smaller = min(pairing.info.hyp_segments, pairing.info.ref_segments)
        assert pairing.info.paired >= 0.9 * smaller, (rel, pairing.info)


def test_an_untranslated_hypothesis_scores_near_zero_and_the_reference_scores_100(corpus_dir: Path) -> None:
    rel = _sections(corpus_dir)[0]
    en = parse_file(corpus_dir / "origin" / "en" / rel)
    zh = parse_file(corpus_dir / "origin" / "zh" / rel)
    untranslated = score_documents(en, zh, tgt_lang="zh")
    perfect = score_documents(zh, zh, tgt_lang="zh")
    assert untranslated.run.metrics[0].score < 5
    assert perfect.run.metrics[0].score == pytest.approx(100.0)
    assert untranslated.run.segments == perfect.run.segments
