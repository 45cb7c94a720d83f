"""Strict/lax precision, recall and F1 over beads, as Vecalign's score.py computes them."""

from __future__ import annotations

import pytest
from amts.align.scoring import score_alignments

GOLD = [((0,), (0,)), ((1, 2), (1,)), ((3,), ()), ((4,), (2,))]


def test_identical_alignment_scores_one() -> None:
    score = score_alignments([GOLD], [GOLD])
    assert score.f1_strict == 1.0
    assert score.f1_lax == 1.0


def test_split_merge_counts_as_lax_but_not_strict_match() -> None:
    # Given a test alignment that splits the gold 2-1 bead into a 1-1 and a 1-0
    test = [((0,), (0,)), ((1,), (1,)), ((2,), ()), ((3,), ()), ((4,), (2,))]
    score = score_alignments([GOLD], [test])
    # Then precision counts 5 test beads: 3 strict hits (0-0, 3-, 4-2); 1-1 is lax only; (2,)->() is lax miss
    assert score.precision_strict == pytest.approx(3 / 5)
    assert score.precision_lax == pytest.approx(4 / 5)
    # And recall ignores deletions: gold pairs 0-0, 12-1, 4-2; test pairs 0-0, 1-1, 4-2 -> 2 strict of 3
    assert score.recall_strict == pytest.approx(2 / 3)
    assert score.recall_lax == pytest.approx(1.0)
    assert score.f1_strict == pytest.approx(2 * 0.6 * (2 / 3) / (0.6 + 2 / 3))


def test_micro_average_sums_counts_over_documents() -> None:
    perfect = [((0,), (0,))] * 1
    wrong = [((0,), (1,)), ((1,), (0,))]
    gold_two = [((0,), (0,)), ((1,), (1,))]
    score = score_alignments([perfect, gold_two], [perfect, wrong])
    assert score.precision_strict == pytest.approx(1 / 3)


def test_mismatched_document_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="gold documents"):
        score_alignments([GOLD], [])
