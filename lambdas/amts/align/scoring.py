"""Strict and lax precision/recall/F1 over beads, as in Vecalign's ``score.py`` (also used by Bertalign).

Precision counts every test bead (1-0 and 0-1 included); recall ignores 1-0/0-1 beads on both sides. Counts are
summed over documents (micro average). A test bead is a lax match when it overlaps a gold bead on both sides.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

BeadIndices = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True)
class AlignmentScore:
    precision_strict: float
    recall_strict: float
    f1_strict: float
    precision_lax: float
    recall_lax: float
    f1_lax: float

    def to_dict(self) -> dict[str, float]:
        return {name: round(getattr(self, name), 4) for name in self.__dataclass_fields__}


def _counts(gold: Iterable[BeadIndices], test: Iterable[BeadIndices]) -> tuple[int, int, int, int]:
    """True/false positives of ``test`` against ``gold``: (tp strict, fp strict, tp lax, fp lax)."""
    gold_set = {(tuple(s), tuple(t)) for s, t in gold if s or t}
    test_set = {(tuple(s), tuple(t)) for s, t in test if s or t}
    gold_targets: dict[int, set[int]] = defaultdict(set)
    for gold_src, gold_tgt in gold_set:
        for s in gold_src:
            gold_targets[s].update(gold_tgt)
    tp_strict = fp_strict = tp_lax = fp_lax = 0
    for bead in test_set:
        if bead in gold_set:
            tp_strict += 1
            tp_lax += 1
            continue
        fp_strict += 1
        overlap: set[int] = set()
        for s in bead[0]:
            overlap |= gold_targets[s]
        if overlap & set(bead[1]):
            tp_lax += 1
        else:
            fp_lax += 1
    return tp_strict, fp_strict, tp_lax, fp_lax


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def score_alignments(gold: Sequence[Sequence[BeadIndices]], test: Sequence[Sequence[BeadIndices]]) -> AlignmentScore:
    """Micro-averaged scores of several documents' test alignments against their gold alignments."""
    if len(gold) != len(test):
        raise ValueError(f"{len(gold)} gold documents but {len(test)} test documents")
    p_counts = [0, 0, 0, 0]
    r_counts = [0, 0, 0, 0]
    for gold_doc, test_doc in zip(gold, test, strict=True):
        for k, value in enumerate(_counts(gold_doc, test_doc)):
            p_counts[k] += value
        gold_pairs = [(s, t) for s, t in gold_doc if s and t]
        test_pairs = [(s, t) for s, t in test_doc if s and t]
        for k, value in enumerate(_counts(test_pairs, gold_pairs)):
            r_counts[k] += value
    precision_strict = _ratio(p_counts[0], p_counts[0] + p_counts[1])
    precision_lax = _ratio(p_counts[2], p_counts[2] + p_counts[3])
    recall_strict = _ratio(r_counts[0], r_counts[0] + r_counts[1])
    recall_lax = _ratio(r_counts[2], r_counts[2] + r_counts[3])
    return AlignmentScore(
        precision_strict,
        recall_strict,
        _f1(precision_strict, recall_strict),
        precision_lax,
        recall_lax,
        _f1(precision_lax, recall_lax),
    )
