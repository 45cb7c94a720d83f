"""A short Markdown summary of a run, for pull requests and notifications."""

from __future__ import annotations

from collections.abc import Sequence

from amts.evaluate.models import ExperimentReport, RunReport, ScoreReport
from amts.evaluate.report_scores_html import fmt_delta, fmt_hundred, guard_heading, metric, signatures
from amts.evaluate.report_summary import HEADLINE_FORMATS, experiment_lines, headline, pair_line, report_summary
from amts.evaluate.review_totals import EFFORT_NOTE
from amts.translate.cost import usd


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)
    return lines


def _experiments(report: ExperimentReport) -> list[str]:
    guard = report.leakage_policy if report.leakage_guard_on else f"⚠ **{report.leakage_policy}**"
    out = [
        f"### {guard_heading(report)}",
        "",
        f"Engine: **{report.engine}** · tokenizer `{report.tokenize}` · leakage guard: {guard}",
        "",
    ]
    totals = {t.name: t.metrics for t in report.totals}
    for caption, before, after in report.comparisons:
        header = [
            "Section", f"{before} BLEU (0–100)", f"{after} BLEU (0–100)", "Δ BLEU [95% CI]",
            f"{before} chrF (0–100)", f"{after} chrF (0–100)", "Δ chrF [95% CI]",
        ]  # fmt: skip
        rows: list[list[object]] = []
        scoped = [(row.section, {r.condition: r.metrics for r in row.results}) for row in report.rows]
        for scope, results in [*scoped, ("All sections", totals)]:
            cells: list[object] = [scope if scope != "All sections" else "**All sections**"]
            for name in ("BLEU", "chrF"):
                first, second = metric(results.get(before, []), name), metric(results.get(after, []), name)
                interval = report.delta(scope, name, before, after)
                cells += [fmt_hundred(first), fmt_hundred(second), fmt_delta(second, first, interval, markup=False)]
            rows.append([cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6]])
        out += [f"**{caption}**", "", *_table(header, rows), ""]
    out += [f"{name} signature: `{signature}`  " for name, signature in signatures(report)]
    out.append("")
    return out


def _scores(report: ScoreReport) -> list[str]:
    out = [f"### Scores ({report.tgt_lang}, tokenizer `{report.tokenize}`)", ""]
    rows = [
        [
            a.name,
            a.documents,
            a.segments,
            fmt_hundred(metric(a.metrics, "BLEU")),
            fmt_hundred(metric(a.metrics, "chrF")),
        ]
        for a in [report.run, *report.chapters]
    ]
    out.extend(_table(["Run / chapter", "Docs", "Segments", "BLEU (0–100)", "chrF (0–100)"], rows))
    mismatched = [d.hyp_path for d in report.documents if d.pairing.mismatch]
    if mismatched:
        out.append("")
        out.append(f"Segment mismatch (scored what aligns) in {len(mismatched)} documents: {', '.join(mismatched)}")
    out.append("")
    out += [f"{name} signature: `{signature}`  " for name, signature in signatures(report)]
    out.append("")
    return out


def _summary(report: RunReport) -> list[str]:
    summary = report_summary(report)
    link = f" ([review page]({summary.review_page}))" if summary.review_page else ""
    out = [
        HEADLINE_FORMATS[kind][1].format(text=text, link=link, note=EFFORT_NOTE)
        for kind, text in headline(summary, report)
    ]
    out += [f"- {pair_line(status)}" for status in summary.pairs]
    out += [f"- {line}" for line in experiment_lines(report)]
    return [*out, ""] if out else []


def render_markdown(report: RunReport) -> str:
    """Headline figures: scores, experiment tables, cost, term consistency and review workload."""
    out = [f"## {report.title}", ""]
    meta = [
        f"run `{report.run_id}`" if report.run_id else "",
        f"languages {', '.join(report.language_pairs)}" if report.language_pairs else "",
    ]
    if any(meta):
        out.extend([" · ".join(m for m in meta if m), ""])
    out.extend(_summary(report))
    for experiment in report.experiments:
        out.extend(_experiments(experiment))
    for scores in report.scores:
        out.extend(_scores(scores))
    if report.budget is not None:
        budget = report.budget
        verdict = "approved" if budget.approved else f"refused ({budget.reason})"
        out.extend(
            [
                f"**Budget:** {verdict}; estimate {budget.estimate_characters:,} characters "
                f"(${budget.estimate_usd:.4f}), billed {budget.billed_characters:,} (${budget.billed_usd:.4f}), "
                f"cap {usd(budget.cap_usd_per_run)} "
                f"and {budget.cap_characters_per_run:,} characters per run",
                "",
            ]
        )
    if report.cost is not None:
        out.extend(
            [f"**Cost:** ${report.cost.total_usd:.4f} for {sum(line.characters for line in report.cost.lines):,}"
             " characters", ""]
        )  # fmt: skip
    if report.terminology is not None:
        terms = report.terminology
        out.extend([f"**Terminology:** {terms.terms_checked} terms checked, {len(terms.issues)} inconsistencies", ""])
    if report.sync is not None:
        total = report.sync.totals
        plan = (
            f"**Sync plan (English segments):** {total.segments_total} segments, {total.machine_translated} given MT, "
            f"{total.reused_from_memory} from memory, {total.human_edits_kept} human edits kept"
        )
        if not report.segments:  # no review rows: the plan's own review figures, in its units
            plan += (
                f"; {total.needs_review} segments to review, {total.fuzzy_sentences} fuzzy-kept and "
                f"{total.mt_sentences} MT sentences, effort {total.effort_chars:,.0f} weighted source characters"
            )
        out.extend([plan, ""])
    if report.engine_usage:
        rows = [
            [u.engine, u.pair, u.job, "not reported" if u.segments is None else u.segments] for u in report.engine_usage
        ]
        out += [*_table(["Engine", "Pair", "Job", "Segments in the job's output"], rows), ""]
    elif report.engines:
        out += [*_table(["Engine", "Where"], [[e.name, e.description] for e in report.engines]), ""]
    if report.notes:
        out += ["<details><summary>Notes</summary>", "", *(f"- {note}" for note in dict.fromkeys(report.notes)), "",
                "</details>", ""]  # fmt: skip
    return "\n".join(out).rstrip() + "\n"
