"""MT units that came back as their source text: said in the block's review marker, never passed off as MT.

A unit whose translation is its own English (the engine returned the source, or the job output lost or broke a
protected span and the source text was kept) is published so the chapter stays whole, but its block's marker
says ``untranslated`` (with an ``untranslated=units:chars`` count): instead of ``machine-translation`` when no unit
of the block was translated, beside it when some were. A block without a marker gets one.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from amts.book import Document
from amts.book.model import BlockKind
from amts.sync.memory import normalise
from amts.sync.review import MARKER, MARKER_PREFIX, ReviewNote, format_marker

_REASONS = re.compile(r"\breasons=(\S+)")
_MT_COUNT = re.compile(r" mt=\d+:\d+")


@dataclass(frozen=True)
class UnitPlace:
    """An MT unit's text as published: where it starts in the markdown, its source and its segment."""

    start: int
    source: str
    published: str
    segment_id: str


def is_untranslated(source: str, published: str) -> bool:
    """Whether a published unit is its own source text (and that text has words to translate)."""
    return normalise(published) == normalise(source) and any(char.isalpha() for char in source)


def mark_untranslated(markdown: str, document: Document, places: Sequence[UnitPlace]) -> tuple[str, int, int]:
    """``markdown`` (parsed as ``document``) with every block holding an untranslated unit marked; the number of
    untranslated units and their source characters."""
    by_block: dict[int, list[UnitPlace]] = {}
    untranslated_blocks: dict[int, list[UnitPlace]] = {}
    for place in places:
        index = _block_at(document, place.start)
        if index is None:
            continue
        by_block.setdefault(index, []).append(place)
        if is_untranslated(place.source, place.published):
            untranslated_blocks.setdefault(index, []).append(place)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), applied from the end
    for index, found in untranslated_blocks.items():
        chars = sum(len(place.source) for place in found)
        count = f"untranslated={len(found)}:{chars}"
        marker = _marker_before(document, index)
        if marker is None:
            block = document.blocks[index]
            notes = [ReviewNote("untranslated", place.segment_id, len(place.source)) for place in found]
            line = format_marker(notes, {"untranslated": [len(found), chars]})
            edits.append((block.start, block.start, line + document.newline + document.newline))
            continue
        start, end = marker
        edits.append((start, end, _with_untranslated(markdown[start:end], count, whole=found == by_block[index])))
    for start, end, replacement in sorted(edits, reverse=True):
        markdown = markdown[:start] + replacement + markdown[end:]
    units = sum(len(found) for found in untranslated_blocks.values())
    return markdown, units, sum(len(place.source) for found in untranslated_blocks.values() for place in found)


def _block_at(document: Document, offset: int) -> int | None:
    """The top-level block holding ``offset`` (blocks are in start order: a binary search)."""
    index = bisect.bisect_right(document.blocks, offset, key=lambda block: block.start) - 1
    return index if index >= 0 and offset < document.blocks[index].end else None


def _marker_before(document: Document, index: int) -> tuple[int, int] | None:
    """The offsets of the review marker's line standing before top-level block ``index``, if any."""
    for block in reversed(document.blocks[:index]):
        if block.kind is BlockKind.BLANK:
            continue
        text = document.text[block.start : block.end]
        if block.kind is BlockKind.COMMENT and text.startswith(MARKER_PREFIX):
            match = MARKER.search(text)
            if match is not None:
                return block.start, block.start + len(match.group().rstrip(" \t\r"))
        return None
    return None


def _with_untranslated(marker: str, count: str, *, whole: bool) -> str:
    """A marker line with the ``untranslated`` reason and count; ``whole``: nothing of its block is machine
    translation any more, so that reason and its count go."""
    reasons_match = _REASONS.search(marker)
    reasons = reasons_match.group(1).split(",") if reasons_match else []
    if whole:
        reasons = [reason for reason in reasons if reason != "machine-translation"]
        marker = _MT_COUNT.sub("", marker)
    reasons = sorted({*reasons, "untranslated"})
    marker = _REASONS.sub(f"reasons={','.join(reasons)}", marker, count=1)
    head, separator, rest = marker.partition(" | ")
    if not separator:
        head, rest = marker.removesuffix(" -->"), ""
        return f"{head} {count} -->"
    return f"{head} {count}{separator}{rest}"
