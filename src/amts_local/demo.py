"""``make demo``: the whole pipeline, offline, on the project's sample book, with live progress.

Scenario: the sample book (3 chapters in en, zh, es plus a new English chapter) is uploaded at once; the run
builds parallel data from the human translations and translates the new chapter into zh and es. Then one
paragraph of the new chapter is edited and uploaded; the sync run sends only that paragraph to Translate.
Everything lands under the output folder: translated markdown, parallel data, reports, a summary.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from dataclasses import asdict
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, TextIO

from amts import config
from amts.evaluate import RunReport, render_html, render_markdown
from amts.evaluate.models import CostLine, CostReport, EngineInfo, SyncDocumentWorkload, SyncWorkloadReport
from amts.fsio import write_atomic
from amts.sync.review import scan_markers
from amts.translate.job_outputs import split_s3_uri

from amts_local.bookrun import (
    PhaseResult,
    collect_outputs,
    pair_scores,
    publish_latest_report,
    publish_review_page,
    review_page_line,
    run_phase,
    start_and_wait,
    upload_languages,
)
from amts_local.engines.chain import ApertiumEngine
from amts_local.progress import ProgressDisplay
from amts_local.runtime import LocalRuntime, default_pipeline_config, local_pipeline_config
from amts_local.samplebook import (
    EDITED_PARAGRAPH_NEW,
    NEW_CHAPTER,
    SOURCE_LANGUAGE,
    TARGET_LANGUAGES,
    edited_new_chapter,
    write_sample_book,
)

EVALUATED_CHAPTER = "chapter_optimization/gradient-descent.md"
DEMO_PAIRS = tuple(f"{SOURCE_LANGUAGE}-{target}" for target in TARGET_LANGUAGES)


def sent_texts(runtime: LocalRuntime, phase: PhaseResult) -> list[str]:
    """The text of every element the phase's jobs sent to Translate (read back from the job input folders)."""
    texts: list[str] = []
    if runtime.translate is None or phase.execution_arn is None:
        return texts
    translate = runtime.client("translate")
    for job in phase.jobs:
        found = translate.list_text_translation_jobs(Filter={"JobName": job.job_name}).get(
            "TextTranslationJobPropertiesList", []
        )
        for properties in found:
            bucket, prefix = split_s3_uri(str(properties["InputDataConfig"]["S3Uri"]))
            for key in runtime.list_keys(bucket, prefix):
                for text in element_texts(runtime.read_object(bucket, key).decode("utf-8")):
                    if text not in texts:
                        texts.append(text)
    return texts


class _Elements(HTMLParser):
    """The text of each element with an ``id`` (one translatable segment each), protected spans included."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._depth = 0
        self._parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._depth:
            self._depth += 1
        elif any(name == "id" for name, _ in attrs):
            self._depth, self._parts = 1, []

    def handle_endtag(self, tag: str) -> None:
        if self._depth:
            self._depth -= 1
            if not self._depth:
                text = " ".join("".join(self._parts).split())
                if text:
                    self.texts.append(text)

    def handle_data(self, data: str) -> None:
        if self._depth:
            self._parts.append(data)


def element_texts(document: str) -> list[str]:
    """The segments a Translate-ready HTML document holds, as plain text."""
    parser = _Elements()
    parser.feed(document)
    parser.close()
    return parser.texts


def quality_rows(scores: Sequence[dict[str, Any]]) -> list[tuple[str, str, str, float | None, float | None]]:
    """(pair, condition, engine, BLEU, chrF) for ACT and the baseline, from the per-pair score files."""
    rows: list[tuple[str, str, str, float | None, float | None]] = []

    def pick(report: dict[str, Any] | None, name: str) -> float | None:
        metrics = (report or {}).get("run", {}).get("metrics", [])
        return next((float(m["score"]) for m in metrics if m.get("metric") == name), None)

    for pair in scores:
        for condition in ("act", "baseline"):
            report = pair.get(condition)
            if report:
                label = "with ACT" if condition == "act" else "without ACT"
                engine = str(pair.get(f"{condition}_engine", ""))
                rows.append((str(pair.get("pair")), label, engine, pick(report, "BLEU"), pick(report, "chrF")))
    return rows


def review_workload(out_dir: Path, targets: Sequence[str]) -> list[tuple[str, int, int, int]]:
    """(language, chapters to review, segments flagged, characters flagged) from the published chapters' markers."""
    rows = []
    for target in targets:
        chapters = segments = characters = 0
        for path in sorted((out_dir / target).rglob("*.md")):
            markers = scan_markers(path.read_text(encoding="utf-8"), file=str(path))
            if markers:
                chapters += 1
            segments += sum(len(marker.segment_ids) for marker in markers)
            characters += sum(marker.chars for marker in markers)
        rows.append((target, chapters, segments, characters))
    return rows


def _score(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return data


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join("   " + line for line in lines)


def summary_text(
    phases: Sequence[PhaseResult],
    reports: Sequence[dict[str, Any]],
    sent: Sequence[str],
    scores: Sequence[dict[str, Any]],
    review: Sequence[tuple[str, int, int, int]] = (),
    review_page: str = "",
) -> str:
    parts = ["", "== Summary"]
    if review_page:  # what a translator opens first
        parts.append(f"   {review_page}")
    billing = []
    for phase in phases:
        for job in phase.jobs:
            billing.append(
                (
                    phase.name,
                    job.pair,
                    "ACT" if job.act else "no ACT",
                    ", ".join(job.engines),
                    job.characters,
                    f"${job.usd:.4f}",
                    job.status,
                )
            )
    parts.append(_table(("phase", "pair", "job", "engine", "characters billed", "cost estimate", "status"), billing))
    total_chars = sum(phase.characters for phase in phases)
    total_usd = sum(phase.usd for phase in phases)
    parts.append(f"   total: {total_chars} characters, ${total_usd:.4f} at list prices (ACT 4x standard)")
    quality = quality_rows(scores)
    if quality:
        parts.append("")
        parts.append("   quality on a held-out chapter (its human translation is not in the parallel data):")
        parts.append(
            _table(
                ("pair", "condition", "engine", "BLEU (0-100)", "chrF (0-100)"),
                [
                    (p, c, e, "" if b is None else f"{b:.1f}", "" if f is None else f"{f:.1f}")
                    for p, c, e, b, f in quality
                ],
            )
        )
    if review:
        parts.append("")
        parts.append(_table(("review workload", "chapters", "segments flagged", "characters flagged"), review))
    workload = [report.get("sync", {}).get("totals") for report in reports if report.get("sync")]
    if workload:
        parts.append("")
        parts.append(
            _table(
                (
                    "sync plan (English segments)",
                    "segments",
                    "unchanged",
                    "from memory",
                    "machine translated",
                    "human edits kept",
                    "needs review",
                ),
                [
                    (
                        f"run {i + 1}",
                        w["segments_total"],
                        w["unchanged"],
                        w["reused_from_memory"],
                        w["machine_translated"],
                        w["human_edits_kept"],
                        w["needs_review"],
                    )
                    for i, w in enumerate(workload)
                    if w
                ],
            )
        )
    if sent:
        parts.append("")
        parts.append(f"   the sync run sent {len(sent)} text element(s) to Translate:")
        parts.extend(f"     - {text[:110]}" for text in sent)
    transitions = ", ".join(f"{p.name}: {p.state_transitions}" for p in phases)
    parts.append(f"   state transitions: {transitions}")
    return "\n".join(parts)


def run_demo(out_dir: Path, *, stream: TextIO | None = None) -> int:
    """The demo scenario; returns the exit status (0 when every run succeeded and the sync sent one paragraph)."""
    stream = stream or sys.stdout
    out_dir = out_dir.resolve()
    book = write_sample_book(out_dir / "sample-book")
    languages = (SOURCE_LANGUAGE, *TARGET_LANGUAGES)
    pipeline = local_pipeline_config(default_pipeline_config(), pairs=DEMO_PAIRS)
    with LocalRuntime(pipeline=pipeline) as runtime:
        display = ProgressDisplay(runtime, stream=stream)
        display.start(f"1/3 upload the sample book ({', '.join(languages)}): build parallel data, translate")
        first = run_phase(runtime, "translate", upload_languages(runtime, book.root, languages), on_event=display)
        display.message(f"   {first.status}: {first.characters} characters billed in {len(first.jobs)} job(s)")
        edited = edited_new_chapter()
        write_atomic(out_dir / "sample-book-edited" / SOURCE_LANGUAGE / NEW_CHAPTER, edited)
        display.start(f"2/3 edit one paragraph of {NEW_CHAPTER} and sync")

        def upload_edit() -> int:
            runtime.upload(f"{config.SOURCE_PREFIX}{SOURCE_LANGUAGE}/{NEW_CHAPTER}", edited)
            return 1

        second = run_phase(runtime, "sync", upload_edit, on_event=display)
        display.message(f"   {second.status}: {second.characters} characters billed in {len(second.jobs)} job(s)")
        sent = sent_texts(runtime, second)
        display.start(f"3/3 evaluate with and without ACT, {EVALUATED_CHAPTER} held out of the parallel data")
        third = start_and_wait(
            runtime,
            "evaluate",
            {"pairs": list(DEMO_PAIRS), "chapters": [EVALUATED_CHAPTER], "publish": False, "evaluate": True},
            execution_name="demo-evaluation",
            on_event=display,
        )
        display.message(f"   {third.status}: {third.characters} characters billed in {len(third.jobs)} job(s)")
        collect_outputs(runtime, out_dir)
    phases = [first, second, third]
    publish_latest_report(out_dir, first, suffix="-translate")
    publish_latest_report(out_dir, second, suffix="-sync")
    publish_latest_report(out_dir, third, suffix="-evaluate")
    reports = [_read_json(out_dir / "report-translate.json"), _read_json(out_dir / "report-sync.json")]
    write_demo_report(out_dir, [(phase.name, out_dir / f"report-{phase.name}.json") for phase in phases])
    rows = publish_review_page(
        out_dir,
        source_lang=SOURCE_LANGUAGE,
        targets=TARGET_LANGUAGES,
        sources=[out_dir / "sample-book-edited" / SOURCE_LANGUAGE, book.root / SOURCE_LANGUAGE],
        old_source=book.root / SOURCE_LANGUAGE,
        reports=[out_dir / "report.json", out_dir / "report-sync.json"],
    )
    scores = pair_scores(out_dir, third)
    review = review_workload(out_dir, TARGET_LANGUAGES)
    stream.write(summary_text(phases, reports, sent, scores, review, review_page_line(out_dir, rows)) + "\n")
    warnings = missing_engine_warnings()
    for warning in warnings:
        stream.write(f"   note: {warning}\n")
    only_edit_sent = bool(sent) and all(_is_edit(text) for text in sent)
    summary = {
        "phases": [
            {**{k: v for k, v in asdict(p).items() if k != "notifications"}, "characters": p.characters, "usd": p.usd}
            for p in phases
        ],
        "sync_sent": sent,
        "only_edited_paragraph_sent": only_edit_sent,
        "quality": [
            {"pair": p, "condition": c, "engine": e, "BLEU": b, "chrF": f} for p, c, e, b, f in quality_rows(scores)
        ],
        "review_workload": [
            {"language": lang, "chapters": c, "segments_flagged": n, "characters_flagged": k}
            for lang, c, n, k in review
        ],
        "outputs": str(out_dir),
        "warnings": warnings,
    }
    write_atomic(out_dir / "demo-summary.json", json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    stream.write(
        f"\n   outputs in {out_dir}: translated chapters (zh/, es/), review.html, parallel-data/, report.html, "
        "report.json (the whole demo; each run's own report is report-translate.*, report-sync.*, report-evaluate.*)\n"
    )
    ok = all(p.status == "SUCCEEDED" for p in phases) and only_edit_sent
    if not only_edit_sent:
        stream.write("   the sync run did not send exactly the edited paragraph\n")
    return 0 if ok else 1


def missing_engine_warnings() -> list[str]:
    """What the demo could not do on this machine, said plainly (the offline engines are system packages)."""
    if ApertiumEngine().supports("en", "es"):
        return []
    return [
        "Apertium (apertium-eng-spa) is not installed, so EN->ES used the pseudo engine: its Spanish is not a "
        "translation and its scores measure nothing (run 'make system-deps' as root)"
    ]


def combined_report(runs: Sequence[tuple[str, RunReport]]) -> RunReport:
    """One report for the whole demo: every run's engines, cost and notes labelled with its phase, the
    evaluation's with/without-ACT experiments, and the review workload the runs left for a person."""
    engines = [
        EngineInfo(name=f"{phase}: {engine.name}", description=engine.description)
        for phase, report in runs
        for engine in report.engines
    ]
    cost_lines = [
        CostLine(
            label=f"{phase}: {line.label}",
            characters=line.characters,
            usd_per_million_characters=line.usd_per_million_characters,
        )
        for phase, report in runs
        if report.cost is not None
        for line in report.cost.lines
    ]
    pricing = next((report.cost.pricing_note for _, report in runs if report.cost is not None), "")
    workload = [
        SyncDocumentWorkload.model_validate({**document.model_dump(), "path": f"{phase}: {document.path}"})
        for phase, report in runs
        if report.sync is not None
        for document in report.sync.documents
    ]
    budgets = [report.budget for _, report in runs if report.budget is not None]
    budget = None
    if budgets:  # the runs' figures added up; the caps are per run
        budget = budgets[-1].model_copy(  # the ledger as the last run left it
            update={
                "approved": all(b.approved for b in budgets),
                "estimate_characters": sum(b.estimate_characters for b in budgets),
                "estimate_usd": round(sum(b.estimate_usd for b in budgets), 4),
                "estimate_lines": [],
                "billed_characters": sum(b.billed_characters for b in budgets),
                "billed_usd": round(sum(b.billed_usd for b in budgets), 4),
                "scope": f"the {len(budgets)} demo runs added up; each cap applies to each run",
            }
        )
    return RunReport(
        title="AMTS demo: translate, sync, evaluate",
        run_id=" + ".join(report.run_id or phase for phase, report in runs),
        generated_at=max((report.generated_at or "" for _, report in runs), default=None) or None,
        book="the sample book (out/sample-book)",
        language_pairs=sorted({pair for _, report in runs for pair in report.language_pairs}),
        engines=engines,
        scores=[score for _, report in runs for score in report.scores],
        experiments=[experiment for _, report in runs for experiment in report.experiments],
        cost=CostReport(lines=cost_lines, pricing_note=pricing) if cost_lines else None,
        budget=budget,
        terminology=next((report.terminology for _, report in runs if report.terminology is not None), None),
        sync=SyncWorkloadReport(documents=workload) if workload else None,
        pairs=[status.model_copy(update={"phase": phase}) for phase, report in runs for status in report.pairs],
        engine_usage=[
            use.model_copy(update={"job": f"{phase}: {use.job}".rstrip(": ")})
            for phase, report in runs
            for use in report.engine_usage
        ],
        notes=[f"{phase}: {note}" for phase, report in runs for note in report.notes],
    )


def write_demo_report(out_dir: Path, run_reports: Sequence[tuple[str, Path]]) -> RunReport:
    """Write ``report.json``, ``report.html`` and ``report.md`` for the whole demo from the runs' reports."""
    runs = [(phase, RunReport.model_validate_json(path.read_text(encoding="utf-8"))) for phase, path in run_reports]
    report = combined_report(runs)
    write_atomic(out_dir / "report.json", report.model_dump_json(indent=2) + "\n")
    write_atomic(out_dir / "report.html", render_html(report))
    write_atomic(out_dir / "report.md", render_markdown(report))
    return report


def _is_edit(text: str) -> bool:
    """True when ``text`` is the edited paragraph (as HTML text: protected math may be wrapped or masked)."""
    words = [w for w in re.findall(r"[A-Za-z]+", EDITED_PARAGRAPH_NEW) if len(w) > 3]
    return sum(1 for w in words if w in text) >= len(words) * 0.8
