"""Sentence alignment: a dynamic program over beads scored by embeddings, length, anchors and a lexicon.

Two passes keep whole book sections fast: a vectorised pass with 1-1/1-0/0-1 moves finds the rough path, then the
full bead set {1-1, 1-2, 2-1, 2-2, 1-3, 3-1, 1-0, 0-1} is searched in a band around it (as Vecalign narrows its
search around a coarse path). Nothing assumes English is the source: every signal is symmetric, and the length
ratio and its variance are estimated from the input itself.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from amts.align.anchors import NON_LATIN_LANGUAGES, extract_anchors, uses_latin_tokens
from amts.align.embeddings import FloatMatrix, embed
from amts.align.lexicon import Lexicon, TermMatcher
from amts.align.models import Bead
from amts.language_profiles import length_ratio, sentence_separator

PAIR_SHAPES: tuple[tuple[int, int], ...] = ((1, 1), (1, 2), (2, 1), (2, 2), (1, 3), (3, 1))
WIDE_SHAPES: tuple[tuple[int, int], ...] = ((1, 4), (4, 1), (2, 3), (3, 2))
MAX_BLOCK = 4
SKIP_SHAPES: tuple[tuple[int, int], ...] = ((1, 0), (0, 1))
_INF = float("inf")
_LENGTH_COST_CAP = 30.0
_DENSE_LIMIT = 1_500_000  # cells; six float32 tables of this size take 36 MB


@dataclass(frozen=True)
class AlignerParams:
    """Weights of the bead cost; the defaults were tuned on the dev gold set (tests/data/align).

    - ``embedding_weight``: weight of ``(1 - cos) / baseline``, multiplied by ``(n_src * n_tgt) ** size_exponent``
      (Vecalign's penalty on large beads); ``local_normalisation`` uses per-sentence baselines.
    - ``length_weight``: weight of the Gale-Church length cost (ratio and variance fitted to the input).
    - ``anchor_*``, ``latin_*``, ``lexicon_*``: reward per shared anchor and penalty per unmatched one.
    - ``skip_cost``: cost of leaving one sentence unpaired (1-0/0-1); ``shape_penalty``: per bead type.
    - ``wide_shapes``: also search 1-4, 4-1, 2-3, 3-2; ``concat_blocks``: embed runs of sentences as one text
      instead of summing sentence vectors (3x slower, not better on the dev set).
    - ``band``: half-width of the search band around the rough path; ``use_embeddings``: off = length + anchors.
    """

    embedding_weight: float = 1.0
    length_weight: float = 0.06
    anchor_match: float = 0.35
    anchor_miss: float = 0.2
    latin_match: float = 0.2
    latin_miss: float = 0.1
    lexicon_match: float = 0.15
    lexicon_miss: float = 0.03
    skip_cost: float = 0.9
    shape_penalty: dict[tuple[int, int], float] = field(
        default_factory=lambda: {
            (1, 1): 0.0,
            (1, 2): 0.3,
            (2, 1): 0.3,
            (2, 2): 0.5,
            (1, 3): 0.5,
            (3, 1): 0.5,
            (1, 4): 0.8,
            (4, 1): 0.8,
            (2, 3): 0.8,
            (3, 2): 0.8,
        }
    )
    size_exponent: float = 1.0
    concat_blocks: bool = False
    local_normalisation: bool = True
    wide_shapes: bool = True
    band: int = 10
    use_embeddings: bool = True


def _length(text: str, unit: str) -> int:
    compact = "".join(text.split())
    return len(compact.encode("utf-8")) if unit == "bytes" else len(compact)


@dataclass
class _LengthModel:
    unit: str
    ratio: float
    variance: float

    def cost(self, src_len: int, tgt_len: int) -> float:
        if src_len == 0 and tgt_len == 0:
            return 0.0
        mean = max((src_len + tgt_len / self.ratio) / 2.0, 1.0)
        delta = (tgt_len / self.ratio - src_len) / math.sqrt(self.variance * mean)
        tail = math.erfc(abs(delta) / math.sqrt(2.0))
        return _LENGTH_COST_CAP if tail <= 1e-13 else min(-math.log(tail), _LENGTH_COST_CAP)


def _fit_length_model(
    src: Sequence[str], tgt: Sequence[str], pairs: Sequence[tuple[int, int]], prior: float | None = None
) -> _LengthModel:
    """Pick chars or bytes, whichever predicts the other side better on the rough 1-1 pairs, and fit its ratio.
    Too few pairs to fit: the languages' ratio measured on the corpus (``prior``, chars), else the input's totals."""
    best: _LengthModel | None = None
    best_spread = _INF
    for unit in ("chars", "bytes"):
        lens = [(_length(src[i], unit), _length(tgt[j], unit)) for i, j in pairs]
        lens = [(a, b) for a, b in lens if a > 0 and b > 0]
        if len(lens) < 3:
            total_src = sum(_length(s, unit) for s in src) or 1
            total_tgt = sum(_length(t, unit) for t in tgt) or 1
            ratio = prior if prior is not None and unit == "chars" else total_tgt / total_src
            model = _LengthModel(unit, ratio, 6.8)
            spread = 1.0
        else:
            ratio = sum(b for _, b in lens) / sum(a for a, _ in lens)
            logs = sorted(abs(math.log(b / (ratio * a))) for a, b in lens)
            spread = logs[len(logs) // 2]
            scaled = sorted((b / ratio - a) ** 2 / max((a + b / ratio) / 2, 1.0) for a, b in lens)
            variance = max(scaled[len(scaled) // 2] * 2.2, 1.0)  # median of a chi-square(1) is 0.455 of its mean
            model = _LengthModel(unit, ratio, variance)
        if spread < best_spread:
            best, best_spread = model, spread
    assert best is not None
    return best


class _Features:
    """Per-sentence signals and block-level costs for one pair of sentence lists."""

    def __init__(
        self,
        src: Sequence[str],
        tgt: Sequence[str],
        src_lang: str,
        tgt_lang: str,
        lexicon: Lexicon | None,
        params: AlignerParams,
        src_vectors: FloatMatrix | None,
        tgt_vectors: FloatMatrix | None,
        extra: tuple[Sequence[Counter[str]], Sequence[Counter[str]]] | None = None,
        block_vectors: tuple[dict[int, FloatMatrix], dict[int, FloatMatrix]] | None = None,
    ) -> None:
        self.src, self.tgt, self.params = src, tgt, params
        self.src_anchors = [extract_anchors(s) for s in src]
        self.tgt_anchors = [extract_anchors(t) for t in tgt]
        if extra is not None:
            for anchors, more in ((self.src_anchors, extra[0]), (self.tgt_anchors, extra[1])):
                for anchor, tokens in zip(anchors, more, strict=True):
                    anchor.tokens.update(tokens)
        self.ratio_prior = length_ratio(src_lang, tgt_lang)
        self.latin = uses_latin_tokens(src_lang, tgt_lang)
        self.latin_on_src = self.latin and not _latin_script(src_lang)
        self.src_terms: list[Counter[str]] = [Counter() for _ in src]
        self.tgt_terms: list[Counter[str]] = [Counter() for _ in tgt]
        if lexicon is not None:
            entries = lexicon.oriented(src_lang, tgt_lang)
            src_matcher = TermMatcher([a for a, _ in entries])
            tgt_matcher = TermMatcher([b for _, b in entries])
            self.src_terms = [Counter(src_matcher.find(s)) for s in src]
            self.tgt_terms = [Counter(tgt_matcher.find(t)) for t in tgt]
        self.use_embeddings = params.use_embeddings and src_vectors is not None and tgt_vectors is not None
        if self.use_embeddings and src_vectors is not None and tgt_vectors is not None:
            self.sim: npt.NDArray[np.float64] = (src_vectors @ tgt_vectors.T).astype(np.float64)
            src_blocks, tgt_blocks = block_vectors or (_mean_blocks(src_vectors), _mean_blocks(tgt_vectors))
            self.src_blocks, self.tgt_blocks = src_blocks, tgt_blocks
            # Whole-matrix products are fastest for sections; very long inputs compute blocks on demand.
            self.block_sims = (
                {(a, b): src_blocks[a] @ tgt_blocks[b].T for a, b in PAIR_SHAPES + WIDE_SHAPES}
                if len(src) * len(tgt) <= _DENSE_LIMIT
                else {}
            )
            self.base = float(np.mean(1.0 - self.sim)) if self.sim.size >= 16 else 0.95
            self.base = max(self.base, 0.3)
            # Per-sentence baselines (Vecalign): how far each sentence is from the other side's sentences on
            # average, so that generic sentences that resemble everything are not favoured.
            if params.local_normalisation and self.sim.size >= 16:
                self.src_base = _prefix_float(np.maximum(np.mean(1.0 - self.sim, axis=1), 0.3).tolist())
                self.tgt_base = _prefix_float(np.maximum(np.mean(1.0 - self.sim, axis=0), 0.3).tolist())
            else:
                self.src_base = _prefix_float([self.base] * len(src))
                self.tgt_base = _prefix_float([self.base] * len(tgt))
        else:
            self.sim = np.zeros((len(src), len(tgt)))
            self.base = 1.0
        self._count_cache: dict[tuple[int, int, int, int], tuple[int, int, int, int, int, int]] = {}
        self._blocks()
        self.length_model = _LengthModel("chars", 1.0, 6.8)
        self.src_len_chars = [0]
        self.tgt_len_chars = [0]

    def fit_length(self, pairs: Sequence[tuple[int, int]]) -> None:
        self.length_model = _fit_length_model(self.src, self.tgt, pairs, self.ratio_prior)
        unit = self.length_model.unit
        self.src_prefix = _prefix([_length(s, unit) for s in self.src])
        self.tgt_prefix = _prefix([_length(t, unit) for t in self.tgt])

    def block_similarity(self, i: int, a: int, j: int, b: int) -> float:
        table = self.block_sims.get((a, b))
        if table is not None:
            return float(table[i, j])
        return float(self.src_blocks[a][i] @ self.tgt_blocks[b][j])

    def _blocks(self) -> None:
        """Anchor counters of every run of up to three sentences on each side, summed once."""

        def runs(items: Sequence[Counter[str]]) -> list[list[Counter[str]]]:
            table: list[list[Counter[str]]] = [[Counter() for _ in range(len(items) + 1)]]
            for size in range(1, MAX_BLOCK + 1):
                row = []
                for start in range(len(items) + 1):
                    total: Counter[str] = Counter()
                    for k in range(start, min(start + size, len(items))):
                        total.update(items[k])
                    row.append(total)
                table.append(row)
            return table

        self.src_tokens = runs([a.tokens for a in self.src_anchors])
        self.tgt_tokens = runs([a.tokens for a in self.tgt_anchors])
        self.src_lex = runs(self.src_terms)
        self.tgt_lex = runs(self.tgt_terms)
        stemmed_src = [Counter({_stem(w): n for w, n in a.latin.items()}) for a in self.src_anchors]
        stemmed_tgt = [Counter({_stem(w): n for w, n in a.latin.items()}) for a in self.tgt_anchors]
        self.src_latin = runs(stemmed_src)
        self.tgt_latin = runs(stemmed_tgt)

    def anchor_counts(self, i: int, a: int, j: int, b: int) -> tuple[int, int, int, int, int, int]:
        """(anchors matched, missed; Latin words found, not found; lexicon terms matched, missed)."""
        key = (i, a, j, b)
        cached = self._count_cache.get(key)
        if cached is not None:
            return cached
        src_tokens, tgt_tokens = self.src_tokens[a][i], self.tgt_tokens[b][j]
        matched = sum((src_tokens & tgt_tokens).values()) if src_tokens and tgt_tokens else 0
        missed = src_tokens.total() + tgt_tokens.total() - 2 * matched
        hits = misses = 0
        if self.latin:
            words, home = (
                (self.src_latin[a][i], self.tgt_latin[b][j])
                if self.latin_on_src
                else (self.tgt_latin[b][j], self.src_latin[a][i])
            )
            for word, count in words.items():
                if word in home:
                    hits += count
                else:
                    misses += count
        lex_hit = lex_miss = 0
        if a and b:
            src_terms, tgt_terms = self.src_lex[a][i], self.tgt_lex[b][j]
            if src_terms or tgt_terms:
                lex_hit = sum((src_terms & tgt_terms).values())
                lex_miss = src_terms.total() + tgt_terms.total() - 2 * lex_hit
        result = (matched, missed, hits, misses, lex_hit, lex_miss)
        self._count_cache[key] = result
        return result

    def anchor_cost(self, i: int, a: int, j: int, b: int) -> float:
        p = self.params
        matched, missed, hits, misses, lex_hit, lex_miss = self.anchor_counts(i, a, j, b)
        return (
            p.anchor_miss * missed
            - p.anchor_match * matched
            + p.latin_miss * misses
            - p.latin_match * hits
            + p.lexicon_miss * lex_miss
            - p.lexicon_match * lex_hit
        )

    def bead_cost(self, i: int, a: int, j: int, b: int) -> tuple[float, float]:
        """Cost of pairing src[i:i+a] with tgt[j:j+b], and the block similarity (0 for skips)."""
        p = self.params
        if a == 0 or b == 0:
            return p.skip_cost * (a + b) + self.anchor_cost(i, a, j, b), 0.0
        similarity = self.block_similarity(i, a, j, b) if self.use_embeddings else 0.0
        src_len = self.src_prefix[i + a] - self.src_prefix[i]
        tgt_len = self.tgt_prefix[j + b] - self.tgt_prefix[j]
        cost = p.length_weight * self.length_model.cost(src_len, tgt_len)
        if self.use_embeddings:
            base = ((self.src_base[i + a] - self.src_base[i]) / a + (self.tgt_base[j + b] - self.tgt_base[j]) / b) / 2.0
            cost += p.embedding_weight * (1.0 - similarity) / base * (a * b) ** p.size_exponent
        cost += p.shape_penalty[(a, b)] + self.anchor_cost(i, a, j, b)
        return cost, similarity


def _latin_script(lang: str) -> bool:
    return lang not in NON_LATIN_LANGUAGES


def _stem(word: str) -> str:
    for suffix in ("es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)]
    return word


def _prefix_float(values: Sequence[float]) -> list[float]:
    out = [0.0]
    for value in values:
        out.append(out[-1] + value)
    return out


def _prefix(values: Sequence[int]) -> list[int]:
    out = [0]
    for value in values:
        out.append(out[-1] + value)
    return out


def _mean_blocks(vectors: FloatMatrix) -> dict[int, FloatMatrix]:
    """Embeddings of runs of 1-3 consecutive sentences as the normalised sum of their sentence embeddings."""
    blocks: dict[int, FloatMatrix] = {}
    for size in range(1, MAX_BLOCK + 1):
        count = max(len(vectors) - size + 1, 0)
        total = np.zeros((count, vectors.shape[1]), dtype=np.float32)
        for offset in range(size):
            total += vectors[offset : offset + count]
        norms = np.linalg.norm(total, axis=1, keepdims=True)
        blocks[size] = total / np.maximum(norms, 1e-9)
    return blocks


def _joined_blocks(texts: Sequence[str], lang: str, vectors: FloatMatrix) -> dict[int, FloatMatrix]:
    """Embeddings of runs of 2-3 consecutive sentences, encoded as one text (as Vecalign's overlaps)."""
    joiner = sentence_separator(lang)
    blocks = {1: vectors}
    for size in (2, 3):
        runs = [joiner.join(texts[i : i + size]) for i in range(max(len(texts) - size + 1, 0))]
        blocks[size] = embed(runs) if runs else np.zeros((0, vectors.shape[1]), dtype=np.float32)
    return blocks


def _rough_path(features: _Features, n: int, m: int) -> list[tuple[int, int]]:
    """Vectorised DP with 1-1, 1-0 and 0-1 moves only; returns the visited cells (i, j) from (0, 0) to (n, m)."""
    p = features.params
    skip = p.skip_cost
    if features.use_embeddings:
        pair_cost = p.embedding_weight * (1.0 - features.sim) / features.base
    else:
        src_len = np.array([_length(s, "chars") for s in features.src], dtype=np.float64)
        tgt_len = np.array([_length(t, "chars") for t in features.tgt], dtype=np.float64)
        ratio = max(tgt_len.sum(), 1.0) / max(src_len.sum(), 1.0)
        mean = np.maximum((src_len[:, None] + tgt_len[None, :] / ratio) / 2.0, 1.0)
        delta = np.abs(tgt_len[None, :] / ratio - src_len[:, None]) / np.sqrt(6.8 * mean)
        pair_cost = p.length_weight * np.minimum(delta**2 / 2.0, _LENGTH_COST_CAP)
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
    blocks = None
    if params.use_embeddings and params.concat_blocks and src_vectors is not None and tgt_vectors is not None:
        blocks = (_joined_blocks(src, src_lang, src_vectors), _joined_blocks(tgt, tgt_lang, tgt_vectors))
    features = _Features(src, tgt, src_lang, tgt_lang, lexicon, params, src_vectors, tgt_vectors, extra, blocks)
    path = _rough_path(features, n, m)
    rough_pairs = [(i, j) for (i, j), (i2, j2) in itertools.pairwise(path) if i2 == i + 1 and j2 == j + 1]
    features.fit_length(rough_pairs)
    band = _band(path, n, m, params.band)
    beads, _ = _search(features, n, m, band)
    return beads


def alignment_cost(
    src: Sequence[str], tgt: Sequence[str], *, src_lang: str, tgt_lang: str, params: AlignerParams
) -> float:
    """Total bead cost of the best alignment per sentence (no embeddings unless ``params`` asks for them)."""
    features = _Features(src, tgt, src_lang, tgt_lang, None, params, None, None)
    path = _rough_path(features, len(src), len(tgt))
    features.fit_length([(i, j) for (i, j), (i2, j2) in itertools.pairwise(path) if i2 == i + 1 and j2 == j + 1])
    _, cost = _search(features, len(src), len(tgt), _band(path, len(src), len(tgt), params.band))
    return cost / max(len(src) + len(tgt), 1)


def _search(features: _Features, n: int, m: int, band: Sequence[tuple[int, int]]) -> tuple[list[Bead], float]:
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
