"""Are two texts a translation of each other? A test that needs no embeddings, for any language pair.

A translation follows its source sentence by sentence, so the lengths (and numbers, code, math) of the two sides
line up in order; shuffle the target and they no longer do. The *order gain* is how much cheaper, per sentence,
the best alignment of the real texts is than the best alignment of the source with its target shuffled (median
of three fixed shuffles). On the D2L translations (en-vi, en-tr, en-pt, en-ko, en-ja, en-zh; 48 sections, see
docs/decisions.md) real pairs of 30 sentences or more gain 0.09-0.96 and a section paired with another section's
translation gains -0.04 to 0.03. Below ``MIN_SENTENCES`` on a side the test cannot tell, and says so.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from amts.align.sentences import AlignerParams, alignment_cost

MIN_GAIN = 0.05
MIN_SENTENCES = 20
SHUFFLES = 3


@dataclass(frozen=True)
class OrderTest:
    """The order gain, and whether it is large enough (``None`` when the texts are too short to tell)."""

    gain: float
    related: bool | None


def order_test(src: Sequence[str], tgt: Sequence[str], *, src_lang: str, tgt_lang: str) -> OrderTest:
    """Compare the alignment cost of the texts with the cost after shuffling the target (seeded, deterministic)."""
    params = AlignerParams(use_embeddings=False)
    real = alignment_cost(src, tgt, src_lang=src_lang, tgt_lang=tgt_lang, params=params)
    shuffled = []
    for seed in range(SHUFFLES):
        order = list(tgt)
        random.Random(seed).shuffle(order)
        shuffled.append(alignment_cost(src, order, src_lang=src_lang, tgt_lang=tgt_lang, params=params))
    gain = sorted(shuffled)[SHUFFLES // 2] - real
    if min(len(src), len(tgt)) < MIN_SENTENCES:
        return OrderTest(round(gain, 4), None)
    return OrderTest(round(gain, 4), gain >= MIN_GAIN)
