"""A short Markdown summary of a run, for pull requests and notifications."""

from __future__ import annotations

from collections.abc import Sequence

from amts.evaluate.models import ExperimentReport, RunReport, ScoreReport
from amts.evaluate.report_html import fmt_hundred, fmt_unit, metric
from amts.translate.cost import usd


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)
    return lines


def _experiments(report: ExperimentReport) -> list[str]:
    leaky = any(r.leakage_guard == "own-pairs-included" for row in report.rows for r in row.results)
    guard = f"⚠ **{report.leakage_policy}**" if leaky else report.leakage_policy
    out = [
        f"### Experiments {report.src_lang} → {report.tgt_lang}",
        "",
        f"Engine: **{report.engine}** · tokenizer `{report.tokenize}` · leakage guard: {guard}",
        "",
    ]
    conditions = report.conditions
    header = ["Section", *[f"{c} BLEU (0–1)" for c in conditions]]
    rows: list[list[object]] = []
    for row in report.rows:
        results = {r.condition: r.metrics for r in row.results}
        rows.append([row.section, *[fmt_unit(metric(results.get(c, []), "BLEU")) for c in conditions]])
    totals = {t.name: t.metrics for t in report.totals}
    rows.append(["**All sections**", *[fmt_unit(metric(totals.get(c, []), "BLEU")) for c in conditions]])
    out.extend(_table(header, rows))
    out.append("")
    return out


def _scores(report: ScoreReport) -> list[str]:
    out = [f"### Scores ({report.tgt_lang}, tokenizer `{report.tokenize}`)", ""]
    rows = [
        [a.name, a.documents, a.segments, fmt_hundred(metric(a.metrics, "BLEU")), fmt_unit(metric(a.metrics, "BLEU")),
         fmt_hundred(metric(a.metrics, "chrF"))]
        for a in [report.run, *report.chapters]
    ]  # fmt: skip
    out.extend(_table(["Run / chapter", "Docs", "Segments", "BLEU", "BLEU 0–1", "chrF"], rows))
    mismatched = [d.hyp_path for d in report.documents if d.pairing.mismatch]
    if mismatched:
        out.append("")
        out.append(f"Segment mismatch (scored what aligns) in {len(mismatched)} documents: {', '.join(mismatched)}")
    signature = metric(report.run.metrics, "BLEU")
    if signature is not None:
        out.extend(["", f"Signature: `{signature.signature}`"])
    out.append("")
    return out


def render_markdown(report: RunReport) -> str:
    """Headline figures: scores, experiment tables, cost, term consistency and review workload."""
    out = [f"## {report.title}", ""]
    meta = [
        f"run `{report.run_id}`" if report.run_id else "",
        f"languages {', '.join(report.language_pairs)}" if report.language_pairs else "",
        "engine " + ", ".join(f"**{e.name}**" for e in report.engines) if report.engines else "",
    ]
    if any(meta):
        out.extend([" · ".join(m for m in meta if m), ""])
    out.extend(f"> {note}" for note in report.notes)
    if report.notes:
        out.append("")
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
        out.extend(
            [
                f"**Review workload:** {total.needs_review} of {total.segments_total} segments need review "
                f"({total.machine_translated} machine translated, {total.reused_from_memory} from memory, "
                f"{total.human_edits_kept} human edits kept)",
                "",
                f"**Sentences:** {total.verbatim_sentences} verbatim ({total.verbatim_chars} chars), "
                f"{total.fuzzy_sentences} fuzzy-kept ({total.fuzzy_chars} chars, review with the English diff), "
                f"{total.mt_sentences} machine-translated ({total.mt_chars} chars, post-edit); effort left "
                f"{total.effort_chars:.0f} weighted characters",
                "",
            ]
        )
    return "\n".join(out).rstrip() + "\n"
