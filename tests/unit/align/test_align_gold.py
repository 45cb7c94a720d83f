"""Accuracy on the hand-aligned gold set (offsets into ../shared/corpus/d2l), against Gale-Church."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from amts.align.gold import GoldSection, load_gold_dir
from amts.align.scoring import AlignmentScore, score_alignments
from amts.align.sentences import align_sentences

REPO = Path(__file__).resolve().parents[3]
GOLD_DIR = REPO / "tests" / "data" / "align"
sys.path.insert(0, str(REPO / "bench"))

from gale_church import gale_church  # noqa: E402


def _ours_and_gale_church(sections: list[GoldSection], *, tgt_lang: str) -> tuple[AlignmentScore, AlignmentScore]:
    """The gold sections aligned by ``align_sentences`` and by Gale-Church, each scored against the gold beads."""
    gold = [[(b.src, b.tgt) for b in s.beads] for s in sections]
    ours = [
        [(b.src, b.tgt) for b in align_sentences(s.src.sentences, s.tgt.sentences, src_lang="en", tgt_lang=tgt_lang)]
        for s in sections
    ]
    baseline = [[(b.src, b.tgt) for b in gale_church(s.src.sentences, s.tgt.sentences)] for s in sections]
    return score_alignments(gold, ours), score_alignments(gold, baseline)


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("split", ["dev", "check"])
def test_gold_f1_beats_the_bar_and_gale_church(corpus_dir: Path, split: str) -> None:
    sections = load_gold_dir(GOLD_DIR, corpus_dir, split=split)
    assert sections, f"no {split} sections in {GOLD_DIR}"
    our_score, gc_score = _ours_and_gale_church(sections, tgt_lang="zh")
    assert our_score.f1_strict >= 0.95
    assert 1 - our_score.f1_strict <= (1 - gc_score.f1_strict) / 2


@pytest.mark.corpus
def test_gold_files_rebuild_their_sentences_from_the_corpus(corpus_dir: Path) -> None:
    sections = load_gold_dir(GOLD_DIR, corpus_dir)
    assert {s.split for s in sections} == {"dev", "check"}
    for section in sections:
        assert all(section.src.sentences)
        assert all(section.tgt.sentences)


@pytest.mark.corpus
def test_vietnamese_gold_is_aligned_although_the_embedding_model_never_saw_vietnamese(
    multi_corpus_dir: Path, tmp_path: Path
) -> None:
    # Given hand-aligned en-vi sections (tests/data/align/multi, offsets into ../shared/corpus/d2l-multi)
    sections = load_gold_dir(GOLD_DIR / "multi", multi_corpus_dir)
    assert {s.tgt.lang for s in sections} == {"vi"}
    our_score, gc_score = _ours_and_gale_church(sections, tgt_lang="vi")
    assert our_score.f1_strict >= 0.95
    assert our_score.f1_strict > gc_score.f1_strict
    # And `amts align` accepts the real pair (it used to refuse it as unrelated) but refuses a mismatched one
    from amts_local.cli import main

    first, second = sections[0], sections[1]
    for name, lines in (("en", first.src.sentences), ("vi", first.tgt.sentences), ("other", second.tgt.sentences)):
        (tmp_path / f"{name}.txt").write_text("\n".join(lines) + "\n")
    out = tmp_path / "beads.txt"
    assert (
        main(
            ["align", str(tmp_path / "en.txt"), str(tmp_path / "vi.txt"), "--src", "en", "--tgt", "vi", "-o", str(out)]
        )
        == 0
    )
    assert out.read_text().count("\n") >= len(first.tgt.sentences) - 5
    assert main(["align", str(tmp_path / "en.txt"), str(tmp_path / "other.txt"), "--src", "en", "--tgt", "vi"]) == 2
