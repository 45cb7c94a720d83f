"""The classical Gale & Church (1993) length-based sentence aligner: the baseline for ``amts align``.

Calibrated to the input: the length ratio ``c`` is the input's own total target/source character ratio (EN/ZH
differs a lot from the paper's 1.06), the variance is the paper's 6.8 per source character, and the bead priors
are the paper's (1-1 0.89, 1-0/0-1 0.0099, 2-1/1-2 0.089, 2-2 0.011). A full dynamic program, no band.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from amts.align.models import Bead

PRIORS: dict[tuple[int, int], float] = {
    (1, 1): 0.89,
    (1, 0): 0.0099 / 2,
    (0, 1): 0.0099 / 2,
    (2, 1): 0.089 / 2,
    (1, 2): 0.089 / 2,
    (2, 2): 0.011,
}
VARIANCE = 6.8


def _length(text: str) -> int:
    return len("".join(text.split()))


def _match_cost(src_len: int, tgt_len: int, ratio: float) -> float:
    if src_len == 0 and tgt_len == 0:
        return 0.0
    mean = (src_len + tgt_len / ratio) / 2.0
    delta = (tgt_len / ratio - src_len) / math.sqrt(VARIANCE * max(mean, 1.0))
    tail = math.erfc(abs(delta) / math.sqrt(2.0))
    return -math.log(max(tail, 1e-300))


def gale_church(src: Sequence[str], tgt: Sequence[str]) -> list[Bead]:
    """Align two sentence lists by length alone; every index appears once, in order."""
    n, m = len(src), len(tgt)
    src_len = [_length(s) for s in src]
    tgt_len = [_length(t) for t in tgt]
    ratio = (sum(tgt_len) or 1) / (sum(src_len) or 1)
    prior_cost = {shape: -math.log(p) for shape, p in PRIORS.items()}
    cost = [[math.inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int]]] = [[(0, 0)] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 and j == 0:
                continue
            best, move = math.inf, (0, 0)
            for (a, b), prior in prior_cost.items():
                if a > i or b > j:
                    continue
                start = cost[i - a][j - b]
                if start == math.inf:
                    continue
                total = start + prior + _match_cost(sum(src_len[i - a : i]), sum(tgt_len[j - b : j]), ratio)
                if total < best:
                    best, move = total, (a, b)
            cost[i][j], back[i][j] = best, move
    beads = []
    i, j = n, m
    while i > 0 or j > 0:
        a, b = back[i][j]
        beads.append(Bead(tuple(range(i - a, i)), tuple(range(j - b, j))))
        i, j = i - a, j - b
    beads.reverse()
    return beads
