"""Change detection between two versions of a source file, block by block and sentence by sentence.

A *unit* is one top-level block of the book model (heading, paragraph, list, tab group, code cell, math,
figure, table ...), with its segments. Old and new units are matched in three passes:

1. the longest common subsequence of identical units: *unchanged*;
2. identical units outside that subsequence: *moved*;
3. inside each gap between unchanged units, units of the same kind whose words overlap enough, in order
   (a monotone best-similarity pairing): *edited*; the rest are *deleted* or *inserted*.

Inside an edited unit the same passes run over segments, and inside an edited segment over sentences.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from amts.book import Block, BlockKind, Document, Segment, segment_sentences, segments
from amts.book.skeleton import code_key
from amts.sync.memory import normalise
from amts.sync.models import BlockChange, BlockOp, ChangeSet, SegmentChange, SegmentOp, SentenceChange
from amts.sync.review import MARKER_PREFIX

# Units of these kinds hold no translatable text of their own.
CODE_KINDS = frozenset({BlockKind.CODE})
EDIT_SIMILARITY = 0.4  # token overlap (Jaccard) above which two same-kind units count as one edited unit

_WORD = re.compile(r"\w+")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

Match = tuple[BlockOp, int | None, int | None]


@dataclass(eq=False)
class Unit:
    """A top-level block (its kind, offsets and line are ``block``'s) with its text and segments; ``chunk_end``
    includes the blank lines after it."""

    index: int
    block_index: int  # position in ``Document.blocks`` (what ``Segment.block_path[0]`` refers to)
    block: Block
    text: str
    chunk_end: int
    segments: list[Segment] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Identity of the unit's content (line wrapping ignored)."""
        return _digest(f"{self.block.kind}\x00{normalise(self.text)}")

    @property
    def is_code(self) -> bool:
        return self.block.kind in CODE_KINDS

    @property
    def is_review_marker(self) -> bool:
        return self.block.kind is BlockKind.COMMENT and self.text.lstrip().startswith(MARKER_PREFIX)

    @property
    def cross_key(self) -> str:
        """What a unit without segments shares with its translation (zh translates code comments and prose
        strings; a framework marker line is compared apart)."""
        if self.is_code:
            return _digest(f"code\x00{code_key(self.text)}")
        return self.key


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def document_units(doc: Document, doc_segments: Sequence[Segment] | None = None) -> list[Unit]:
    """The non-blank top-level blocks of ``doc`` as units, each with its segments."""
    found = list(doc_segments) if doc_segments is not None else segments(doc)
    by_block: dict[int, list[Segment]] = defaultdict(list)
    for segment in found:
        by_block[segment.block_path[0]].append(segment)
    units: list[Unit] = []
    for index, block in enumerate(doc.blocks):
        if block.kind is BlockKind.BLANK:
            if units:
                units[-1].chunk_end = block.end
            continue
        text = doc.text[block.start : block.end]
        unit = Unit(len(units), index, block, text, block.end, by_block.get(index, []))
        units.append(unit)
    return units


def words(text: str) -> set[str]:
    """Word tokens for similarity; Han characters count one by one (Chinese has no spaces)."""
    tokens = {token.lower() for token in _WORD.findall(text)}
    if _HAN.search(text):
        tokens |= set(_HAN.findall(text))
    return tokens


def similarity(a: str, b: str) -> float:
    left, right = words(a), words(b)
    if not left and not right:
        return 1.0 if normalise(a) == normalise(b) else 0.0
    return len(left & right) / len(left | right)


def match_sequences(
    old_keys: Sequence[str],
    new_keys: Sequence[str],
    related: Callable[[int, int], float],
    *,
    threshold: float = EDIT_SIMILARITY,
) -> list[Match]:
    """Match two key sequences: unchanged (LCS), moved (equal key elsewhere), edited (similar), the rest.

    Returns every old and new index exactly once, ordered by new position with deletions placed where they
    were.
    """
    matcher = difflib.SequenceMatcher(None, list(old_keys), list(new_keys), autojunk=False)
    old_to_new: dict[int, tuple[str, int]] = {}
    gaps: list[tuple[int, int, int, int]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                old_to_new[i1 + offset] = ("unchanged", j1 + offset)
        else:
            gaps.append((i1, i2, j1, j2))
    # Moved: identical content outside the common subsequence, paired first-come in order.
    free_old: dict[str, list[int]] = defaultdict(list)
    for i1, i2, _, _ in gaps:
        for i in range(i1, i2):
            free_old[old_keys[i]].append(i)
    taken_new: set[int] = set()
    for _, _, j1, j2 in gaps:
        for j in range(j1, j2):
            candidates = free_old.get(new_keys[j])
            if candidates:
                old_to_new[candidates.pop(0)] = ("moved", j)
                taken_new.add(j)
    # Edited: inside each gap, a monotone pairing that maximises total similarity.
    for i1, i2, j1, j2 in gaps:
        olds = [i for i in range(i1, i2) if i not in old_to_new]
        news = [j for j in range(j1, j2) if j not in taken_new]
        for i, j in _best_pairing(olds, news, related, threshold):
            old_to_new[i] = ("edited", j)
            taken_new.add(j)
    return _ordered(len(old_keys), len(new_keys), old_to_new)


def _best_pairing(
    olds: Sequence[int], news: Sequence[int], related: Callable[[int, int], float], threshold: float
) -> list[tuple[int, int]]:
    if not olds or not news:
        return []
    n, m = len(olds), len(news)
    if n * m > 40_000:  # a rewritten section: pair only along the diagonal band to stay linear
        return [(i, j) for i, j in zip(olds, news, strict=False) if related(i, j) >= threshold]
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    for a in range(n - 1, -1, -1):
        for b in range(m - 1, -1, -1):
            best = max(score[a + 1][b], score[a][b + 1])
            value = related(olds[a], news[b])
            if value >= threshold:
                best = max(best, value + score[a + 1][b + 1])
            score[a][b] = best
    pairs: list[tuple[int, int]] = []
    a = b = 0
    while a < n and b < m:
        value = related(olds[a], news[b])
        if value >= threshold and abs(score[a][b] - (value + score[a + 1][b + 1])) < 1e-12:
            pairs.append((olds[a], news[b]))
            a += 1
            b += 1
        elif score[a][b] == score[a + 1][b]:
            a += 1
        else:
            b += 1
    return pairs


def _ordered(n_old: int, n_new: int, old_to_new: dict[int, tuple[str, int]]) -> list[Match]:
    new_to_old: dict[int, tuple[str, int]] = {j: (op, i) for i, (op, j) in old_to_new.items()}
    result: list[Match] = []
    deleted = [i for i in range(n_old) if i not in old_to_new]
    pending_deleted = iter(deleted)
    next_deleted = next(pending_deleted, None)
    last_old = -1
    for j in range(n_new):
        if j in new_to_old:
            op, i = new_to_old[j]
            if op != "moved":
                while next_deleted is not None and next_deleted < i:
                    result.append(("deleted", next_deleted, None))
                    next_deleted = next(pending_deleted, None)
                last_old = max(last_old, i)
            result.append((op, i, j))  # type: ignore[arg-type]
        else:
            result.append(("inserted", None, j))
    while next_deleted is not None:
        result.append(("deleted", next_deleted, None))
        next_deleted = next(pending_deleted, None)
    return result


def match_units(old_units: Sequence[Unit], new_units: Sequence[Unit]) -> list[Match]:
    """Block-level matches between two versions of a source file."""

    def related(i: int, j: int) -> float:
        old, new = old_units[i], new_units[j]
        if old.block.kind is not new.block.kind:
            return 0.0
        if old.is_code or not old.segments or not new.segments:
            # Code, math and other non-prose blocks of the same kind in the same gap: one was edited into the other.
            return 1.0 if old.block.kind is new.block.kind and not old.is_review_marker else 0.0
        return similarity(old.text, new.text)

    return match_sequences([u.key for u in old_units], [u.key for u in new_units], related)


def match_segments(old: Sequence[Segment], new: Sequence[Segment]) -> list[Match]:
    def related(i: int, j: int) -> float:
        if old[i].kind != new[j].kind:
            return 0.0
        return similarity(old[i].text, new[j].text)

    return match_sequences([normalise(s.text) for s in old], [normalise(s.text) for s in new], related)


def match_sentences(old: Sequence[str], new: Sequence[str]) -> list[SentenceChange]:
    """Sentences of an edited segment: unchanged (same text, same order) or changed/inserted/deleted."""
    matcher = difflib.SequenceMatcher(None, [normalise(s) for s in old], [normalise(s) for s in new], autojunk=False)
    changes: list[SentenceChange] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            changes.extend(SentenceChange(op="unchanged", old=i1 + k, new=j1 + k) for k in range(i2 - i1))
            continue
        paired = min(i2 - i1, j2 - j1)
        changes.extend(SentenceChange(op="changed", old=i1 + k, new=j1 + k) for k in range(paired))
        changes.extend(SentenceChange(op="deleted", old=i) for i in range(i1 + paired, i2))
        changes.extend(SentenceChange(op="inserted", new=j) for j in range(j1 + paired, j2))
    return changes


def detect_changes(old_doc: Document, new_doc: Document, *, lang: str = "en") -> ChangeSet:
    """What changed from ``old_doc`` to ``new_doc``: blocks, then segments and sentences inside edited blocks."""
    old_units, new_units = document_units(old_doc), document_units(new_doc)
    blocks: list[BlockChange] = []
    for op, i, j in match_units(old_units, new_units):
        old = old_units[i] if i is not None else None
        new = new_units[j] if j is not None else None
        unit = new if new is not None else old
        assert unit is not None  # match_units pairs at least one side
        change = BlockChange(
            op=op,
            kind=unit.block.kind.value,
            old=i,
            new=j,
            old_line=old.block.line if old else None,
            new_line=new.block.line if new else None,
        )
        if op == "edited" and old is not None and new is not None:
            change.segments = segment_changes(old.segments, new.segments, lang=lang)
        blocks.append(change)
    return ChangeSet(old_path=old_doc.path, new_path=new_doc.path, blocks=blocks)


def segment_changes(old: Sequence[Segment], new: Sequence[Segment], *, lang: str) -> list[SegmentChange]:
    result: list[SegmentChange] = []
    for op, i, j in match_segments(old, new):
        old_id = old[i].id if i is not None else None
        new_id = new[j].id if j is not None else None
        segment_op: SegmentOp = "unchanged" if op == "moved" else op
        change = SegmentChange(op=segment_op, old_id=old_id, new_id=new_id)
        if op == "edited" and i is not None and j is not None:
            change.sentences = match_sentences(
                [s.text for s in segment_sentences(old[i], lang)], [s.text for s in segment_sentences(new[j], lang)]
            )
        result.append(change)
    return result
