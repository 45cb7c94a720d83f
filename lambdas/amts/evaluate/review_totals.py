"""The review figures every report shows, computed once, from the review rows (the markers in the published files).

Each figure is named by its unit, and the reports (report.html/md/json, review.html, ``amts review-list``, the
``amts run`` summary) all take it from here, so one thing has one figure everywhere:

- *blocks*: top-level blocks of the published chapters that have text or a marker (a review page row shows one,
  or a marked code cell with the blocks its marker names); *to review*: the blocks a marker stands before
  (several markers before one block count once), the review page's rows with a marker;
- *source characters to check*: the characters the markers name (``chars=``);
- *effort*: those characters weighted by the work they ask for (post-editing MT 0.6, checking a fuzzy or flagged
  change 0.3; translating from scratch would be 1), in weighted source characters;
- *MT sentences* and *fuzzy-kept sentences*: the markers' ``mt=`` and ``fuzzy=`` counts, the machine translation
  still to post-edit (this run's and earlier runs' alike) and the kept translations whose English changed.

The Score step's own sync plan counts English *segments* and is reported apart, under that name; the Translate job
reports the segments it machine-translated in this run. Neither is a review figure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from amts.evaluate.models import REVIEW_CLASS_LABELS, REVIEW_CLASSES, ReviewSegment

EFFORT_NOTE = "weights: post-editing MT 0.6, checking a fuzzy or flagged change 0.3, translating from scratch 1"


@dataclass(frozen=True)
class ChapterWork:
    """The review figures of one chapter of one pair."""

    chapter: str  # "<pair> <chapter>" ("<chapter>" when the pair is unknown)
    blocks: int
    to_review: int
    chars: int
    effort: float
    mt_sentences: int
    fuzzy_sentences: int


@dataclass(frozen=True)
class ReviewTotals:
    """The review figures of a set of rows (see the module's docstring for the units)."""

    blocks: int
    to_review: int
    by_class: tuple[tuple[str, int], ...]  # (class label, blocks to review), most first
    chars: int
    effort: float
    mt_sentences: int
    mt_chars: int
    fuzzy_sentences: int
    fuzzy_chars: int
    flagged_sentences: int
    flagged_chars: int
    untranslated_units: int
    untranslated_chars: int
    chapters: tuple[ChapterWork, ...]  # every chapter, most effort first

    @property
    def kept(self) -> int:
        """Blocks with no marker right before them."""
        return self.blocks - self.to_review


def _counted(rows: Sequence[ReviewSegment], name: str, index: int) -> int:
    return sum(row.counts.get(name, [0, 0])[index] for row in rows if row.needs_review)


def _blocks(rows: Sequence[ReviewSegment]) -> int:
    return sum(row.blocks for row in rows)


def _figures(rows: Sequence[ReviewSegment]) -> tuple[int, int, float]:
    review = [row for row in rows if row.needs_review]
    return len(review), sum(row.chars for row in review), round(sum(row.effort for row in review), 1)


def review_totals(rows: Sequence[ReviewSegment]) -> ReviewTotals:
    """The review figures of ``rows``."""
    found = Counter(row.review_class for row in rows if row.needs_review)
    by_class = [(REVIEW_CLASS_LABELS[name], found[name]) for name in REVIEW_CLASSES if found[name]]
    grouped: dict[str, list[ReviewSegment]] = {}
    for row in rows:
        grouped.setdefault(f"{row.pair} {row.chapter}".strip(), []).append(row)
    chapters = []
    for key, chapter_rows in grouped.items():
        to_review, chars, effort = _figures(chapter_rows)
        mt, fuzzy = _counted(chapter_rows, "mt", 0), _counted(chapter_rows, "fuzzy", 0)
        chapters.append(ChapterWork(key, _blocks(chapter_rows), to_review, chars, effort, mt, fuzzy))
    chapters.sort(key=lambda c: (-c.effort, -c.to_review, c.chapter))
    to_review, chars, effort = _figures(rows)
    return ReviewTotals(
        blocks=_blocks(rows),
        to_review=to_review,
        by_class=tuple(sorted(by_class, key=lambda item: -item[1])),
        chars=chars,
        effort=effort,
        mt_sentences=_counted(rows, "mt", 0),
        mt_chars=_counted(rows, "mt", 1),
        fuzzy_sentences=_counted(rows, "fuzzy", 0),
        fuzzy_chars=_counted(rows, "fuzzy", 1),
        flagged_sentences=_counted(rows, "flagged", 0),
        flagged_chars=_counted(rows, "flagged", 1),
        untranslated_units=_counted(rows, "untranslated", 0),
        untranslated_chars=_counted(rows, "untranslated", 1),
        chapters=tuple(chapters),
    )


def review_line(totals: ReviewTotals) -> str:
    """``To review: 12 of 142 blocks (machine-translated 10, fuzzy-kept 2)``."""
    if not totals.blocks:
        return "To review: no published chapters in this run"
    classes = ", ".join(f"{label} {count}" for label, count in totals.by_class)
    return f"To review: {totals.to_review} of {totals.blocks} blocks" + (f" ({classes})" if classes else "")


def effort_line(totals: ReviewTotals) -> str:
    """``Effort: about 871 weighted source characters (of 1,200 to check); 14 MT sentences, 2 fuzzy-kept …``."""
    return (
        f"Effort: about {totals.effort:,.0f} weighted source characters (of {totals.chars:,} source characters to "
        f"check); {totals.mt_sentences:,} machine-translated sentences to post-edit ({totals.mt_chars:,} characters),"
        f" {totals.fuzzy_sentences:,} fuzzy-kept sentences to check ({totals.fuzzy_chars:,} characters)"
        + (
            f", {totals.flagged_sentences:,} flagged human-edited sentences ({totals.flagged_chars:,} characters)"
            if totals.flagged_sentences
            else ""
        )
        + (
            f", {totals.untranslated_units:,} units left in English to translate ({totals.untranslated_chars:,} "
            "characters)"
            if totals.untranslated_units
            else ""
        )
    )


def top_line(totals: ReviewTotals) -> str:
    """``Most work: a.md (10 blocks, effort 450), …``; '' when no chapter has work."""
    top = [c for c in totals.chapters if c.to_review][:3]
    if not top:
        return ""
    return "Most work: " + "; ".join(f"{c.chapter} ({c.to_review} blocks, effort {c.effort:,.0f})" for c in top)
