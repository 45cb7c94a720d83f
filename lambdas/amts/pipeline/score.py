"""The Score step (one pair) and the run report (all pairs), both served by the Score function.

Scoring compares whole-chapter machine translations with the human reference through ``amts.evaluate``: the
ACT job's output and, when evaluation is on, the baseline job's output without ACT. Synchronized chapters are
not scored: most of their text is the kept human translation, so a score would measure nothing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from amts.book import parse
from amts.errors import AmtsError
from amts.evaluate import RunReport, ScoreReport, render_html, render_markdown
from amts.evaluate.models import CostLine, CostReport, EngineInfo
from amts.evaluate.scoring import DocumentPair, score_document_pairs
from amts.pipeline import layout
from amts.pipeline.assemble import JobFiles, job_files, rebuild_whole, translated_html
from amts.pipeline.models import PairResult, ReportStep, RunSummary, ScoreStep, StageManifest
from amts.pipeline.s3 import put_bytes, put_json, put_text, read_json, read_text
from amts.pipeline_config import BudgetConfig


def readable_cause(cause: str | None, limit: int = 1000) -> str:
    """The message of a failure: a Lambda error's ``errorMessage`` rather than its JSON and stack trace."""
    if not cause:
        return "no cause given"
    try:
        parsed = json.loads(cause)
    except json.JSONDecodeError:
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("errorMessage"), str):
        cause = f"{parsed.get('errorType', 'Error')}: {parsed['errorMessage']}"
    return cause if len(cause) <= limit else cause[: limit - 1] + "…"


def _metric(report: ScoreReport | None, name: str) -> float | None:
    if report is None:
        return None
    return next((round(m.score, 2) for m in report.run.metrics if m.metric == name), None)


def _score_job(
    files: JobFiles,
    manifest: StageManifest,
    step: ScoreStep,
    *,
    s3_client: Any,
    input_bucket: str,
    output: tuple[str, str] | None = None,
) -> tuple[ScoreReport | None, list[str]]:
    pair = step.task.pair
    pairs: list[DocumentPair] = []
    notes: list[str] = []
    for chapter in manifest.chapters:
        if chapter.mode != "whole" or chapter.document is None:
            continue
        reference = read_text(s3_client, input_bucket, f"{pair.reference_prefix}{chapter.path}")
        html = translated_html(files, chapter, s3_client)
        source_text = read_text(s3_client, input_bucket, layout.book_key(pair.source, chapter.path))
        if reference is None or html is None or source_text is None:
            continue
        source = parse(source_text, path=chapter.path)
        markdown, _, _ = rebuild_whole(source, html)
        if output is not None:  # keep the machine translation beside its scores, for a person to read
            put_text(s3_client, output[0], f"{output[1]}{chapter.path}", markdown)
        pairs.append(
            DocumentPair(
                hyp=parse(markdown, path=chapter.path),
                ref=parse(reference, path=chapter.path),
                src=source,
                src_lang=pair.source,
            )
        )
    if not pairs:
        return None, notes
    try:
        return score_document_pairs(pairs, tgt_lang=pair.target), notes
    except AmtsError as exc:  # e.g. a reference with no text: report it, the translation still stands
        notes.append(f"not scored: {exc}")
        return None, notes


def score_pair(
    step: ScoreStep,
    *,
    s3_client: Any,
    translate_client: Any,
    input_bucket: str,
    work_bucket: str,
    output_bucket: str,
) -> PairResult:
    """Score the pair's whole-chapter translations (ACT and baseline) and write ``reports/<run>/<pair>/``."""
    task = step.task
    status = "SUCCEEDED" if step.stage.needs_translation else "NOTHING_TO_TRANSLATE"
    result: dict[str, Any] = {
        "pair_name": task.pair_name,
        "status": status,
        "chapters_published": step.assemble.chapters_published,
        "segments_translated": step.assemble.segments_translated,
        "characters_billed": step.assemble.characters_billed,
        "engine": step.assemble.engine,
    }
    if step.assemble.chapters_failed:
        result.update(
            status="FAILED",
            error="AMTS.ChaptersNotTranslated",
            cause="; ".join(step.assemble.chapters_failed[:5]),
        )
    if task.evaluate and step.stage.needs_translation:
        manifest = StageManifest.model_validate(read_json(s3_client, work_bucket, step.stage.stage_key))
        target = task.pair.target
        act_files = job_files(
            step.jobs.customized, target=target, translate_client=translate_client, s3_client=s3_client
        )
        base_files = job_files(
            step.jobs.baseline, target=target, translate_client=translate_client, s3_client=s3_client
        )
        folder = layout.pair_scores_key(task.run_id, task.pair_name).rsplit("/", 1)[0]
        act, notes = _score_job(
            act_files,
            manifest,
            step,
            s3_client=s3_client,
            input_bucket=input_bucket,
            output=(output_bucket, f"{folder}/act/"),
        )
        baseline, base_notes = (
            _score_job(
                base_files,
                manifest,
                step,
                s3_client=s3_client,
                input_bucket=input_bucket,
                output=(output_bucket, f"{folder}/baseline/"),
            )
            if step.jobs.baseline is not None
            else (None, [])
        )
        key = layout.pair_scores_key(task.run_id, task.pair_name)
        put_json(
            s3_client,
            output_bucket,
            key,
            {
                "pair": task.pair_name,
                "act_engine": act_files.engine,
                "baseline_engine": base_files.engine,
                "act": act.model_dump(mode="json") if act else None,
                "baseline": baseline.model_dump(mode="json") if baseline else None,
                "notes": notes + base_notes,
            },
        )
        result.update(
            score_key=key,
            bleu=_metric(act, "BLEU"),
            chrf=_metric(act, "chrF"),
            bleu_baseline=_metric(baseline, "BLEU"),
            chrf_baseline=_metric(baseline, "chrF"),
        )
    return PairResult.model_validate(result)


def write_run_report(
    step: ReportStep, *, s3_client: Any, output_bucket: str, budget: BudgetConfig, now: datetime | None = None
) -> RunSummary:
    """Gather the pairs' results into ``reports/<run>/report.{json,html,md}`` and word the notification."""
    scores: list[ScoreReport] = []
    engines: dict[str, EngineInfo] = {}
    notes: list[str] = []
    cost_lines: list[CostLine] = []
    for result in step.results:
        if result.status == "FAILED":
            notes.append(f"{result.pair_name}: FAILED ({result.error}): {readable_cause(result.cause)}")
        else:
            notes.append(
                f"{result.pair_name}: {result.status}, {result.chapters_published} chapter(s) published, "
                f"{result.segments_translated} segment(s) machine-translated"
            )
        if result.characters_billed:
            cost_lines.append(
                CostLine(
                    label=f"{result.pair_name} (ACT batch)",
                    characters=result.characters_billed,
                    usd_per_million_characters=budget.price_per_million_characters_act,
                )
            )
        if result.engine:
            engines.setdefault(result.engine, EngineInfo(name=result.engine))
        if result.score_key:
            stored = read_json(s3_client, output_bucket, result.score_key)
            if stored.get("act"):
                scores.append(ScoreReport.model_validate(stored["act"]))
    report = RunReport(
        run_id=step.run_id,
        generated_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        language_pairs=[result.pair_name for result in step.results],
        engines=list(engines.values()),
        scores=scores,
        cost=CostReport(lines=cost_lines, pricing_note="list prices from the pipeline config") if cost_lines else None,
        notes=notes,
    )
    prefix = step.report_prefix
    keys = [f"{prefix}report.json", f"{prefix}report.html", f"{prefix}report.md"]
    put_bytes(s3_client, output_bucket, keys[0], report.model_dump_json(indent=2).encode(), "application/json")
    put_bytes(s3_client, output_bucket, keys[1], render_html(report).encode(), "text/html; charset=utf-8")
    put_bytes(s3_client, output_bucket, keys[2], render_markdown(report).encode(), "text/markdown; charset=utf-8")
    failed = [r for r in step.results if r.status == "FAILED"]
    succeeded = len(step.results) - len(failed)
    lines = [f"AMTS run {step.run_id}: {succeeded} pair(s) succeeded, {len(failed)} failed."]
    lines += [f"- {note}" for note in notes]
    lines.append(f"Report: s3://{output_bucket}/{keys[1]}")
    subject = f"AMTS run {'succeeded' if not failed else 'had failures'}: {step.run_id}"[:99]
    return RunSummary(
        run_id=step.run_id,
        succeeded=succeeded,
        failed=len(failed),
        report_keys=keys,
        subject=subject,
        message="\n".join(lines),
        all_succeeded=not failed,
    )
