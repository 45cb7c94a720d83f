"""A self-contained HTML report: inline CSS and inline SVG charts, no scripts, no external assets.

A summary comes first (status per pair, cost against the cap, segments to review, the chapters with most work),
then the details; every section renders only when the report has it, so a pipeline run shows what it produced.
Scores are on sacreBLEU's 0–100 scale, with each metric's signature; tables scroll inside their own box and the
charts scale to the page, so the report reads on a phone too.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from amts.evaluate.models import (
    BudgetReport,
    CostReport,
    RunReport,
    SyncDocumentWorkload,
    SyncWorkloadReport,
    TermConsistencyReport,
)
from amts.evaluate.report_scores_html import (
    COLOUR_PARAGRAPH,
    COLOUR_SCORE,
    COLOUR_SENTENCE,
    COLOUR_WITH_ACT,
    COLOUR_WITHOUT_ACT,
    bar_chart,
    experiment_section,
    fmt_hundred,
    metric,
    scores_section,
)
from amts.evaluate.report_summary import HEADLINE_FORMATS, experiment_lines, headline, report_summary
from amts.evaluate.review_totals import EFFORT_NOTE, ChapterWork, ReviewTotals, effort_line, review_line, review_totals

__all__ = [
    "BASE_CSS",
    "COLOUR_PARAGRAPH",
    "COLOUR_SCORE",
    "COLOUR_SENTENCE",
    "COLOUR_WITHOUT_ACT",
    "COLOUR_WITH_ACT",
    "bar_chart",
    "fmt_hundred",
    "metric",
    "render_html",
    "scrolling_tables",
]

BASE_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",sans-serif;
margin:2rem auto;max-width:1000px;padding:0 1rem;color:#1f2328;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem;overflow-wrap:anywhere}
h2{border-bottom:1px solid #d0d7de;padding-bottom:.3rem;margin-top:2.2rem;overflow-wrap:anywhere}
h3{margin-top:1.5rem}
table{border-collapse:collapse;margin:.6rem 0 1rem;font-size:.92rem}
th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.path{overflow-wrap:anywhere;min-width:6rem}td.num{text-align:right;font-variant-numeric:tabular-nums}
.scroll{overflow-x:auto;max-width:100%}
.meta{color:#57606a;font-size:.92rem;overflow-wrap:anywhere}.note{color:#57606a;font-size:.9rem;overflow-wrap:anywhere}
.banner{padding:.5rem .8rem;border-radius:6px;margin:.6rem 0}
.ok{background:#dafbe1;border:1px solid #4ac26b}.warn{background:#fff8c5;border:1px solid #d4a72c}
.bad{background:#ffebe9;border:1px solid #ff8182}
.summary{border:1px solid #d0d7de;border-radius:8px;padding:.2rem 1rem .6rem;background:#f6f8fa}
.summary h2{margin-top:.6rem}.ns{color:#57606a}.sig{font-weight:600}
code{font-size:.85rem;background:#f6f8fa;padding:.05rem .25rem;border-radius:4px;overflow-wrap:anywhere}
svg.chart{width:100%;height:auto;display:block}svg text{font-family:inherit}
@media (max-width:600px){body{margin:1rem auto;padding:0 .6rem}h1{font-size:1.35rem}th,td{padding:.25rem .35rem}}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def scrolling_tables(page: str) -> str:
    """Every table inside a box that scrolls sideways on its own, so a narrow screen never scrolls the page."""
    return page.replace("<table>", '<div class="scroll"><table>').replace("</table>", "</table></div>")


def _summary_section(report: RunReport) -> str:
    summary = report_summary(report)
    phases = any(status.phase for status in summary.pairs)  # a combined report: which run each row is
    problems = any(status.error for status in summary.pairs)
    rows = "".join(
        "<tr>"
        + (f"<td>{_e(status.phase)}</td>" if phases else "")
        + f"<td>{_e(status.pair)}</td><td>{_e(status.status)}</td>"
        f'<td class="num">{status.chapters_published}</td><td class="num">{status.segments_translated}</td>'
        f'<td class="num">{status.characters_billed:,}</td>'
        + (f"<td>{_e(status.error)}</td>" if problems else "")
        + "</tr>"
        for status in summary.pairs
    )
    failed = any(status.status == "FAILED" for status in summary.pairs) or summary.refused
    table = (
        "<table><tr>"
        + ("<th>Run</th>" if phases else "")
        + "<th>Pair</th><th>Status</th><th>Chapters published</th><th>Segments translated by the MT job</th>"
        + "<th>Characters billed</th>"
        + ("<th>Problem</th>" if problems else "")
        + f"</tr>{rows}</table>"
        if rows
        else ""
    )
    link = (
        f' <a href="{_e(summary.review_page)}"><strong>Open the review page</strong></a>' if summary.review_page else ""
    )
    banner = "banner bad" if failed else ""
    lines = [
        HEADLINE_FORMATS[kind][0].format(text=_e(text), link=link, banner=banner)
        for kind, text in headline(summary, report)
    ]
    scores = [f"<p>{_e(line)}</p>" for line in experiment_lines(report)]
    if not lines:  # an evaluation: its deltas are the headline
        lines, scores = scores, []
    head, rest = "".join(lines), "".join(scores) + table
    return f'<div class="summary" id="summary"><h2>Summary</h2><div id="headline">{head}</div>{rest}</div>'


def _engines_section(report: RunReport) -> str:
    """Engine → segments, one row per engine and job (the jobs' ids stay in report.json)."""
    if report.engine_usage:
        rows = "".join(
            f"<tr><td>{_e(use.engine)}</td><td>{_e(use.pair)}</td><td>{_e(use.job)}</td>"
            f'<td class="num">{"not reported" if use.segments is None else use.segments}</td></tr>'
            for use in report.engine_usage
        )
        return (
            "<h2>Translation engines</h2><table><tr><th>Engine</th><th>Pair</th><th>Job</th>"
            "<th>Segments in the job's output</th></tr>"
            f"{rows}</table>"
        )
    if not report.engines:
        return ""
    rows = "".join(f"<tr><td>{_e(e.name)}</td><td>{_e(e.description)}</td></tr>" for e in report.engines)
    return f"<h2>Translation engines</h2><table><tr><th>Engine</th><th>Where</th></tr>{rows}</table>"


def _budget_section(budget: BudgetReport) -> str:
    def usd(value: float | None) -> str:
        return "no cap" if value is None else f"{value:,.4f}"

    verdict = "approved" if budget.approved else "refused: " + (budget.reason or "over a cap")
    rows = [
        *((f"Estimate: {line.label}", f"{line.characters:,}", usd(line.usd)) for line in budget.estimate_lines),
        ("Estimate (before any job)", f"{budget.estimate_characters:,}", usd(budget.estimate_usd)),
        ("Billed", f"{budget.billed_characters:,}", usd(budget.billed_usd)),
        ("Cap per run", f"{budget.cap_characters_per_run:,}", usd(budget.cap_usd_per_run)),
        (f"Cap per day ({budget.day})", "", usd(budget.cap_usd_per_day)),
        (
            f"Spent or reserved on {budget.day}",
            "",
            usd(budget.day_spent_usd) if budget.day_spent_usd is not None else "–",
        ),
        (f"Cap per month ({budget.month})", "", usd(budget.cap_usd_per_month)),
        (
            f"Spent or reserved in {budget.month}",
            "",
            usd(budget.month_spent_usd) if budget.month_spent_usd is not None else "–",
        ),
    ]
    body = "".join(
        f'<tr><td>{_e(label)}</td><td class="num">{chars}</td><td class="num">{_e(amount)}</td></tr>'
        for label, chars, amount in rows
    )
    return (
        f'<h2>Budget</h2><p class="note">Cost guard: {_e(verdict)}{"; " + _e(budget.scope) if budget.scope else ""}</p>'
        f"<table><tr><th></th><th>Characters</th><th>USD</th></tr>{body}</table>"
    )


def _cost_section(cost: CostReport) -> str:
    rows = "".join(
        f'<tr><td>{_e(line.label)}</td><td class="num">{line.characters:,}</td>'
        f'<td class="num">{line.usd_per_million_characters:.2f}</td><td class="num">{line.usd:.4f}</td></tr>'
        for line in cost.lines
    )
    note = f'<p class="note">{_e(cost.pricing_note)}</p>' if cost.pricing_note else ""
    return (
        "<h2>Cost</h2><table><tr><th>Item</th><th>Characters</th><th>USD per million</th><th>USD</th></tr>"
        f'{rows}<tr><th>Total</th><th></th><th></th><th class="num">{cost.total_usd:.4f}</th></tr></table>{note}'
    )


def _terms_section(terms: TermConsistencyReport) -> str:
    status = "ok" if not terms.issues else "warn"
    head = (
        f"<h2>Term consistency</h2><div class='banner {status}'>{terms.terms_checked} terms checked"
        f"{f' against {_e(terms.glossary)}' if terms.glossary else ''}, {terms.occurrences} occurrences, "
        f"<strong>{len(terms.issues)} inconsistencies</strong></div>"
    )
    if not terms.issues:
        return head
    rows = "".join(
        f"<tr><td>{_e(i.term)}</td><td>{_e(i.expected)}</td><td>{_e(i.found)}</td><td>{_e(i.path)}</td>"
        f"<td>{_e(i.segment_id)}</td><td>{_e(i.message)}</td></tr>"
        for i in terms.issues
    )
    return (
        head + "<table><tr><th>Term</th><th>Expected</th><th>Found</th><th>File</th><th>Segment</th><th>Problem</th>"
        f"</tr>{rows}</table>"
    )


def _work_row(name: str, cells: Sequence[object], tag: str) -> str:
    """A chapter's or document's row of a workload table: its path, then its figures (``th`` for the totals)."""
    figures = "".join(f'<{tag} class="num">{cell}</{tag}>' for cell in cells)
    return f'<tr><{tag} class="path">{_e(name)}</{tag}>{figures}</tr>'


def _folded(header: str, rows: Sequence[str], what: str) -> str:
    """The rows with nothing to review, folded away under one line ('' when there are none)."""
    if not rows:
        return ""
    return (
        f"<details><summary>{len(rows)} {what} with nothing to review</summary>"
        f"<table>{header}{''.join(rows)}</table></details>"
    )


def _review_section(totals: ReviewTotals) -> str:
    """Chapters sorted by the effort left (the review page's figures); those with nothing to review folded away."""

    def row(c: ChapterWork, tag: str = "td") -> str:
        return _work_row(c.chapter, [f"{c.to_review} of {c.blocks}", c.mt_sentences, f"{c.effort:,.0f}"], tag)

    # four columns, so that a phone shows every number (the totals' other figures are in the paragraph)
    header = (
        '<tr><th class="path">Chapter</th><th>Blocks to review</th><th>MT sentences</th>'
        "<th>Effort (weighted chars)</th></tr>"
    )
    work = [c for c in totals.chapters if c.to_review]
    idle = [c for c in totals.chapters if not c.to_review]
    whole = ChapterWork(
        chapter="All chapters", blocks=totals.blocks, to_review=totals.to_review, chars=totals.chars,
        effort=totals.effort, mt_sentences=totals.mt_sentences, fuzzy_sentences=totals.fuzzy_sentences,
    )  # fmt: skip
    folded = _folded(header, [row(c) for c in idle], "chapters")
    return (
        f"<h2>Review workload</h2><p>{_e(review_line(totals))}. {_e(effort_line(totals))} ({EFFORT_NOTE}). "
        "From the review markers in the published files, as on the review page.</p>"
        f"<table>{header}{''.join(row(c) for c in work)}{row(whole, 'th')}</table>{folded}"
    )


def _sync_section(sync: SyncWorkloadReport, *, reviewed: bool) -> str:
    """The Score step's sync plan per document, in English segments; its review figures only when no review rows
    were read from the published files (``reviewed``: they were, and the review section shows them)."""

    def row(d: SyncDocumentWorkload, tag: str = "td") -> str:
        cells: list[object] = [d.segments_total, d.machine_translated, d.reused_from_memory, d.human_edits_kept]
        if not reviewed:
            cells += [d.needs_review, d.fuzzy_sentences, d.mt_sentences, round(d.effort_chars)]
        return _work_row(d.path, cells, tag)

    header = (
        '<tr><th class="path">Document</th><th>English segments</th><th>Segments given MT</th>'
        "<th>Segments from memory</th><th>Human edits kept (segments)</th>"
        + (
            ""
            if reviewed
            else "<th>Segments to review</th><th>Fuzzy-kept sentences</th><th>MT sentences</th>"
            "<th>Effort (weighted chars)</th>"
        )
        + "</tr>"
    )
    ranked = sorted(sync.documents, key=lambda d: (-d.effort_chars, -d.needs_review, d.path))
    work = [d for d in ranked if d.needs_review or d.effort_chars]
    idle = [d for d in ranked if not (d.needs_review or d.effort_chars)]
    total = sync.totals
    folded = _folded(header, [row(d) for d in idle], "documents")
    intro = (
        "The Score step syncs each chapter again to count what the plan did, in English segments; the published "
        "files' markers (the review workload above) are what a translator works from."
        if reviewed
        else f"{total.needs_review} of {total.segments_total} English segments need human review; effort "
        f"{total.effort_chars:,.0f} weighted source characters ({EFFORT_NOTE})."
    )
    return (
        f"<h2>Sync plan (English segments)</h2><p>{intro}</p>"
        f"<table>{header}{''.join(row(d) for d in work)}{row(total, 'th')}</table>{folded}"
    )


def render_html(report: RunReport) -> str:
    """The whole report as one HTML page with no external resources: the summary first, then the details."""
    meta = [
        item
        for item in (
            f"run <code>{_e(report.run_id)}</code>" if report.run_id else "",
            f"generated {_e(report.generated_at)}" if report.generated_at else "",
            f"book {_e(report.book)}" if report.book else "",
            f"languages {_e(', '.join(report.language_pairs))}" if report.language_pairs else "",
        )
        if item
    ]
    body = [f"<h1>{_e(report.title)}</h1>"]
    details: list[str] = []
    details.extend(experiment_section(e) for e in report.experiments)
    details.extend(scores_section(s) for s in report.scores)
    if report.segments:
        details.append(_review_section(review_totals(report.segments)))
    if report.sync is not None:
        details.append(_sync_section(report.sync, reviewed=bool(report.segments)))
    if report.budget is not None:
        details.append(_budget_section(report.budget))
    if report.cost is not None:
        details.append(_cost_section(report.cost))
    if report.terminology is not None:
        details.append(_terms_section(report.terminology))
    details.append(_engines_section(report))
    if report.notes:
        notes = "".join(f"<li>{_e(note)}</li>" for note in dict.fromkeys(report.notes))
        details.append(f'<h2>Notes</h2><ul class="note">{notes}</ul>')
    details = [d for d in details if d]
    if details:
        body.append(_summary_section(report))
    else:
        body.append('<p class="note">This run produced no scores, experiments, cost, terminology or sync figures.</p>')
    if meta:  # run ids are long: after the summary, not before it
        body.append(f'<p class="meta">{" · ".join(meta)}</p>')
    body.extend(details)
    return scrolling_tables(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(report.title)}</title><style>{BASE_CSS}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
