"""Review markers: an HTML comment on its own line before a block that a person should check.

``<!-- amts:review reasons=fuzzy-kept,machine-translation segments=s0003 chars=123 fuzzy=1:80 mt=1:43 | change:
let us → let's | suggestion: … -->`` is a paragraph of its own (blank lines around it), so it never joins the
paragraph it annotates; the book model reads it as a COMMENT block, and d2lbook drops HTML comments from rendered
pages. The fields say why, which segments, how many source characters to check, and how many sentences and
characters are fuzzy-kept, machine-translated or flagged; after them come the English change of each fuzzy-kept
sentence (a word diff) and, when the pair asks for it, an MT suggestion for it. A reviewer deletes the marker when
done; ``amts review-list`` and the sync report list the markers still present.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import get_args

from amts.sync.models import Piece, ReviewItem, ReviewReason

MARKER_PREFIX = "<!-- amts:review"
MARKER = re.compile(rf"^{re.escape(MARKER_PREFIX)} (?P<body>[^\n]*?) -->[ \t]*\r?$", re.MULTILINE)
_FIELD = re.compile(r"(\w+)=(\S+)")
_PART = " | "
_EXCERPT_CHARS = 80


@dataclass(frozen=True)
class ReviewNote:
    """One reason to look at a block: which segment (``""``: the block), how many source characters, the English
    change (fuzzy-kept), and the MT unit translating it when suggestions are on."""

    reason: ReviewReason
    segment_id: str
    chars: int
    detail: str = ""
    suggestion: str | None = None
    offered: str = ""  # an MT suggestion already in a marker (kept from an earlier sync), as its text


def marker_safe(text: str) -> str:
    """Text that can sit inside the marker: one line, no ``--`` (which would end or break an HTML comment), no
    ``|`` (which separates the marker's parts)."""
    return " ".join(text.split()).replace("--", "- -").replace("|", "¦")


def marker_pieces(review: Sequence[ReviewNote], counts: Mapping[str, Sequence[int]] | None = None) -> list[Piece]:
    """One marker line for a block: reasons, segments, characters to check, per-class counts, each fuzzy change and
    its MT suggestion (a piece that names the MT unit; ``apply_sync`` puts the translation there)."""
    reasons = sorted({note.reason for note in review})
    segment_ids = [note.segment_id for note in review if note.segment_id]
    fields = [f"reasons={','.join(reasons)}"]
    if segment_ids:
        fields.append(f"segments={','.join(dict.fromkeys(segment_ids))}")
    fields.append(f"chars={sum(note.chars for note in review)}")
    fields += [f"{name}={figures[0]}:{figures[1]}" for name, figures in sorted((counts or {}).items())]
    pieces = [Piece(text=f"{MARKER_PREFIX} {' '.join(fields)}")]
    for note in review:
        if note.detail:
            pieces.append(Piece(text=f"{_PART}change: {marker_safe(note.detail)}"))
        if note.suggestion is not None:
            pieces += [Piece(text=f"{_PART}suggestion: "), Piece(unit=note.suggestion)]
        elif note.offered:
            pieces.append(Piece(text=f"{_PART}suggestion: {marker_safe(note.offered)}"))
    pieces.append(Piece(text=" -->"))
    return pieces


def format_marker(review: Sequence[ReviewNote], counts: Mapping[str, Sequence[int]] | None = None) -> str:
    """The marker line when it holds no MT suggestion."""
    return "".join(piece.text for piece in marker_pieces([r for r in review if r.suggestion is None], counts))


def scan_markers(markdown: str, *, file: str) -> list[ReviewItem]:
    """The review markers still present in ``markdown``, with the line and an excerpt of the block after each."""
    items: list[ReviewItem] = []
    for match in MARKER.finditer(markdown):
        fields, reasons, parts = _parse(match.group("body"))
        line = markdown.count("\n", 0, match.start()) + 1
        rest = markdown[match.end() :].lstrip("\r\n")
        excerpt = rest.split("\n", 1)[0].strip()
        if len(excerpt) > _EXCERPT_CHARS:
            excerpt = excerpt[: _EXCERPT_CHARS - 1] + "…"
        items.append(
            ReviewItem(
                file=file,
                segment_ids=[s for s in fields.get("segments", "").split(",") if s],
                line=line,
                reasons=reasons,
                chars=_number(fields.get("chars", "0")),
                excerpt=excerpt,
                changes="; ".join(text for kind, text in parts if kind == "change"),
                suggestion=" / ".join(text for kind, text in parts if kind == "suggestion"),
                counts={k: _count(v) for k, v in fields.items() if k in _COUNTED},
            )
        )
    return items


def pending_notes(marker: str, segment_ids: Mapping[str, str]) -> tuple[list[ReviewNote], dict[str, list[int]]]:
    """The notes and counts that write a pending marker again with its own figures, for a block rebuilt with
    nothing new to review: its reasons, its characters (once), its segments (renumbered by ``segment_ids``, old id
    to new id; an id it does not map is left out), and each English change and MT suggestion in its place."""
    match = MARKER.search(marker)
    if match is None:
        return [], {}
    fields, reasons, parts = _parse(match.group("body"))
    if not reasons:
        return [], {}
    first = reasons[0]
    notes = [
        ReviewNote(reason, "", _number(fields.get("chars", "0")) if not n else 0) for n, reason in enumerate(reasons)
    ]
    old_ids = [s for s in fields.get("segments", "").split(",") if s]
    notes += [ReviewNote(first, segment_ids[s], 0) for s in old_ids if s in segment_ids]
    for kind, text in parts:
        if kind == "change":
            notes.append(ReviewNote(first, "", 0, detail=text))
        elif notes[-1].detail and not notes[-1].offered:  # the suggestion for the change before it
            notes[-1] = replace(notes[-1], offered=text)
        else:
            notes.append(ReviewNote(first, "", 0, offered=text))
    return notes, {k: _count(v) for k, v in fields.items() if k in _COUNTED}


_COUNTED = ("fuzzy", "mt", "flagged", "untranslated")


def _parse(body: str) -> tuple[dict[str, str], list[ReviewReason], list[tuple[str, str]]]:
    """A marker's fields, its known reasons, and its ``change:``/``suggestion:`` parts in order."""
    head, *rest = body.split(_PART)
    fields = dict(_FIELD.findall(head))
    known = set(get_args(ReviewReason))
    reasons: list[ReviewReason] = [reason for reason in fields.get("reasons", "").split(",") if reason in known]
    parts: list[tuple[str, str]] = []
    for part in rest:
        kind, separator, text = part.partition(": ")
        if separator and kind in ("change", "suggestion"):
            parts.append((kind, text))
    return fields, reasons, parts


def _number(value: str) -> int:
    return int(value) if value.isdigit() else 0


def _count(value: str) -> list[int]:
    """``3:120`` -> [3, 120] (sentences, characters); anything else -> [0, 0]."""
    sentences, _, chars = value.partition(":")
    return [int(sentences), int(chars)] if sentences.isdigit() and chars.isdigit() else [0, 0]
