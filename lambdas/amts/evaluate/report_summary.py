"""The summary a run report opens with: what happened, what it cost, what a translator must do.

One set of figures for the HTML and the Markdown report: the status of each pair, the characters billed and their
cost against the cap, the blocks to review by class, the effort, and the three chapters with the most work. The
review figures are ``review_totals`` of the report's ``segments`` (the review page's rows), the same figures the
review page and ``amts review-list`` show; a report without rows falls back to the sync plan's English segments,
labelled as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from amts.evaluate.models import PairStatus, RunReport
from amts.evaluate.review_totals import ReviewTotals, review_totals
from amts.evaluate.review_totals import effort_line as totals_effort_line
from amts.evaluate.review_totals import review_line as totals_review_line
from amts.evaluate.review_totals import top_line as totals_top_line


@dataclass(frozen=True)
class ReportSummary:
    pairs: list[PairStatus]
    billed_characters: int
    billed_usd: float
    cap_usd: float | None = None
    cap_characters: int | None = None
    scope: str = ""  # what the billed figures cover when not one run
    refused: str | None = None  # the cost guard's reason when it refused the run
    review: ReviewTotals | None = None  # from the review rows (the markers in the published files)
    plan_segments: tuple[int, int] | None = None  # without rows: the sync plan's (segments to review, segments)
    review_page: str | None = None


def report_summary(report: RunReport) -> ReportSummary:
    """The summary's figures for ``report``."""
    budget, cost = report.budget, report.cost
    billed_chars = budget.billed_characters if budget else sum(line.characters for line in cost.lines) if cost else 0
    billed_usd = budget.billed_usd if budget else cost.total_usd if cost else 0.0
    refused = (budget.reason or "over a cap") if budget is not None and not budget.approved else None
    plan = None
    if not report.segments and report.sync is not None:
        plan = (report.sync.totals.needs_review, report.sync.totals.segments_total)
    return ReportSummary(
        pairs=list(report.pairs),
        billed_characters=billed_chars,
        billed_usd=billed_usd,
        cap_usd=budget.cap_usd_per_run if budget else None,
        cap_characters=budget.cap_characters_per_run if budget else None,
        scope=budget.scope if budget else "",
        refused=refused,
        review=review_totals(report.segments) if report.segments else None,
        plan_segments=plan,
        review_page=report.review_page,
    )


HeadlineKind = Literal["review", "effort", "cost", "top"]
# How each report writes each headline line, side by side (HTML, Markdown); the values are filled in, not parsed:
# {text} the line (escaped for HTML), {link} the review page's link, {banner} the cost line's class, {note} the
# effort's unit.
HEADLINE_FORMATS: dict[HeadlineKind, tuple[str, str]] = {
    "review": ("<p><strong>{text}</strong>.{link}</p>", "- **{text}**{link}"),
    "effort": ("<p>{text}.</p>", "- {text} ({note})"),
    "cost": ('<p class="{banner}">{text}</p>', "- {text}"),
    "top": ("<p>{text}</p>", "- {text}"),
}


def headline(summary: ReportSummary, report: RunReport) -> list[tuple[HeadlineKind, str]]:
    """The summary's opening lines in their order, each with what it says, for both reports to format: the blocks
    to review, the effort, the cost (when the run translated or was costed) and the chapters with most work."""
    lines: list[tuple[HeadlineKind, str]] = []
    if has_review(summary):
        lines.append(("review", review_line(summary)))
    if effort := effort_line(summary):
        lines.append(("effort", effort))
    if summary.pairs or report.cost is not None or report.budget is not None:
        lines.append(("cost", cost_line(summary)))
    if top := top_line(summary):
        lines.append(("top", top))
    return lines


def has_review(summary: ReportSummary) -> bool:
    return summary.review is not None or summary.plan_segments is not None


def cost_line(summary: ReportSummary) -> str:
    """``Billed 1,350 characters, $0.0810 of the $5.00 cap per run (prices unverified)``."""
    cap = ""
    if summary.cap_usd is not None:
        cap = f" of the ${summary.cap_usd:,.2f} cap per run"
        if summary.cap_characters is not None:
            cap += f" ({summary.cap_characters:,} characters)"
    refused = f"Refused by the cost guard: {summary.refused}. " if summary.refused else ""
    scope = f"; {summary.scope}" if summary.scope else ""
    return (
        f"{refused}Billed {summary.billed_characters:,} characters, ${summary.billed_usd:.4f}{cap} "
        f"(list prices, unverified{scope})"
    )


def review_line(summary: ReportSummary) -> str:
    """``To review: 12 of 142 blocks (machine-translated 10, fuzzy-kept 2)`` (see ``review_totals``)."""
    if summary.review is not None:
        return totals_review_line(summary.review)
    if summary.plan_segments is not None:
        to_review, segments = summary.plan_segments
        return f"To review (the sync plan, no published files read): {to_review} of {segments} English segments"
    return "To review: no published chapters in this run"


def effort_line(summary: ReportSummary) -> str:
    return totals_effort_line(summary.review) if summary.review is not None else ""


def top_line(summary: ReportSummary) -> str:
    """``Most work: a.md (10 blocks, effort 450), …``; '' when no chapter has work."""
    return totals_top_line(summary.review) if summary.review is not None else ""


def pair_line(status: PairStatus) -> str:
    phase = f"{status.phase} " if status.phase else ""
    if status.status == "FAILED":
        return f"{phase}{status.pair}: FAILED {status.error}".rstrip()
    return (
        f"{phase}{status.pair}: {status.status}, {status.chapters_published} chapter(s) published, "
        f"{status.segments_translated} segment(s) translated by the MT job"
        f"{untranslated_note(status.segments_untranslated)}, {status.characters_billed:,} characters billed"
    )


def untranslated_note(segments: int) -> str:
    """The untranslated units of a pair, said after its machine-translated count (nothing when there are none)."""
    return f", {segments} left in English (marked untranslated)" if segments else ""


def experiment_lines(report: RunReport) -> list[str]:
    """Per direction and table, the Δ over all sections with its interval: the headline of an evaluation."""
    lines: list[str] = []
    for experiment in report.experiments:
        guard = "guard on" if experiment.leakage_guard_on else "guard OFF: own pairs in the parallel data"
        for _caption, before, after in experiment.comparisons:
            parts = []
            for name in ("BLEU", "chrF"):
                delta = experiment.delta("All sections", name, before, after)
                if delta is not None:
                    verdict = "" if delta.significant else ", not significant"
                    parts.append(f"{name} {delta.delta:+.2f} [{delta.low:+.2f}, {delta.high:+.2f}]{verdict}")
            if parts:
                lines.append(
                    f"{experiment.src_lang} → {experiment.tgt_lang} ({guard}), {after} vs {before}: " + "; ".join(parts)
                )
    return lines
