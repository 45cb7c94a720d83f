"""Counting what a sync did: characters reused, sent to MT and flagged, per segment and per chapter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from amts.book import Segment, segment_sentences
from amts.sync.memory import Origin, normalise
from amts.sync.models import Effort, PendingSegment, Piece, ReviewReason, SentenceCount, SyncReport
from amts.sync.review import ReviewNote

Outcome = Literal["kept", "markup_updated", "memory", "fuzzy", "partial_mt", "mt", "flagged"]
# How the text standing for one source sentence was made: the translators' own, with markup carried in, kept from a
# slightly different source (fuzzy), kept although a person's edit meets a changed source (flagged), or MT.
SentenceClass = Literal["verbatim", "markup_updated", "fuzzy_kept", "flagged", "mt"]
# The class of an unchanged segment copied from the translation, by who made that text.
_UNCHANGED_CLASS: dict[Origin, SentenceClass] = {Origin.MACHINE: "mt", Origin.FUZZY: "fuzzy_kept"}
# The classes a review marker counts (``fuzzy=sentences:chars``, ``mt=…``), for ``amts review-list``.
MARKED_CLASSES: dict[str, str] = {"fuzzy_kept": "fuzzy", "mt": "mt", "flagged": "flagged"}


@dataclass
class Note:
    """Something a person should look at in one segment: why, how many source characters, what changed."""

    reason: ReviewReason
    chars: int = 0  # 0: the whole segment
    detail: str = ""  # the English change of a fuzzy-kept sentence
    suggestion: str | None = None  # the MT unit translating it, when the pair asks for MT suggestions


@dataclass
class SegmentResult:
    """How one new segment got its target text."""

    pieces: list[Piece]
    outcome: Outcome
    origin: Origin
    notes: list[Note] = field(default_factory=list)
    mt_chars: int = 0  # sent to MT for the text (suggestions aside)
    classes: dict[str, list[int]] = field(default_factory=dict)  # SentenceClass -> [sentences, characters]

    def count(self, kind: str, sentences: int, chars: int) -> None:
        figures = self.classes.setdefault(kind, [0, 0])
        figures[0] += sentences
        figures[1] += chars


@dataclass
class Chunk:
    """A block of the output with the blank lines after it; ``review`` asks for a marker before it."""

    pieces: list[Piece]
    separator: str
    review: list[ReviewNote] = field(default_factory=list)
    counts: dict[str, list[int]] = field(default_factory=dict)  # fuzzy / mt -> [sentences, characters] to check


def protected_length(text: str, spans: Sequence[tuple[int, int]]) -> int:
    """Characters of ``text`` after protection: whitespace runs count one, each protected span counts one."""
    pieces: list[str] = []
    position = 0
    for start, end in sorted(spans):
        if start < position:
            continue
        pieces.append(text[position:start])
        pieces.append("\x00")
        position = end
    pieces.append(text[position:])
    return len(normalise("".join(pieces)))


def segment_chars(segment: Segment) -> int:
    return protected_length(segment.text, [(span.start, span.end) for span in segment.protected])


def span_chars(segment: Segment, start: int, end: int) -> int:
    spans = [(s.start - start, s.end - start) for s in segment.protected if s.start >= start and s.end <= end]
    return protected_length(segment.text[start:end], spans)


class Ledger:
    """The report being written while planning: every new segment is counted exactly once."""

    def __init__(self, report: SyncReport) -> None:
        self.report = report
        self.origin_counts: dict[str, int] = {origin.value: 0 for origin in Origin}
        self.pending: list[PendingSegment] = []

    def account(self, chunk: Chunk, segment: Segment, result: SegmentResult) -> None:
        chars = segment_chars(segment)
        report = self.report
        report.segments_total += 1
        report.source_chars_total += chars
        outcomes = report.outcomes
        setattr(outcomes, result.outcome, getattr(outcomes, result.outcome) + 1)
        self.origin_counts[result.origin.value] += 1
        if result.outcome == "flagged":
            report.flagged_chars += chars
            report.flagged_segments += 1
        else:
            mt = min(result.mt_chars, chars)
            report.mt_chars += result.mt_chars
            report.reused_chars += chars - mt
        for kind, (sentences, kind_chars) in result.classes.items():
            self.count(kind, sentences, kind_chars)
            marked = MARKED_CLASSES.get(kind)
            if marked is not None:
                figures = chunk.counts.setdefault(marked, [0, 0])
                figures[0] += sentences
                figures[1] += kind_chars
        for note in result.notes:
            chunk.review.append(ReviewNote(note.reason, segment.id, note.chars or chars, note.detail, note.suggestion))
        if result.origin in (Origin.MACHINE, Origin.FUZZY) and result.outcome not in ("kept", "markup_updated"):
            # Tag the pieces, so that apply_sync can remember the whole segment's text as unconfirmed.
            for piece in result.pieces:
                piece.segment = segment.id
            machine = sum(n.chars or chars for n in result.notes if n.reason == "machine-translation")
            self.pending.append(
                PendingSegment(
                    segment_id=segment.id,
                    source=segment.text,
                    machine_chars=machine,
                    origin=result.origin,
                    note=" / ".join(n.detail for n in result.notes if n.detail) or None,
                    classes={kind: list(figures) for kind, figures in result.classes.items()},
                )
            )

    def count(self, kind: str, sentences: int, chars: int) -> None:
        figures = self.report.sentence_classes.setdefault(kind, SentenceCount())
        figures.sentences += sentences
        figures.chars += chars

    def kept_verbatim(self, segments: Sequence[Segment], origins: Sequence[Origin], lang: str) -> None:
        """Segments of a block copied whole from the translation."""
        for segment, origin in zip(segments, origins, strict=True):
            chars = segment_chars(segment)
            self.report.segments_total += 1
            self.report.source_chars_total += chars
            self.report.reused_chars += chars
            self.report.outcomes.kept += 1
            self.origin_counts[origin.value] += 1
            self.count(_UNCHANGED_CLASS.get(origin, "verbatim"), len(segment_sentences(segment, lang)) or 1, chars)

    def flag_code(self, chunk: Chunk, reason: ReviewReason, chars: int) -> None:
        chunk.review.append(ReviewNote(reason, "", chars))
        self.report.flagged_code_cells += 1

    def close(self, mt_units: int) -> None:
        self.report.origin_counts = dict(self.origin_counts)
        self.report.mt_units = mt_units
        self.report.effort = Effort.of(self.report.sentence_classes)
