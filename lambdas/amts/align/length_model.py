"""The Gale-Church length model of the bead search: how unlikely a pair of lengths is for a translation.

The unit (characters or UTF-8 bytes) and the length ratio are fitted to the input itself, so no language is assumed
to be the source.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

LENGTH_COST_CAP = 30.0
DEFAULT_VARIANCE = 6.8  # Gale and Church's variance per character, used until the input's own can be fitted


def text_length(text: str, unit: str) -> int:
    """Length of the text without whitespace, in characters or (``unit="bytes"``) UTF-8 bytes."""
    compact = "".join(text.split())
    return len(compact.encode("utf-8")) if unit == "bytes" else len(compact)


@dataclass
class LengthModel:
    unit: str
    ratio: float
    variance: float

    def cost(self, src_len: int, tgt_len: int) -> float:
        if src_len == 0 and tgt_len == 0:
            return 0.0
        mean = max((src_len + tgt_len / self.ratio) / 2.0, 1.0)
        delta = (tgt_len / self.ratio - src_len) / math.sqrt(self.variance * mean)
        tail = math.erfc(abs(delta) / math.sqrt(2.0))
        return LENGTH_COST_CAP if tail <= 1e-13 else min(-math.log(tail), LENGTH_COST_CAP)


def fit_length_model(
    src: Sequence[str], tgt: Sequence[str], pairs: Sequence[tuple[int, int]], prior: float | None = None
) -> LengthModel:
    """Pick chars or bytes, whichever predicts the other side better on the rough 1-1 pairs, and fit its ratio.
    Too few pairs to fit: the languages' ratio measured on the corpus (``prior``, chars), else the input's totals."""
    best: LengthModel | None = None
    best_spread = math.inf
    for unit in ("chars", "bytes"):
        lens = [(text_length(src[i], unit), text_length(tgt[j], unit)) for i, j in pairs]
        lens = [(a, b) for a, b in lens if a > 0 and b > 0]
        if len(lens) < 3:
            total_src = sum(text_length(s, unit) for s in src) or 1
            total_tgt = sum(text_length(t, unit) for t in tgt) or 1
            ratio = prior if prior is not None and unit == "chars" else total_tgt / total_src
            model = LengthModel(unit, ratio, DEFAULT_VARIANCE)
            spread = 1.0
        else:
            ratio = sum(b for _, b in lens) / sum(a for a, _ in lens)
            logs = sorted(abs(math.log(b / (ratio * a))) for a, b in lens)
            spread = logs[len(logs) // 2]
            scaled = sorted((b / ratio - a) ** 2 / max((a + b / ratio) / 2, 1.0) for a, b in lens)
            variance = max(scaled[len(scaled) // 2] * 2.2, 1.0)  # median of a chi-square(1) is 0.455 of its mean
            model = LengthModel(unit, ratio, variance)
        if spread < best_spread:
            best, best_spread = model, spread
    assert best is not None
    return best
