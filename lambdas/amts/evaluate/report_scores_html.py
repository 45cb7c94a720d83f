"""The score sections of the HTML report: the experiments' tables and charts, and scores against the reference.

Every score is on sacreBLEU's 0–100 scale with its unit in the header, every metric's signature is printed, and
each Δ carries its paired bootstrap 95% interval (``significance``), marked "not significant" when it holds 0.
Charts are inline SVG with a ``viewBox``, scaled to the width of the page.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from pathlib import PurePosixPath

from amts.evaluate.models import (
    AggregateScore,
    DeltaInterval,
    ExperimentReport,
    MetricName,
    MetricScore,
    ScoreReport,
)

# Bar colours (a colour-blind-safe palette); the screenshot test looks for them.
COLOUR_WITHOUT_ACT = "#d95f02"
COLOUR_WITH_ACT = "#1b9e77"
COLOUR_PARAGRAPH = "#7570b3"
COLOUR_SENTENCE = "#e7298a"
COLOUR_SCORE = "#386cb0"
TABLE_COLOURS = ((COLOUR_WITHOUT_ACT, COLOUR_WITH_ACT), (COLOUR_PARAGRAPH, COLOUR_SENTENCE))


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def metric(metrics: Sequence[MetricScore], name: str) -> MetricScore | None:
    """The named metric from a list of scores, if it was computed."""
    return next((m for m in metrics if m.metric == name), None)


def fmt_hundred(score: MetricScore | None) -> str:
    """A score on sacreBLEU's 0–100 scale, two decimals; a dash when it was not computed."""
    return "–" if score is None else f"{score.score:.2f}"


def fmt_delta(
    after: MetricScore | None, before: MetricScore | None, interval: DeltaInterval | None, *, markup: bool = True
) -> str:
    """``+1.23 [−0.40, +2.90] not significant`` (0–100 points); a dash when either score is missing."""
    if after is None or before is None:
        return "–"
    text = f"{after.score - before.score:+.2f}"
    if interval is None:
        return text
    bounds = f"[{interval.low:+.2f}, {interval.high:+.2f}]"
    if interval.significant:
        return f'<span class="sig">{text}</span> {bounds}' if markup else f"{text} {bounds}"
    return f'{text} {bounds} <span class="ns">not significant</span>' if markup else f"{text} {bounds} n.s."


def guard_heading(report: ExperimentReport) -> str:
    """``Experiments en → zh, leakage guard on`` (what differs between two sections of the same direction)."""
    state = "on: evaluated chapters held out" if report.leakage_guard_on else "off: own pairs in the parallel data"
    return f"Experiments {report.src_lang} → {report.tgt_lang}, leakage guard {state}"


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float | None]]],
    *,
    axis_label: str = "BLEU (0–100)",
) -> str:
    """Horizontal grouped bars as inline SVG: one group per category, one bar per (label, colour, values)."""
    label_width, plot_width, bar_height, gap, top = 260, 600, 16, 14, 48
    group_height = bar_height * len(series) + gap
    height = top + group_height * len(categories) + 40
    values = [v for _, _, vals in series for v in vals if v is not None]
    scale_max = _nice_ceiling(max(values, default=0.0))
    width = label_width + plot_width + 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'style="max-width:{width}px" aria-label="{_e(title)}">',
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
        parts.append(f'<text x="{x:.1f}" y="{height - 20}" font-size="11" text-anchor="middle">{tick_value:g}</text>')
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
                f"<title>{_e(category)} — {_e(label)}: {value:.2f}</title></rect>"
            )
            parts.append(f'<text x="{label_width + bar + 4:.1f}" y="{y + 12}" font-size="11">{value:.1f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _short(section: str) -> str:
    """Section paths share long chapter prefixes: show the file stem (the full path goes in a tooltip)."""
    return PurePosixPath(section).stem if section.endswith(".md") else section


def _nice_ceiling(value: float) -> float:
    """The chart's axis end on the 0–100 scale: the smallest of a few round steps above the highest bar."""
    for step in (5.0, 10.0, 20.0, 25.0, 50.0, 100.0):
        if value <= step:
            return step
    return float(int(value) + 1)


def _bleu(metrics: Sequence[MetricScore]) -> float | None:
    found = metric(metrics, "BLEU")
    return None if found is None else found.score


def signatures(report: ExperimentReport | ScoreReport) -> list[tuple[str, str]]:
    """(metric, signature) for every metric the report computed, once each."""
    metrics = report.totals if isinstance(report, ExperimentReport) else [report.run]
    found: dict[str, str] = {}
    for aggregate in metrics:
        for score in aggregate.metrics:
            found.setdefault(score.metric, score.signature)
    return list(found.items())


def _signature_notes(report: ExperimentReport | ScoreReport) -> list[str]:
    return [f'<p class="note">{_e(name)} signature: <code>{_e(sig)}</code></p>' for name, sig in signatures(report)]


def _experiment_table(report: ExperimentReport, before: str, after: str) -> str:
    def cell(results: dict[str, list[MetricScore]], condition: str, name: str) -> MetricScore | None:
        return metric(results.get(condition, []), name)

    def delta(results: dict[str, list[MetricScore]], scope: str, name: MetricName) -> str:
        interval = report.delta(scope, name, before, after)
        return fmt_delta(cell(results, after, name), cell(results, before, name), interval)

    out = [
        "<table><tr><th>Section</th><th>Chapter</th>"
        f"<th>{_e(before)}<br>BLEU (0–100)</th><th>{_e(after)}<br>BLEU (0–100)</th><th>Δ BLEU [95% CI]</th>"
        f"<th>{_e(before)}<br>chrF (0–100)</th><th>{_e(after)}<br>chrF (0–100)</th><th>Δ chrF [95% CI]</th>"
        "<th>Leakage guard</th><th>Pairs used</th></tr>"
    ]
    for row in report.rows:
        results = {r.condition: r.metrics for r in row.results}
        guard = next((r for r in row.results if r.condition == after), None)
        guard_text = "" if guard is None else f"{guard.leakage_guard} (excluded {guard.excluded_pairs})"
        out.append(
            f'<tr><td title="{_e(row.section)}">{_e(_short(row.section))}</td><td>{_e(row.chapter)}</td>'
            f'<td class="num">{fmt_hundred(cell(results, before, "BLEU"))}</td>'
            f'<td class="num">{fmt_hundred(cell(results, after, "BLEU"))}</td>'
            f'<td class="num">{delta(results, row.section, "BLEU")}</td>'
            f'<td class="num">{fmt_hundred(cell(results, before, "chrF"))}</td>'
            f'<td class="num">{fmt_hundred(cell(results, after, "chrF"))}</td>'
            f'<td class="num">{delta(results, row.section, "chrF")}</td>'
            f"<td>{_e(guard_text)}</td>"
            f'<td class="num">{guard.parallel_pairs if guard else 0}</td></tr>'
        )
    totals = {t.name: t.metrics for t in report.totals}
    out.append(
        "<tr><th>All sections</th><th></th>"
        f'<th class="num">{fmt_hundred(cell(totals, before, "BLEU"))}</th>'
        f'<th class="num">{fmt_hundred(cell(totals, after, "BLEU"))}</th>'
        f'<th class="num">{delta(totals, "All sections", "BLEU")}</th>'
        f'<th class="num">{fmt_hundred(cell(totals, before, "chrF"))}</th>'
        f'<th class="num">{fmt_hundred(cell(totals, after, "chrF"))}</th>'
        f'<th class="num">{delta(totals, "All sections", "chrF")}</th><th></th><th></th></tr></table>'
    )
    return "".join(out)


def experiment_section(report: ExperimentReport) -> str:
    direction = f"{report.src_lang} → {report.tgt_lang}"
    out = [
        f"<h2>{_e(guard_heading(report))}</h2>",
        f'<p class="meta">Engine: <strong>{_e(report.engine)}</strong> · tokenizer <code>{_e(report.tokenize)}</code>'
        f" · {len(report.rows)} sections</p>",
        f'<div class="banner {"ok" if report.leakage_guard_on else "bad"}"><strong>Leakage guard:</strong> '
        f"{_e(report.leakage_policy)}</div>",
    ]
    for (caption, before, after), (colour_before, colour_after) in zip(report.comparisons, TABLE_COLOURS, strict=False):
        out.append(f"<h3>{_e(caption)}</h3>")
        out.append(_experiment_table(report, before, after))
        by_row = [{r.condition: r.metrics for r in row.results} for row in report.rows]
        out.append(
            bar_chart(
                f"{caption} ({direction}), BLEU per section",
                [row.section for row in report.rows],
                [
                    (before, colour_before, [_bleu(r.get(before, [])) for r in by_row]),
                    (after, colour_after, [_bleu(r.get(after, [])) for r in by_row]),
                ],
            )
        )
    if report.deltas:
        first = report.deltas[0]
        out.append(
            f'<p class="note">Δ: the second condition minus the first, in points on the 0–100 scale; in brackets the '
            f"95% interval of sacreBLEU's paired bootstrap ({first.resamples} resamples of the same segments under "
            f'both conditions, seed {first.seed}); "not significant" when it holds 0.</p>'
        )
    out.append(engine_table(report))
    out.extend(_signature_notes(report))
    out.extend(f'<p class="note">{_e(note)}</p>' for note in dict.fromkeys(report.notes))
    return "\n".join(out)


def engine_table(report: ExperimentReport) -> str:
    """Which engine produced the text: engine → segments (or sentences), one column per condition."""
    usage: dict[str, Counter[str]] = {c: Counter() for c in report.conditions}
    for row in report.rows:
        for result in row.results:
            usage.setdefault(result.condition, Counter()).update(result.engine_usage)
    engines = sorted({name for counts in usage.values() for name in counts})
    if not engines:
        return ""
    conditions = [c for c, counts in usage.items() if counts]
    head = "".join(f"<th>{_e(c)}</th>" for c in conditions)
    body = "".join(
        f"<tr><td>{_e(name)}</td>" + "".join(f'<td class="num">{usage[c].get(name, 0)}</td>' for c in conditions)
        for name in engines
    )
    return f"<h3>Engines</h3><table><tr><th>Engine</th>{head}</tr>{body}</table>"


def _aggregate_rows(rows: Sequence[AggregateScore], label: str) -> str:
    has_plus = any(metric(r.metrics, "chrF++") for r in rows)
    out = [
        f"<table><tr><th>{_e(label)}</th><th>Docs</th><th>Segments</th><th>BLEU (0–100)</th><th>chrF (0–100)</th>"
        + ("<th>chrF++ (0–100)</th>" if has_plus else "")
        + "</tr>"
    ]
    for row in rows:
        out.append(
            f'<tr><td>{_e(row.name)}</td><td class="num">{row.documents}</td><td class="num">{row.segments}</td>'
            f'<td class="num">{fmt_hundred(metric(row.metrics, "BLEU"))}</td>'
            f'<td class="num">{fmt_hundred(metric(row.metrics, "chrF"))}</td>'
            + (f'<td class="num">{fmt_hundred(metric(row.metrics, "chrF++"))}</td>' if has_plus else "")
            + "</tr>"
        )
    out.append("</table>")
    return "".join(out)


def scores_section(report: ScoreReport) -> str:
    out = [
        f"<h2>Scores against the human translation ({_e(report.tgt_lang)})</h2>",
        f'<p class="meta">tokenizer <code>{_e(report.tokenize)}</code> · {len(report.documents)} documents · '
        f"{report.run.segments} segment pairs</p>",
        _aggregate_rows([report.run, *report.chapters], "Run / chapter"),
    ]
    if report.chapters:
        out.append(
            bar_chart(
                f"BLEU per chapter ({report.tgt_lang})",
                [c.name for c in report.chapters],
                [("BLEU", COLOUR_SCORE, [_bleu(c.metrics) for c in report.chapters])],
            )
        )
    out.append(
        "<h3>Documents</h3><table><tr><th>Hypothesis</th><th>Reference</th><th>Pairing</th><th>Pairs</th>"
        "<th>BLEU (0–100)</th><th>chrF (0–100)</th><th>Document-level BLEU</th><th>Notes</th></tr>"
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
    out.extend(_signature_notes(report))
    out.extend(f'<p class="note">{_e(note)}</p>' for note in dict.fromkeys(report.notes))
    return "\n".join(out)
