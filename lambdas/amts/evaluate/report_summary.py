"""The summary a run report opens with: what happened, what it cost, what a translator must do.

One set of figures for the HTML and the Markdown report: the status of each pair, the characters billed and their
cost against the cap, the segments to review by class, and the three chapters with the most work. The review
figures come from the report's ``segments`` (the review page's rows) when it has them, else from the sync workload.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from amts.evaluate.models import NO_REVIEW_CLASSES, REVIEW_CLASS_LABELS, REVIEW_CLASSES, PairStatus, RunReport


@dataclass(frozen=True)
class ReportSummary:
    pairs: list[PairStatus]
    billed_characters: int
    billed_usd: float
    cap_usd: float | None = None
    cap_characters: int | None = None
    scope: str = ""  # what the billed figures cover when not one run
    refused: str | None = None  # the cost guard's reason when it refused the run
    to_review: list[tuple[str, int]] = field(default_factory=list)  # (class label, segments), most first
    review_total: int = 0
    segments_total: int = 0
    top_chapters: list[tuple[str, int, float]] = field(default_factory=list)  # (chapter, to review, effort)
    review_page: str | None = None


def report_summary(report: RunReport) -> ReportSummary:
    """The summary's figures for ``report``."""
    budget, cost = report.budget, report.cost
    billed_chars = budget.billed_characters if budget else sum(line.characters for line in cost.lines) if cost else 0
    billed_usd = budget.billed_usd if budget else cost.total_usd if cost else 0.0
    refused = (budget.reason or "over a cap") if budget is not None and not budget.approved else None
    to_review: list[tuple[str, int]] = []
    top: list[tuple[str, int, float]] = []
    review_total = segments_total = 0
    if report.segments:
        counts = dict.fromkeys(REVIEW_CLASSES, 0)
        work: dict[str, list[float]] = {}
        for row in report.segments:
            counts[row.review_class] += 1
            if row.needs_review:
                figures = work.setdefault(f"{row.pair} {row.chapter}".strip(), [0, 0.0])
                figures[0] += 1
                figures[1] += row.effort
        to_review = [(REVIEW_CLASS_LABELS[n], c) for n, c in counts.items() if c and n not in NO_REVIEW_CLASSES]
        review_total = sum(count for _, count in to_review)
        segments_total = len(report.segments)
        top = [(key, int(f[0]), round(f[1], 1)) for key, f in sorted(work.items(), key=lambda kv: -kv[1][1])[:3]]
    elif report.sync is not None:
        totals = report.sync.totals
        review_total, segments_total = totals.needs_review, totals.segments_total
        ranked = sorted(report.sync.documents, key=lambda d: (-d.effort_chars, -d.needs_review))
        top = [(d.path, d.needs_review, round(d.effort_chars, 1)) for d in ranked if d.needs_review][:3]
    return ReportSummary(
        pairs=list(report.pairs),
        billed_characters=billed_chars,
        billed_usd=billed_usd,
        cap_usd=budget.cap_usd_per_run if budget else None,
        cap_characters=budget.cap_characters_per_run if budget else None,
        scope=budget.scope if budget else "",
        refused=refused,
        to_review=sorted(to_review, key=lambda item: -item[1]),
        review_total=review_total,
        segments_total=segments_total,
        top_chapters=top,
        review_page=report.review_page,
    )


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
    """``To review: 12 of 142 segments: machine-translated 10, fuzzy-kept 2``."""
    if not summary.segments_total:
        return "To review: no published chapters in this run"
    classes = ", ".join(f"{label} {count}" for label, count in summary.to_review)
    return f"To review: {summary.review_total} of {summary.segments_total} segments" + (
        f": {classes}" if classes else ""
    )


def top_line(summary: ReportSummary) -> str:
    """``Most work: a.md (10 segments, effort 450), …``; '' when no chapter has work."""
    if not summary.top_chapters:
        return ""
    return "Most work: " + "; ".join(
        f"{chapter} ({count} segments, effort {effort:,.0f})" for chapter, count, effort in summary.top_chapters
    )


def pair_line(status: PairStatus) -> str:
    phase = f"{status.phase} " if status.phase else ""
    if status.status == "FAILED":
        return f"{phase}{status.pair}: FAILED {status.error}".rstrip()
    return (
        f"{phase}{status.pair}: {status.status}, {status.chapters_published} chapter(s) published, "
        f"{status.segments_translated} segment(s) machine-translated{untranslated_note(status.segments_untranslated)}, "
        f"{status.characters_billed:,} characters billed"
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
