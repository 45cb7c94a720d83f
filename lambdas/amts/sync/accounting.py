"""Counting what a sync did: characters reused, sent to MT and flagged, per segment and per chapter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from amts.book import Segment
from amts.sync.memory import Origin, normalise
from amts.sync.models import PendingSegment, Piece, ReviewReason, SyncReport

Outcome = Literal["kept", "markup_updated", "memory", "partial_mt", "mt", "flagged"]
ReviewNote = tuple[ReviewReason, str, int]  # (reason, segment id or "", characters to check)


@dataclass
class SegmentResult:
    """How one new segment got its target text."""

    pieces: list[Piece]
    outcome: Outcome
    origin: Origin
    review: ReviewReason | None  # reason, when a person should look at it
    mt_chars: int = 0
    review_chars: int = 0  # machine text to check: sent now, or machine output reused from the memory


@dataclass
class Chunk:
    """A block of the output with the blank lines after it; ``review`` asks for a marker before it."""

    pieces: list[Piece]
    separator: str
    review: list[ReviewNote] = field(default_factory=list)


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
        if result.review is not None:
            chunk.review.append((result.review, segment.id, result.review_chars or chars))
        if result.mt_chars:
            # Tag the pieces, so that apply_sync can remember the whole segment's text as machine output.
            for piece in result.pieces:
                piece.segment = segment.id
            self.pending.append(
                PendingSegment(segment_id=segment.id, source=segment.text, machine_chars=result.review_chars)
            )

    def kept_verbatim(self, segments: Sequence[Segment], origins: Sequence[Origin]) -> None:
        """Segments of a block copied whole from the translation."""
        for segment, origin in zip(segments, origins, strict=True):
            chars = segment_chars(segment)
            self.report.segments_total += 1
            self.report.source_chars_total += chars
            self.report.reused_chars += chars
            self.report.outcomes.kept += 1
            self.origin_counts[origin.value] += 1

    def flag_code(self, chunk: Chunk, reason: ReviewReason, chars: int) -> None:
        chunk.review.append((reason, "", chars))
        self.report.flagged_code_cells += 1

    def close(self, mt_units: int) -> None:
        self.report.origin_counts = dict(self.origin_counts)
        self.report.mt_units = mt_units
