"""Fuzzy matches: an old English sentence close enough to a changed one that its human translation is kept.

Similarity is the character-level ``difflib`` ratio (2·matches / total length) of the two sentences once slide
marks and whitespace are ignored (``loose_key``): the measure translation-memory tools show as a "fuzzy match"
percentage, and the one the real D2L drift was measured with (a fifth of the English changed by a word or two,
at ≥ 0.90). A one-word change, a contraction or a citation style in a sentence of ordinary length scores above
0.90; a reworded sentence far below it (see ``docs/decisions.md``). The person reviewing a fuzzy-kept translation
is shown the English change as a compact word diff.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from amts.book import SpanKind, find_protected
from amts.sync.memory import loose_key

FUZZY_THRESHOLD = 0.90  # the default; configurable per pair (cdk.json ``fuzzy_threshold``, ``--fuzzy-threshold``)
DIFF_CHARS = 160  # a marker's diff is cut to this many characters
_TOKEN = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]")
_INDEX_WORD = re.compile(r"\w{4,}")

T = TypeVar("T")


def similarity(old: str, new: str) -> float:
    """The fuzzy-match score of two texts: character ratio of their loose keys (slide marks, whitespace aside)."""
    a, b = loose_key(old), loose_key(new)
    if a == b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _bounded_ratio(a: str, b: str, threshold: float) -> float:
    """``SequenceMatcher.ratio`` when its cheap upper bounds reach ``threshold``, else 0."""
    if 2 * min(len(a), len(b)) < threshold * (len(a) + len(b)):
        return 0.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
        return 0.0
    return matcher.ratio()


def tokens(text: str) -> list[str]:
    """Words (with inner hyphens and apostrophes), punctuation, and each protected span (code, math, a reference)
    as one token."""
    found: list[str] = []
    position = 0
    for span in find_protected(text):
        if span.kind in (SpanKind.SLIDE_OPEN, SpanKind.SLIDE_CLOSE):
            continue
        found += _TOKEN.findall(text[position : span.start])
        found.append(" ".join(span.text.split()))
        position = span.end
    return found + _TOKEN.findall(text[position:])


def word_diff(old: str, new: str, *, limit: int = DIFF_CHARS) -> str:
    """The English change in a few words: ``let us → let's / + and its variance / − quickly`` (one line). A change
    that is only punctuation is shown with the word before it."""
    a, b = tokens(loose_key(old)), tokens(loose_key(new))
    parts: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if i1 and j1 and not any(t[0].isalnum() for t in a[i1:i2] + b[j1:j2]):
            i1, j1 = i1 - 1, j1 - 1  # ", → ;" says little; "features, → features;" says where
        removed, added = _joined(a[i1:i2]), _joined(b[j1:j2])
        if removed and added:
            parts.append(f"{removed} → {added}")
        elif removed:
            parts.append(f"− {removed}")
        else:
            parts.append(f"+ {added}")
    text = " / ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _joined(parts: Sequence[str]) -> str:
    """Tokens back to text: a space between words, none before closing punctuation or after an opening one."""
    text = ""
    for token in parts:
        tight = (len(token) == 1 and token in ",.;:!?)]}'’\"") or text.endswith(("(", "[", "{"))
        text += token if not text or tight else " " + token
    return text


@dataclass(frozen=True)
class Match(Generic[T]):
    """The best candidate for a text, its score, and what it carries (a bead, a memory entry)."""

    key: str  # the candidate's loose key (the old English)
    score: float
    payload: T


class FuzzyIndex(Generic[T]):
    """Candidates (old English texts) searchable by fuzzy score: words of four letters or more narrow the field,
    length and ``difflib``'s quick bounds cut it further, the full ratio decides."""

    def __init__(self, items: Iterable[tuple[str, T]] = ()) -> None:
        self.keys: list[str] = []
        self.payloads: list[T] = []
        self.by_word: dict[str, list[int]] = defaultdict(list)
        self.add(items)

    def add(self, items: Iterable[tuple[str, T]]) -> None:
        """Index more candidates (the memory grows as chapters are synced)."""
        for text, payload in items:
            key = loose_key(text)
            if not key:
                continue
            number = len(self.keys)
            self.keys.append(key)
            self.payloads.append(payload)
            for word in {w.lower() for w in _INDEX_WORD.findall(key)}:
                self.by_word[word].append(number)

    def best(self, text: str, threshold: float) -> tuple[int, Match[T]] | None:
        """The candidate with the highest score at or above ``threshold`` (its number and the match), or None."""
        key = loose_key(text)
        words = {w.lower() for w in _INDEX_WORD.findall(key)}
        counts: dict[int, int] = defaultdict(int)
        for word in words:
            for number in self.by_word.get(word, ()):
                counts[number] += 1
        if not words:  # nothing to narrow the search by: too short to be a useful fuzzy match anyway
            return None
        # A sentence within the threshold shares most of its long words; half is a safe lower bound.
        needed = max(1, len(words) // 2)
        pool = [n for n, count in counts.items() if count >= needed]
        best: tuple[int, Match[T]] | None = None
        for number in sorted(pool):
            score = _bounded_ratio(self.keys[number], key, threshold)
            if score >= threshold and (best is None or score > best[1].score):
                best = (number, Match(self.keys[number], score, self.payloads[number]))
        return best


def best_of(text: str, candidates: Sequence[tuple[str, T]], threshold: float) -> tuple[int, Match[T]] | None:
    """The best of a handful of candidates (one paragraph's old sentences), without an index."""
    key = loose_key(text)
    best: tuple[int, Match[T]] | None = None
    for number, (candidate, payload) in enumerate(candidates):
        other = loose_key(candidate)
        score = _bounded_ratio(other, key, threshold)
        if score >= threshold and (best is None or score > best[1].score):
            best = (number, Match(other, score, payload))
    return best
