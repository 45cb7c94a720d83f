"""Sentence alignment: a dynamic program over beads scored by embeddings, length, anchors and a lexicon.

Two passes keep whole book sections fast: a vectorised pass with 1-1/1-0/0-1 moves finds the rough path, then the
full bead set {1-1, 1-2, 2-1, 2-2, 1-3, 3-1, 1-0, 0-1} is searched in a band around it (as Vecalign narrows its
search around a coarse path). Nothing assumes English is the source: every signal is symmetric, and the length
ratio and its variance are estimated from the input itself.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence

import numpy as np

from amts.align.bead_cost import PAIR_SHAPES, WIDE_SHAPES, AlignerParams, BeadCosts
from amts.align.embeddings import FloatMatrix, embed
from amts.align.length_model import DEFAULT_VARIANCE, LENGTH_COST_CAP, text_length
from amts.align.lexicon import Lexicon
from amts.align.models import Bead

# AlignerParams is the type of ``align_sentences``'s ``params``: its callers import both from here.
__all__ = ["AlignerParams", "align_sentences", "alignment_cost"]

SKIP_SHAPES: tuple[tuple[int, int], ...] = ((1, 0), (0, 1))
_INF = float("inf")


def _rough_path(features: BeadCosts, n: int, m: int) -> list[tuple[int, int]]:
    """Vectorised DP with 1-1, 1-0 and 0-1 moves only; returns the visited cells (i, j) from (0, 0) to (n, m)."""
    p = features.params
    skip = p.skip_cost
    if features.use_embeddings:
        pair_cost = p.embedding_weight * (1.0 - features.sim) / features.base
    else:
        src_len = np.array([text_length(s, "chars") for s in features.src], dtype=np.float64)
        tgt_len = np.array([text_length(t, "chars") for t in features.tgt], dtype=np.float64)
        ratio = max(tgt_len.sum(), 1.0) / max(src_len.sum(), 1.0)
        mean = np.maximum((src_len[:, None] + tgt_len[None, :] / ratio) / 2.0, 1.0)
        delta = np.abs(tgt_len[None, :] / ratio - src_len[:, None]) / np.sqrt(DEFAULT_VARIANCE * mean)
        pair_cost = p.length_weight * np.minimum(delta**2 / 2.0, LENGTH_COST_CAP)
    ks = np.arange(m + 1, dtype=np.float64) * skip
    previous = ks.copy()
    moves = np.zeros((n + 1, m + 1), dtype=np.int8)  # 1 diagonal, 2 up (1-0), 3 left (0-1)
    moves[0, 1:] = 3
    for i in range(1, n + 1):
        through = np.empty(m + 1)
        through[0] = previous[0] + skip
        up = previous[1:] + skip
        diagonal = previous[:-1] + pair_cost[i - 1]
        through[1:] = np.minimum(up, diagonal)
        came = np.where(diagonal <= up, 1, 2).astype(np.int8)
        best = np.minimum.accumulate(through - ks) + ks
        row_moves = np.empty(m + 1, dtype=np.int8)
        row_moves[0] = 2
        row_moves[1:] = came
        row_moves[best < through - 1e-12] = 3
        moves[i] = row_moves
        previous = best
    path = [(n, m)]
    i, j = n, m
    while i > 0 or j > 0:
        move = moves[i, j]
        if move == 1:
            i, j = i - 1, j - 1
        elif move == 2:
            i -= 1
        else:
            j -= 1
        path.append((i, j))
    path.reverse()
    return path


def _band(path: Sequence[tuple[int, int]], n: int, m: int, width: int) -> list[tuple[int, int]]:
    low = [m] * (n + 1)
    high = [0] * (n + 1)
    for i, j in path:
        for row in range(max(0, i - width), min(n, i + width) + 1):
            low[row] = min(low[row], j - width)
            high[row] = max(high[row], j + width)
    return [(max(0, lo), min(m, hi)) for lo, hi in zip(low, high, strict=True)]


def align_sentences(
    src: Sequence[str],
    tgt: Sequence[str],
    *,
    src_lang: str,
    tgt_lang: str,
    lexicon: Lexicon | None = None,
    params: AlignerParams | None = None,
    src_vectors: FloatMatrix | None = None,
    tgt_vectors: FloatMatrix | None = None,
    src_extra: Sequence[Counter[str]] | None = None,
    tgt_extra: Sequence[Counter[str]] | None = None,
) -> list[Bead]:
    """Align two sentence lists; every index appears in exactly one bead, in order.

    ``src_vectors``/``tgt_vectors`` may pass precomputed embeddings (one L2-normalised row per sentence);
    ``src_extra``/``tgt_extra`` add anchor tokens per item (e.g. structural labels when aligning paragraphs).
    """
    params = params or AlignerParams()
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return [Bead((i,), ()) for i in range(n)] + [Bead((), (j,)) for j in range(m)]
    if params.use_embeddings:
        if src_vectors is None:
            src_vectors = embed(src)
        if tgt_vectors is None:
            tgt_vectors = embed(tgt)
    extra = (src_extra or [Counter() for _ in src], tgt_extra or [Counter() for _ in tgt])
    costs = BeadCosts(src, tgt, src_lang, tgt_lang, lexicon, params, src_vectors, tgt_vectors, extra)
    beads, _ = _best_path(costs)
    return beads


def alignment_cost(
    src: Sequence[str], tgt: Sequence[str], *, src_lang: str, tgt_lang: str, params: AlignerParams
) -> float:
    """Total bead cost of the best alignment per sentence (no embeddings unless ``params`` asks for them)."""
    _, cost = _best_path(BeadCosts(src, tgt, src_lang, tgt_lang, None, params, None, None))
    return cost / max(len(src) + len(tgt), 1)


def _best_path(features: BeadCosts) -> tuple[list[Bead], float]:
    """The two passes: the rough path, the length model fitted on its 1-1 steps, the banded search around it."""
    n, m = len(features.src), len(features.tgt)
    path = _rough_path(features, n, m)
    features.fit_length([(i, j) for (i, j), (i2, j2) in itertools.pairwise(path) if i2 == i + 1 and j2 == j + 1])
    return _search(features, n, m, _band(path, n, m, features.params.band))


def _search(features: BeadCosts, n: int, m: int, band: Sequence[tuple[int, int]]) -> tuple[list[Bead], float]:
    pair_shapes = PAIR_SHAPES + (WIDE_SHAPES if features.params.wide_shapes else ())
    shapes = tuple(shape for shape in pair_shapes if shape in features.params.shape_penalty) + SKIP_SHAPES
    cost: dict[tuple[int, int], float] = {(0, 0): 0.0}
    back: dict[tuple[int, int], tuple[int, int, float]] = {}
    for i in range(n + 1):
        lo, hi = band[i]
        for j in range(lo, hi + 1):
            if i == 0 and j == 0:
                continue
            best = _INF
            best_move = (0, 0, 0.0)
            for a, b in shapes:
                if a > i or b > j:
                    continue
                start = cost.get((i - a, j - b))
                if start is None:
                    continue
                step, similarity = features.bead_cost(i - a, a, j - b, b)
                total = start + step
                if total < best:
                    best, best_move = total, (a, b, similarity)
            if best < _INF:
                cost[(i, j)] = best
                back[(i, j)] = best_move
    if (n, m) not in back:
        raise RuntimeError("alignment band did not reach the end")  # cannot happen: the band contains the path
    beads: list[Bead] = []
    i, j = n, m
    while i > 0 or j > 0:
        a, b, similarity = back[(i, j)]
        beads.append(Bead(tuple(range(i - a, i)), tuple(range(j - b, j)), round(similarity, 4)))
        i, j = i - a, j - b
    beads.reverse()
    return beads, cost[(n, m)]
