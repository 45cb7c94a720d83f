"""A self-contained HTML report: inline CSS and inline SVG charts, no scripts, no external assets.

Every section renders only when the report has it, so a pipeline run shows what it produced.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from pathlib import PurePosixPath

from amts.evaluate.models import (
    AggregateScore,
    BudgetReport,
    CostReport,
    ExperimentReport,
    MetricScore,
    RunReport,
    ScoreReport,
    SyncDocumentWorkload,
    SyncWorkloadReport,
    TermConsistencyReport,
)

# Bar colours (a colour-blind-safe palette); the screenshot test looks for them.
COLOUR_WITHOUT_ACT = "#d95f02"
COLOUR_WITH_ACT = "#1b9e77"
COLOUR_PARAGRAPH = "#7570b3"
COLOUR_SENTENCE = "#e7298a"
COLOUR_SCORE = "#386cb0"

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",sans-serif;
margin:2rem auto;max-width:1000px;padding:0 1rem;color:#1f2328;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{border-bottom:1px solid #d0d7de;padding-bottom:.3rem;margin-top:2.2rem}
h3{margin-top:1.5rem}
table{border-collapse:collapse;margin:.6rem 0 1rem;font-size:.92rem}
th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}
.meta{color:#57606a;font-size:.92rem}.note{color:#57606a;font-size:.9rem}
.banner{padding:.5rem .8rem;border-radius:6px;margin:.6rem 0}
.ok{background:#dafbe1;border:1px solid #4ac26b}.warn{background:#fff8c5;border:1px solid #d4a72c}
.bad{background:#ffebe9;border:1px solid #ff8182}
code{font-size:.85rem;background:#f6f8fa;padding:.05rem .25rem;border-radius:4px}
svg text{font-family:inherit}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def metric(metrics: Sequence[MetricScore], name: str) -> MetricScore | None:
    """The named metric from a list of scores, if it was computed."""
    return next((m for m in metrics if m.metric == name), None)


def fmt_unit(score: MetricScore | None) -> str:
    """A score on the 0–1 scale, four decimals; a dash when it was not computed (also the Markdown summary's)."""
    return "–" if score is None else f"{score.score_unit:.4f}"


def fmt_hundred(score: MetricScore | None) -> str:
    """A score on the 0–100 scale, two decimals; a dash when it was not computed."""
    return "–" if score is None else f"{score.score:.2f}"


def _delta(after: MetricScore | None, before: MetricScore | None) -> str:
    if after is None or before is None:
        return "–"
    return f"{after.score_unit - before.score_unit:+.4f}"


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float | None]]],
    *,
    axis_label: str = "BLEU (0–1)",
) -> str:
    """Horizontal grouped bars as inline SVG: one group per category, one bar per (label, colour, values)."""
    label_width, plot_width, bar_height, gap, top = 260, 600, 16, 14, 48
    group_height = bar_height * len(series) + gap
    height = top + group_height * len(categories) + 40
    values = [v for _, _, vals in series for v in vals if v is not None]
    peak = max(values, default=0.0)
    scale_max = max(0.05, _nice_ceiling(peak))
    width = label_width + plot_width + 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{_e(title)}">',
        f'<text x="0" y="16" font-size="15" font-weight="600">{_e(title)}</text>',
    ]
    legend_x = 0.0
    for label, colour, _ in series:
        parts.append(f'<rect x="{legend_x}" y="26" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{legend_x + 16}" y="37" font-size="12">{_e(label)}</text>')
        legend_x += 24 + 7 * len(label)
    for tick in range(6):
        tick_value = scale_max * tick / 5
        x = label_width + plot_width * tick / 5
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 34}" stroke="#d0d7de" stroke-width="1"/>'
        )
        parts.append(f'<text x="{x:.1f}" y="{height - 20}" font-size="11" text-anchor="middle">{tick_value:.2f}</text>')
    parts.append(
        f'<text x="{label_width + plot_width / 2}" y="{height - 4}" font-size="12" '
        f'text-anchor="middle">{_e(axis_label)}</text>'
    )
    for index, category in enumerate(categories):
        y0 = top + index * group_height
        short = _short(category)
        short = short if len(short) <= 38 else short[:36] + "…"
        parts.append(
            f'<text x="{label_width - 8}" y="{y0 + bar_height * len(series) / 2 + 4:.1f}" font-size="12" '
            f'text-anchor="end"><title>{_e(category)}</title>{_e(short)}</text>'
        )
        for offset, (label, colour, vals) in enumerate(series):
            value: float | None = vals[index] if index < len(vals) else None
            y = y0 + offset * bar_height
            if value is None:
                parts.append(f'<text x="{label_width + 4}" y="{y + 12}" font-size="11" fill="#57606a">n/a</text>')
                continue
            bar = plot_width * min(value, scale_max) / scale_max
            parts.append(
                f'<rect x="{label_width}" y="{y + 1}" width="{bar:.1f}" height="{bar_height - 2}" fill="{colour}">'
                f"<title>{_e(category)} — {_e(label)}: {value:.4f}</title></rect>"
            )
            parts.append(f'<text x="{label_width + bar + 4:.1f}" y="{y + 12}" font-size="11">{value:.3f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _short(section: str) -> str:
    """Section paths share long chapter prefixes: show the file stem (the full path goes in a tooltip)."""
    return PurePosixPath(section).stem if section.endswith(".md") else section


def _nice_ceiling(value: float) -> float:
    for step in (0.05, 0.1, 0.2, 0.25, 0.5, 1.0):
        if value <= step:
            return step
    return float(int(value) + 1)


def _bleu_unit(metrics: Sequence[MetricScore]) -> float | None:
    found = metric(metrics, "BLEU")
    return None if found is None else found.score_unit


def _experiment_section(report: ExperimentReport) -> str:
    direction = f"{report.src_lang} → {report.tgt_lang}"
    leaky = any(r.leakage_guard == "own-pairs-included" for row in report.rows for r in row.results)
    banner_class = "bad" if leaky else "ok"
    out = [
        f"<h2>Experiments {_e(direction)}</h2>",
        f'<p class="meta">Engine: <strong>{_e(report.engine)}</strong> · tokenizer <code>{_e(report.tokenize)}</code>'
        f" · {len(report.rows)} sections</p>",
        f'<div class="banner {banner_class}"><strong>Leakage guard:</strong> {_e(report.leakage_policy)}</div>',
    ]
    conditions = report.conditions

    def cell(row_results: dict[str, list[MetricScore]], condition: str, name: str) -> MetricScore | None:
        return metric(row_results.get(condition, []), name)

    tables = [("Table 1 — without vs with ACT", conditions[0], conditions[-1], COLOUR_WITHOUT_ACT, COLOUR_WITH_ACT)]
    if len(conditions) >= 3:
        tables.append(
            ("Table 2 — parallel data from paragraph vs sentence pairs", conditions[1], conditions[2],
             COLOUR_PARAGRAPH, COLOUR_SENTENCE)
        )  # fmt: skip
    totals = {t.name: t.metrics for t in report.totals}
    for caption, before, after, colour_before, colour_after in tables:
        if before == after:
            continue
        out.append(f"<h3>{_e(caption)}</h3>")
        out.append(
            "<table><tr><th>Section</th><th>Chapter</th>"
            f"<th>{_e(before)}<br>BLEU 0–1</th><th>{_e(after)}<br>BLEU 0–1</th><th>Δ BLEU</th>"
            f"<th>{_e(before)}<br>chrF</th><th>{_e(after)}<br>chrF</th><th>Leakage guard</th><th>Pairs used</th></tr>"
        )
        for row in report.rows:
            results = {r.condition: r.metrics for r in row.results}
            guard = next((r for r in row.results if r.condition == after), None)
            guard_text = "" if guard is None else f"{guard.leakage_guard} (excluded {guard.excluded_pairs})"
            out.append(
                f'<tr><td title="{_e(row.section)}">{_e(_short(row.section))}</td><td>{_e(row.chapter)}</td>'
                f'<td class="num">{fmt_unit(cell(results, before, "BLEU"))}</td>'
                f'<td class="num">{fmt_unit(cell(results, after, "BLEU"))}</td>'
                f'<td class="num">{_delta(cell(results, after, "BLEU"), cell(results, before, "BLEU"))}</td>'
                f'<td class="num">{fmt_hundred(cell(results, before, "chrF"))}</td>'
                f'<td class="num">{fmt_hundred(cell(results, after, "chrF"))}</td>'
                f"<td>{_e(guard_text)}</td>"
                f'<td class="num">{guard.parallel_pairs if guard else 0}</td></tr>'
            )
        out.append(
            "<tr><th>All sections</th><th></th>"
            f'<th class="num">{fmt_unit(metric(totals.get(before, []), "BLEU"))}</th>'
            f'<th class="num">{fmt_unit(metric(totals.get(after, []), "BLEU"))}</th>'
            f'<th class="num">{_delta(metric(totals.get(after, []), "BLEU"), metric(totals.get(before, []), "BLEU"))}'
            "</th>"
            f'<th class="num">{fmt_hundred(metric(totals.get(before, []), "chrF"))}</th>'
            f'<th class="num">{fmt_hundred(metric(totals.get(after, []), "chrF"))}</th><th></th><th></th></tr></table>'
        )
        categories = [row.section for row in report.rows]
        by_row = [{r.condition: r.metrics for r in row.results} for row in report.rows]
        out.append(
            bar_chart(
                f"{caption} ({direction}), BLEU per section",
                categories,
                [
                    (before, colour_before, [_bleu_unit(r.get(before, [])) for r in by_row]),
                    (after, colour_after, [_bleu_unit(r.get(after, [])) for r in by_row]),
                ],
            )
        )
    usage: dict[str, Counter[str]] = {c: Counter() for c in conditions}
    for row in report.rows:
        for result in row.results:
            usage.setdefault(result.condition, Counter()).update(result.engine_usage)
    if any(usage.values()):
        items = "".join(
            f"<li>{_e(condition)}: "
            + ", ".join(f"{_e(label)} {count}" for label, count in sorted(counts.items(), key=lambda kv: -kv[1]))
            + "</li>"
            for condition, counts in usage.items()
            if counts
        )
        out.append(f'<p class="note">Which engine produced the text (segments or sentences):</p><ul>{items}</ul>')
    signature = next((m.signature for t in report.totals for m in t.metrics if m.metric == "BLEU"), "")
    if signature:
        out.append(f'<p class="note">BLEU signature: <code>{_e(signature)}</code></p>')
    out.extend(f'<p class="note">{_e(note)}</p>' for note in report.notes)
    return "\n".join(out)


def _aggregate_rows(rows: Sequence[AggregateScore], label: str) -> str:
    out = [f"<table><tr><th>{_e(label)}</th><th>Docs</th><th>Segments</th><th>BLEU</th><th>BLEU 0–1</th><th>chrF</th>"]
    has_plus = any(metric(r.metrics, "chrF++") for r in rows)
    if has_plus:
        out.append("<th>chrF++</th>")
    out.append("</tr>")
    for row in rows:
        out.append(
            f'<tr><td>{_e(row.name)}</td><td class="num">{row.documents}</td><td class="num">{row.segments}</td>'
            f'<td class="num">{fmt_hundred(metric(row.metrics, "BLEU"))}</td>'
            f'<td class="num">{fmt_unit(metric(row.metrics, "BLEU"))}</td>'
            f'<td class="num">{fmt_hundred(metric(row.metrics, "chrF"))}</td>'
        )
        if has_plus:
            out.append(f'<td class="num">{fmt_hundred(metric(row.metrics, "chrF++"))}</td>')
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)


def _scores_section(report: ScoreReport) -> str:
    out = [
        f"<h2>Scores against the human translation ({_e(report.tgt_lang)})</h2>",
        f'<p class="meta">tokenizer <code>{_e(report.tokenize)}</code> · {len(report.documents)} documents · '
        f"{report.run.segments} segment pairs</p>",
        _aggregate_rows([report.run, *report.chapters], "Run / chapter"),
    ]
    if len(report.chapters) > 0:
        out.append(
            bar_chart(
                f"BLEU per chapter ({report.tgt_lang})",
                [c.name for c in report.chapters],
                [("BLEU", COLOUR_SCORE, [_bleu_unit(c.metrics) for c in report.chapters])],
            )
        )
    out.append(
        "<h3>Documents</h3><table><tr><th>Hypothesis</th><th>Reference</th><th>Pairing</th><th>Pairs</th>"
        "<th>BLEU</th><th>chrF</th><th>Document-level BLEU</th><th>Notes</th></tr>"
    )
    for doc in report.documents:
        notes = "; ".join(doc.pairing.notes)
        if doc.pairing.skipped:
            notes = "; ".join(filter(None, [notes, "left out: " + ", ".join(
                f"{k} {v}" for k, v in doc.pairing.skipped.items())]))  # fmt: skip
        mismatch = ' <strong title="segment mismatch">⚠</strong>' if doc.pairing.mismatch else ""
        out.append(
            f"<tr><td>{_e(doc.hyp_path)}</td><td>{_e(doc.ref_path)}</td><td>{_e(doc.pairing.strategy)}{mismatch}</td>"
            f'<td class="num">{doc.segments}</td><td class="num">{fmt_hundred(metric(doc.metrics, "BLEU"))}</td>'
            f'<td class="num">{fmt_hundred(metric(doc.metrics, "chrF"))}</td>'
            f'<td class="num">{fmt_hundred(metric(doc.document_level, "BLEU"))}</td><td>{_e(notes)}</td></tr>'
        )
    out.append("</table>")
    for missing, what in ((report.missing_hyp, "no hypothesis"), (report.missing_ref, "no reference")):
        if missing:
            out.append(f'<p class="note">Documents with {what}: {_e(", ".join(missing))}</p>')
    signatures = sorted({m.signature for m in report.run.metrics})
    out.extend(f'<p class="note">Signature: <code>{_e(s)}</code></p>' for s in signatures)
    out.extend(f'<p class="note">{_e(note)}</p>' for note in report.notes)
    return "\n".join(out)


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
        f'<h2>Budget</h2><p class="note">Cost guard: {_e(verdict)}</p>'
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


def _sync_section(sync: SyncWorkloadReport) -> str:
    def row(d: object, cells: Sequence[int], tag: str) -> str:
        return f"<tr><{tag}>{_e(d)}</{tag}>" + "".join(f'<{tag} class="num">{c}</{tag}>' for c in cells) + "</tr>"

    def cells(d: object) -> list[int]:
        fields = ("segments_total", "unchanged", "reused_from_memory", "machine_translated", "human_edits_kept")
        return [int(getattr(d, f)) for f in (*fields, "needs_review")]

    def classes(d: SyncDocumentWorkload) -> list[int]:
        return [
            d.verbatim_sentences, d.verbatim_chars, d.fuzzy_sentences, d.fuzzy_chars, d.mt_sentences, d.mt_chars,
            round(d.effort_chars),
        ]  # fmt: skip

    body = "".join(row(d.path, cells(d), "td") for d in sync.documents)
    total = sync.totals
    review = total.needs_review
    share = f"{100 * review / total.segments_total:.1f}%" if total.segments_total else "–"
    all_chars = total.verbatim_chars + total.fuzzy_chars + total.mt_chars
    effort = f"{100 * total.effort_chars / all_chars:.1f}%" if all_chars else "–"
    by_class = "".join(row(d.path, classes(d), "td") for d in sync.documents)
    return (
        f"<h2>Review workload from synchronization</h2><p>{review} of {total.segments_total} segments ({share}) need"
        f" human review. Left to do: review {total.fuzzy_chars} fuzzy-kept and post-edit {total.mt_chars} "
        f"machine-translated source characters, {effort} of translating from scratch (weights: fuzzy 0.3, MT 0.6)."
        "</p><table><tr><th>Document</th><th>Segments</th><th>Unchanged</th><th>From memory</th>"
        "<th>Machine translated</th><th>Human edits kept</th><th>Needs review</th></tr>"
        f"{body}{row('All documents', cells(total), 'th')}</table>"
        "<table><tr><th>Document</th><th>Verbatim sentences</th><th>chars</th><th>Fuzzy-kept sentences</th>"
        "<th>chars</th><th>MT sentences</th><th>chars</th><th>Effort (weighted chars)</th></tr>"
        f"{by_class}{row('All documents', classes(total), 'th')}</table>"
    )


def render_html(report: RunReport) -> str:
    """The whole report as one HTML page with no external resources."""
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
    if meta:
        body.append(f'<p class="meta">{" · ".join(meta)}</p>')
    if report.engines:
        engines = "".join(
            f"<li><strong>{_e(e.name)}</strong>{' — ' + _e(e.description) if e.description else ''}</li>"
            for e in report.engines
        )
        body.append(f"<h2>Translation engine</h2><ul>{engines}</ul>")
    body.extend(f'<p class="note">{_e(note)}</p>' for note in report.notes)
    body.extend(_experiment_section(e) for e in report.experiments)
    body.extend(_scores_section(s) for s in report.scores)
    if report.budget is not None:
        body.append(_budget_section(report.budget))
    if report.cost is not None:
        body.append(_cost_section(report.cost))
    if report.terminology is not None:
        body.append(_terms_section(report.terminology))
    if report.sync is not None:
        body.append(_sync_section(report.sync))
    if len(body) == 1 + bool(meta):
        body.append('<p class="note">This run produced no scores, experiments, cost, terminology or sync figures.</p>')
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(report.title)}</title><style>{_CSS}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
