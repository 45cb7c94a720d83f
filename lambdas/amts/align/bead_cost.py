"""The cost of one bead of the sentence alignment: embeddings, length, anchors and a lexicon, and their weights.

``BeadCosts`` holds the per-sentence signals of one pair of sentence lists and the running sums over blocks of up
to ``MAX_BLOCK`` sentences, so that the search prices any bead in constant time.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from amts.align.anchors import NON_LATIN_LANGUAGES, extract_anchors, uses_latin_tokens
from amts.align.embeddings import FloatMatrix, embed
from amts.align.length_model import DEFAULT_VARIANCE, LengthModel, fit_length_model, text_length
from amts.align.lexicon import Lexicon, TermMatcher
from amts.language_profiles import length_ratio, sentence_separator

PAIR_SHAPES: tuple[tuple[int, int], ...] = ((1, 1), (1, 2), (2, 1), (2, 2), (1, 3), (3, 1))
WIDE_SHAPES: tuple[tuple[int, int], ...] = ((1, 4), (4, 1), (2, 3), (3, 2))
MAX_BLOCK = 4
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


class BeadCosts:
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
            if params.concat_blocks:
                src_blocks, tgt_blocks = (
                    _joined_blocks(src, src_lang, src_vectors),
                    _joined_blocks(tgt, tgt_lang, tgt_vectors),
                )
            else:
                src_blocks, tgt_blocks = _mean_blocks(src_vectors), _mean_blocks(tgt_vectors)
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
        self.length_model = LengthModel("chars", 1.0, DEFAULT_VARIANCE)

    def fit_length(self, pairs: Sequence[tuple[int, int]]) -> None:
        self.length_model = fit_length_model(self.src, self.tgt, pairs, self.ratio_prior)
        unit = self.length_model.unit
        self.src_prefix = _prefix([text_length(s, unit) for s in self.src])
        self.tgt_prefix = _prefix([text_length(t, unit) for t in self.tgt])

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
    return list(itertools.accumulate(values, initial=0.0))


def _prefix(values: Sequence[int]) -> list[int]:
    return list(itertools.accumulate(values, initial=0))


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
