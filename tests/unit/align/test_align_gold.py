"""Accuracy on the hand-aligned gold set (offsets into ../shared/corpus/d2l), against Gale-Church."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from amts.align.gold import load_gold_dir
from amts.align.scoring import score_alignments
from amts.align.sentences import align_sentences

REPO = Path(__file__).resolve().parents[3]
GOLD_DIR = REPO / "tests" / "data" / "align"
sys.path.insert(0, str(REPO / "bench"))

from gale_church import gale_church  # noqa: E402


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("split", ["dev", "check"])
def test_gold_f1_beats_the_bar_and_gale_church(corpus_dir: Path, split: str) -> None:
    sections = load_gold_dir(GOLD_DIR, corpus_dir, split=split)
    assert sections, f"no {split} sections in {GOLD_DIR}"
    gold = [[(b.src, b.tgt) for b in s.beads] for s in sections]
    ours = [
        [(b.src, b.tgt) for b in align_sentences(s.src.sentences, s.tgt.sentences, src_lang="en", tgt_lang="zh")]
        for s in sections
    ]
    baseline = [[(b.src, b.tgt) for b in gale_church(s.src.sentences, s.tgt.sentences)] for s in sections]
    our_score, gc_score = score_alignments(gold, ours), score_alignments(gold, baseline)
    assert our_score.f1_strict >= 0.95
    assert 1 - our_score.f1_strict <= (1 - gc_score.f1_strict) / 2


@pytest.mark.corpus
def test_gold_files_rebuild_their_sentences_from_the_corpus(corpus_dir: Path) -> None:
    sections = load_gold_dir(GOLD_DIR, corpus_dir)
    assert {s.split for s in sections} == {"dev", "check"}
    for section in sections:
        assert all(section.src.sentences)
        assert all(section.tgt.sentences)
