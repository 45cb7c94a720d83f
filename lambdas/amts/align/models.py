"""Typed results of alignment: beads between sentence lists, segment links between documents, text pairs."""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

Granularity = Literal["sentence", "paragraph"]


@dataclass(frozen=True)
class Bead:
    """Indices of source and target sentences that translate each other (either side may be empty)."""

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float = 0.0

    @property
    def kind(self) -> str:
        """The bead type, e.g. ``1-1``, ``2-1`` or ``1-0``."""
        return f"{len(self.src)}-{len(self.tgt)}"

    @property
    def is_pair(self) -> bool:
        return bool(self.src) and bool(self.tgt)


@dataclass(frozen=True)
class TextPair:
    """One parallel unit: source and target text plus references back to where each came from."""

    src: str
    tgt: str
    src_ref: str
    tgt_ref: str


@dataclass(frozen=True)
class SegmentLink:
    """Segments of the source and target document aligned to each other, with a confidence in [0, 1]."""

    src_ids: tuple[str, ...]
    tgt_ids: tuple[str, ...]
    confidence: float


@dataclass
class DocumentAlignment:
    """Segment-level alignment of two documents; one-sided content is listed with the reason it has no partner."""

    src_path: str
    tgt_path: str
    links: list[SegmentLink]
    src_unpaired: list[tuple[str, str]]
    tgt_unpaired: list[tuple[str, str]]
    confidence: float


@dataclass
class PairStats:
    """What an extraction produced and what it left out, and why."""

    files: int = 0
    pairs: int = 0
    src_sentences: int = 0
    tgt_sentences: int = 0
    beads: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    low_confidence_files: list[str] = field(default_factory=list)
    one_sided_regions: list[str] = field(default_factory=list)  # runs of low-confidence links that were dropped

    def merge(self, other: PairStats) -> None:
        self.files += other.files
        self.pairs += other.pairs
        self.src_sentences += other.src_sentences
        self.tgt_sentences += other.tgt_sentences
        self.beads.update(other.beads)
        self.dropped.update(other.dropped)
        self.low_confidence_files.extend(other.low_confidence_files)
        self.one_sided_regions.extend(other.one_sided_regions)

    def to_dict(self) -> dict[str, object]:
        """Every field, the counters as plain dicts in key order (stable JSON)."""
        return dataclasses.asdict(self) | {
            "beads": dict(sorted(self.beads.items())),
            "dropped": dict(sorted(self.dropped.items())),
        }


@dataclass
class PairSet:
    """Parallel data extracted from one or more document pairs."""

    src_lang: str
    tgt_lang: str
    pairs: list[TextPair] = field(default_factory=list)
    stats: PairStats = field(default_factory=PairStats)
    confidence: float = 1.0

    def extend(self, other: PairSet) -> None:
        self.pairs.extend(other.pairs)
        self.stats.merge(other.stats)
        self.confidence = min(self.confidence, other.confidence)
