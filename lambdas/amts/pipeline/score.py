"""The Score step (one pair) and the run report (all pairs), both served by the Score function.

Scoring compares whole-chapter machine translations with the human reference through ``amts.evaluate``: the
ACT job's output and, when Stage wanted it, the baseline job's output without ACT. Synchronized chapters are
not scored: most of their text is the kept human translation, so a score would measure nothing.

Besides the scores, the Score step writes ``reports/<run>/<pair>/pair-report.json`` (a key derived from the run
and the pair, so the Step Functions payload stays small): the with/without-ACT comparison per chapter and the
leakage guard that applied, the characters each job billed, the engine that produced each segment, the
term-consistency check and the review workload. The run report gathers these from every pair.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from amts.book import Document, parse, segments
from amts.errors import AmtsError, InputError
from amts.evaluate import RunReport, ScoreReport, compare_score_reports, render_html, render_markdown
from amts.evaluate.experiments import CONDITION_NO_ACT
from amts.evaluate.models import (
    BudgetReport,
    CostLine,
    CostReport,
    EngineInfo,
    ExperimentReport,
    LeakageGuard,
    SyncDocumentWorkload,
    SyncWorkloadReport,
    TermConsistencyReport,
)
from amts.evaluate.report_html import metric
from amts.evaluate.scoring import DocumentPair, chapter_of, score_document_pairs
from amts.evaluate.sections import sync_workload_report, term_consistency_report
from amts.pipeline import layout
from amts.pipeline.assemble import JobFiles, job_files, load_plan, rebuild_whole, translated_html, unit_translations
from amts.pipeline.budget import pricing_of
from amts.pipeline.layout import pair_report_key
from amts.pipeline.models import JobResult, PairResult, ScoreStep, StagedChapter, StageManifest
from amts.pipeline.run_models import ReportStep, RunSummary
from amts.pipeline.s3 import put_bytes, put_json, put_text, read_json, read_text
from amts.pipeline_config import BudgetConfig
from amts.sync.engine import apply_sync
from amts.sync.memory import TranslationMemory
from amts.sync.models import SyncReport
from amts.translate.cost import CostEstimate, Pricing
from amts.translate.job_outputs import AWS_ENGINE, recorded_engine, segment_engines
from amts.translate.terminology import Glossary, TermEntry, check_term_consistency, load_glossary

JobRole = Literal["ACT", "baseline"]


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


# --------------------------------------------------------------------------------------------------------------
# The per-pair report sections (reports/<run>/<pair>/pair-report.json)
# --------------------------------------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class JobSummary(_Model):
    """One Translate job of a pair: what it billed and which engine produced its segments."""

    role: JobRole = Field(description="ACT: the customized job that is published; baseline: the same text, no ACT")
    job_id: str
    parallel_data_names: list[str] = Field(default_factory=list, description="[]: the job ran without ACT")
    characters_billed: int = Field(description="charactersTranslated of the job's auxiliary details file")
    engine: str = Field(description="'Amazon Translate', or the stand-in's engines when it served the job")
    engine_usage: dict[str, int] = Field(default_factory=dict, description="segments per engine (stand-in only)")

    @property
    def uses_parallel_data(self) -> bool:
        return bool(self.parallel_data_names)


class PairReport(_Model):
    """Everything the run report shows about one pair, beyond the ACT scores in ``scores.json``."""

    pair: str
    source: str
    target: str
    publish: bool
    jobs: list[JobSummary] = Field(default_factory=list)
    leakage_guard: LeakageGuard | None = Field(default=None, description="set when the pair was scored")
    leakage_note: str = Field(default="", description="what BuildParallelData did with the scored chapters")
    experiment: ExperimentReport | None = Field(default=None, description="with vs without ACT, per chapter")
    terminology: TermConsistencyReport | None = None
    sync: SyncWorkloadReport | None = None
    notes: list[str] = Field(default_factory=list)


# --------------------------------------------------------------------------------------------------------------
# Reading a finished job
# --------------------------------------------------------------------------------------------------------------


@dataclass
class _Job:
    role: JobRole
    result: JobResult
    files: JobFiles

    @property
    def details(self) -> dict[str, Any]:
        """The target language's auxiliary details file ({} when Translate wrote none)."""
        return self.files.details

    def summary(self) -> JobSummary:
        engine, usage = engine_usage(self.details)
        return JobSummary(
            role=self.role,
            job_id=self.result.JobId,
            parallel_data_names=list(self.result.ParallelDataNames),
            characters_billed=self.files.characters,
            engine=engine,
            engine_usage=usage,
        )


def _read_job(role: JobRole, job: JobResult | None, *, target: str, s3_client: Any) -> _Job | None:
    if job is None:
        return None
    return _Job(role, job, job_files(job, target=target, s3_client=s3_client))


def engine_usage(details: dict[str, Any], documents: set[str] | None = None) -> tuple[str, dict[str, int]]:
    """The engine named by a job's auxiliary details, and how many segments each engine produced.

    An engine other than Amazon Translate names itself, and each segment's engine, in the neutral ``engine``
    field; Amazon Translate writes none, so a details file without it (or no file) names Amazon Translate.
    ``documents`` limits the count to those job input files.
    """
    engine = recorded_engine(details)
    if engine is None:
        return AWS_ENGINE, {}
    usage: Counter[str] = Counter()
    for entry in details.get("details", []):
        if documents is not None and PurePosixPath(str(entry.get("sourceFile", ""))).name not in documents:
            continue
        usage.update(segment_engines(entry))
    return f"{engine.name} ({', '.join(engine.engines) or 'no segments'})", dict(sorted(usage.items()))


# --------------------------------------------------------------------------------------------------------------
# Rebuilding the translations (whole chapters and sync units), as Assemble did
# --------------------------------------------------------------------------------------------------------------


@dataclass
class _Whole:
    chapter: StagedChapter
    source: Document
    markdown: str
    translations: dict[str, str]
    untranslated: list[str]


def _rebuild_whole_chapters(
    files: JobFiles, manifest: StageManifest, source_lang: str, *, s3_client: Any, input_bucket: str
) -> list[_Whole]:
    rebuilt: list[_Whole] = []
    for chapter in manifest.chapters:
        if not chapter.translated_whole:
            continue
        html = translated_html(files, chapter, s3_client)
        source_text = read_text(s3_client, input_bucket, layout.book_key(source_lang, chapter.path))
        if html is None or source_text is None:
            continue
        source = parse(source_text, path=chapter.path)
        markdown, translations, untranslated = rebuild_whole(source, html)
        rebuilt.append(_Whole(chapter, source, markdown, translations, untranslated))
    return rebuilt


def _score_job(
    rebuilt: list[_Whole],
    references: dict[str, str],
    source_lang: str,
    target_lang: str,
    *,
    s3_client: Any,
    output: tuple[str, str] | None = None,
) -> tuple[ScoreReport | None, list[str]]:
    pairs: list[DocumentPair] = []
    for whole in rebuilt:
        reference = references.get(whole.chapter.path)
        if reference is None:
            continue
        if output is not None:  # keep the machine translation beside its scores, for a person to read
            put_text(s3_client, output[0], f"{output[1]}{whole.chapter.path}", whole.markdown)
        pairs.append(
            DocumentPair(
                hyp=parse(whole.markdown, path=whole.chapter.path),
                ref=parse(reference, path=whole.chapter.path),
                src=whole.source,
                src_lang=source_lang,
            )
        )
    if not pairs:
        return None, []
    try:
        return score_document_pairs(pairs, tgt_lang=target_lang), []
    except AmtsError as exc:  # e.g. a reference with no text: report it, the translation still stands
        return None, [f"not scored: {exc}"]


@dataclass
class _Synced:
    report: SyncReport
    units: list[tuple[str, str, str]] = field(default_factory=list)  # (segment id, source text, translation)


def _resync_chapter(chapter: StagedChapter, files: JobFiles, *, s3_client: Any, work_bucket: str) -> _Synced | None:
    """The sync report Assemble's ``apply_sync`` produced for the chapter, rebuilt from the stored plan and the
    job's output (the published chapter is outside what the Score function may read); None when the job gave
    no output for the chapter's units (Assemble reported that chapter as failed)."""
    if chapter.plan_key is None:
        return None
    plan = load_plan(chapter.plan_key, files, s3_client=s3_client, work_bucket=work_bucket)
    translations: dict[str, str] = {}
    units: list[tuple[str, str, str]] = []
    if plan.units:
        html = translated_html(files, chapter, s3_client)
        if html is None:
            return None
        results = unit_translations(plan, html, path=chapter.path)
        translations = {unit.id: text for unit, text in zip(plan.units, results, strict=True)}
        units = [(unit.segment_id, unit.text, text) for unit, text in zip(plan.units, results, strict=True)]
    scratch = TranslationMemory(source_lang=plan.source_lang, target_lang=plan.target_lang)  # the real one is kept
    return _Synced(apply_sync(plan, translations, scratch).report, units)


# --------------------------------------------------------------------------------------------------------------
# Report sections of one pair
# --------------------------------------------------------------------------------------------------------------


def leakage_guard_of(step: ScoreStep) -> tuple[LeakageGuard, str]:
    """What BuildParallelData did with the scored chapters, worded for the report.

    BuildParallelData aligns every chapter that has a human translation, except in an evaluation-only run
    (``publish`` false), where the run's chapters are held out; with no pairs left there is no parallel data.
    """
    job = step.jobs.customized
    names = list(job.ParallelDataNames) if job is not None else list(step.stage.parallel_data_names)
    chapters = step.task.chapter_count
    if not names:
        return "no-parallel-data", (
            "the ACT job ran without parallel data (BuildParallelData found no aligned pairs"
            + (" outside the held-out evaluated chapters" if not step.task.publish else "")
            + "), so 'with ACT' is the same engine without customization"
        )
    if not step.task.publish:
        return "leave-one-chapter-out", (
            f"evaluation-only run: all {chapters} evaluated chapter(s) were held out of the parallel data "
            f"{', '.join(names)} (BuildParallelData leaves out every chapter of the run), so no scored chapter's own "
            "pairs were in it"
        )
    return "own-pairs-included", (
        "publishing run: the parallel data was built from every chapter with a human translation, the scored "
        "chapters included, so the ACT scores may have seen the answer key; run with publish=false to hold the "
        "evaluated chapters out"
    )


def baseline_skipped_note(step: ScoreStep) -> str | None:
    """Why an evaluated pair has no with/without-ACT comparison because Stage skipped the baseline job, or None."""
    if not step.task.evaluate or not step.stage.needs_translation or step.jobs.baseline is not None:
        return None
    if step.stage.baseline_wanted:  # wanted but missing: not a skip, the job's output is what is lacking
        return None
    if not step.stage.parallel_data_names:
        return (
            "no with/without-ACT comparison: the baseline job was skipped because there is no parallel data, so the "
            "ACT job already ran without customization"
        )
    return (
        "no with/without-ACT comparison: the baseline job was skipped because no chapter of this run is scored "
        "(synchronized chapters are not scored, and no chapter translated whole has a human reference), so it "
        "would only have billed the same characters again"
    )


def _chapter_figures(manifest: StageManifest, details: dict[str, Any], chapter_name: str) -> tuple[int, dict[str, int]]:
    chapters = [c for c in manifest.chapters if c.mode == "whole" and chapter_of(c.path) == chapter_name]
    documents = {c.document for c in chapters if c.document is not None}
    return sum(c.characters for c in chapters), engine_usage(details, documents)[1]


def _experiment(
    act: ScoreReport, baseline: ScoreReport, act_job: _Job, base_job: _Job, manifest: StageManifest, step: ScoreStep
) -> ExperimentReport:
    guard, guard_note = leakage_guard_of(step)
    act_engine, base_engine = act_job.summary().engine, base_job.summary().engine
    engine = act_engine if act_engine == base_engine else f"with ACT: {act_engine}; without ACT: {base_engine}"
    data = step.parallel_data
    used = data.pair_count if data is not None and act_job.summary().uses_parallel_data else 0
    report = compare_score_reports(
        baseline, act, src_lang=step.task.pair.source, engine=engine, leakage_guard=guard, parallel_pairs=used
    )
    rows = []
    for row in report.rows:
        results = []
        for result in row.results:
            job = base_job if result.condition == CONDITION_NO_ACT else act_job
            characters, usage = _chapter_figures(manifest, job.details, row.chapter)
            update: dict[str, Any] = {"engine": job.summary().engine, "engine_usage": usage, "characters": characters}
            if job is act_job and data is not None:
                update["excluded_pairs"] = data.held_out_pairs
            results.append(result.model_copy(update=update))
        rows.append(row.model_copy(update={"results": results}))
    if data is None:
        counts = (
            "'pairs used' and 'excluded' read 0 because the Score step was not given BuildParallelData's result; "
            "they are not measured zeros"
        )
    else:
        counts = (
            f"'pairs used': the {used} record(s) of the parallel data the ACT job used"
            + (f" (aligned from {data.chapters_aligned} chapter(s))" if used else "")
            + (
                "; 'excluded': 0, a publishing run holds no chapter out"
                if step.task.publish
                else f"; 'excluded': the {data.held_out_pairs} record(s) the held-out evaluated chapters would have "
                "added (one count on every row: they were held out together)"
            )
        )
    return report.model_copy(update={"rows": rows, "notes": [*report.notes, guard_note, counts]})


def _pair_glossary(
    step: ScoreStep, act_job: _Job | None, glossary_key: str | None, *, s3_client: Any, input_bucket: str
) -> tuple[Glossary | None, str]:
    """The glossary to check: the configured glossary file, else the terms Translate reports it applied."""
    pair = step.task.pair
    if glossary_key:
        text = read_text(s3_client, input_bucket, glossary_key)
        if text is not None:
            with tempfile.TemporaryDirectory() as folder:  # load_glossary reads a file (its name gives languages)
                path = Path(folder) / PurePosixPath(glossary_key).name
                path.write_text(text, encoding="utf-8")
                try:
                    glossary = load_glossary(path, src_lang=pair.source, tgt_lang=pair.target)
                except InputError as exc:  # name the object, not the temporary copy
                    raise InputError(exc.message, path=f"s3://{input_bucket}/{glossary_key}", line=exc.line) from None
            return glossary, glossary_key
    if pair.terminology_name is None or act_job is None:
        return None, ""
    terms: dict[str, str] = {}
    for entry in act_job.details.get("details", []):
        for applied in (entry.get("auxiliaryData") or {}).get("appliedTerminologies", []):
            if applied.get("name") != pair.terminology_name:
                continue
            for term in applied.get("terms", []):
                source, target = str(term.get("sourceText", "")), str(term.get("targetText", ""))
                if source and target:
                    terms.setdefault(source, target)
    entries = [TermEntry(source, target, line=0) for source, target in sorted(terms.items())]
    label = f"terminology {pair.terminology_name} (the terms Translate reported applying)"
    return Glossary(pair.source, pair.target, entries, path=label), label


def _terminology(
    glossary: Glossary, label: str, wholes: list[_Whole], synced: list[tuple[StagedChapter, _Synced]]
) -> TermConsistencyReport:
    checked: list[tuple[str, str]] = []
    refs: list[tuple[str, str]] = []
    for whole in wholes:
        for segment in segments(whole.source):
            translation = whole.translations.get(segment.id)
            if translation is not None:
                checked.append((segment.text, translation))
                refs.append((whole.chapter.path, segment.id))
    for chapter, sync in synced:
        for segment_id, source, translation in sync.units:
            checked.append((source, translation))
            refs.append((chapter.path, segment_id))
    return term_consistency_report(check_term_consistency(glossary, checked), glossary=label, segment_refs=refs)


def _workload(wholes: list[_Whole], synced: list[tuple[StagedChapter, _Synced]]) -> SyncWorkloadReport:
    """Sync rows from the sync reports; a chapter translated whole is all machine output, all to review."""
    report = sync_workload_report([sync.report for _, sync in synced])
    whole_rows = [
        SyncDocumentWorkload(
            path=f"{whole.chapter.path} (translated whole)",
            segments_total=whole.chapter.units,
            machine_translated=len(whole.translations),
            needs_review=whole.chapter.units,
        )
        for whole in wholes
    ]
    return SyncWorkloadReport(documents=[*report.documents, *whole_rows])


# --------------------------------------------------------------------------------------------------------------
# The Score step
# --------------------------------------------------------------------------------------------------------------


def _metric(report: ScoreReport | None, name: str) -> float | None:
    found = metric(report.run.metrics, name) if report is not None else None
    return None if found is None else round(found.score, 2)


def score_pair(
    step: ScoreStep,
    *,
    s3_client: Any,
    input_bucket: str,
    work_bucket: str,
    output_bucket: str,
    glossary_key: str | None = None,
) -> PairResult:
    """Score the pair's whole-chapter translations (ACT and baseline), write ``reports/<run>/<pair>/``.

    ``glossary_key`` (input bucket) is the glossary the pair's terminology was built from; without it the
    term-consistency check uses the terms Translate reports applying, when the pair has a terminology.
    """
    task, pair = step.task, step.task.pair
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
    notes: list[str] = [f"kept the human file of {proposal}" for proposal in step.assemble.proposals]
    notes += [f"moved chapter synced from its old path: {rename}" for rename in step.assemble.renames]
    notes += [f"published for review: {problem}" for problem in step.assemble.published_with_problems]
    manifest_text = read_text(s3_client, work_bucket, step.stage.stage_key)
    manifest = StageManifest.model_validate_json(manifest_text) if manifest_text is not None else None
    if manifest is None:
        notes.append(f"no stage manifest at {step.stage.stage_key}: no workload or term check")
    read = {"target": pair.target, "s3_client": s3_client}
    act_job = _read_job("ACT", step.jobs.customized, **read) if step.stage.needs_translation else None
    base_job = _read_job("baseline", step.jobs.baseline, **read) if step.stage.needs_translation else None
    act_files = act_job.files if act_job else JobFiles()
    wholes: list[_Whole] = []
    synced: list[tuple[StagedChapter, _Synced]] = []
    if manifest is not None:
        if act_job is not None:
            wholes = _rebuild_whole_chapters(
                act_files, manifest, pair.source, s3_client=s3_client, input_bucket=input_bucket
            )
        for chapter in manifest.chapters:
            if chapter.mode != "sync":
                continue
            try:
                sync = _resync_chapter(chapter, act_files, s3_client=s3_client, work_bucket=work_bucket)
            except AmtsError as exc:  # the chapter stands as Assemble published it; only its workload row is lost
                notes.append(f"{chapter.path}: no review-workload row: {exc}")
                continue
            if sync is not None:
                synced.append((chapter, sync))
    experiment: ExperimentReport | None = None
    guard: LeakageGuard | None = None
    guard_note = ""
    if task.evaluate and act_job is not None and manifest is not None:
        references: dict[str, str] = {}
        for whole in wholes:
            reference = read_text(s3_client, input_bucket, pair.reference_key(whole.chapter.path))
            if reference is not None:
                references[whole.chapter.path] = reference
        folder = layout.pair_scores_key(task.run_id, task.pair_name).rsplit("/", 1)[0]
        act, act_notes = _score_job(
            wholes, references, pair.source, pair.target, s3_client=s3_client, output=(output_bucket, f"{folder}/act/")
        )
        baseline: ScoreReport | None = None
        base_notes: list[str] = []
        if base_job is not None:
            base_wholes = _rebuild_whole_chapters(
                base_job.files, manifest, pair.source, s3_client=s3_client, input_bucket=input_bucket
            )
            baseline, base_notes = _score_job(
                base_wholes,
                references,
                pair.source,
                pair.target,
                s3_client=s3_client,
                output=(output_bucket, f"{folder}/baseline/"),
            )
        guard, guard_note = leakage_guard_of(step)
        key = layout.pair_scores_key(task.run_id, task.pair_name)
        put_json(
            s3_client,
            output_bucket,
            key,
            {
                "pair": task.pair_name,
                "act_engine": act_files.engine or AWS_ENGINE,
                "baseline_engine": (base_job.files.engine or AWS_ENGINE) if base_job else None,
                "act": act.model_dump(mode="json") if act else None,
                "baseline": baseline.model_dump(mode="json") if baseline else None,
                "leakage_guard": guard,
                "leakage_note": guard_note,
                "notes": act_notes + base_notes,
            },
        )
        notes.extend(act_notes + base_notes)
        if act is not None and baseline is not None and base_job is not None:
            experiment = _experiment(act, baseline, act_job, base_job, manifest, step)
        elif (skipped := baseline_skipped_note(step)) is not None:
            notes.append(skipped)
        elif act is not None:
            notes.append("no baseline scores: the with/without-ACT comparison needs the baseline job's output")
        result.update(
            score_key=key,
            bleu=_metric(act, "BLEU"),
            chrf=_metric(act, "chrF"),
            bleu_baseline=_metric(baseline, "BLEU"),
            chrf_baseline=_metric(baseline, "chrF"),
        )
    terminology = None
    if pair.terminology_name or glossary_key:
        glossary: Glossary | None = None
        label = problem = ""
        try:
            glossary, label = _pair_glossary(
                step, act_job, glossary_key, s3_client=s3_client, input_bucket=input_bucket
            )
        except AmtsError as exc:  # a broken glossary must not fail a pair whose chapters are already published
            problem = str(exc)
        if glossary_key and glossary is not None and label != glossary_key:
            notes.append(f"glossary {glossary_key} not found in the input bucket; checked {label} instead")
        if glossary is not None:
            terminology = _terminology(glossary, label, wholes, synced)
        else:
            notes.append(
                f"term check not run: {problem or f'no glossary found ({glossary_key or pair.terminology_name})'}"
            )
    report = PairReport(
        pair=task.pair_name,
        source=pair.source,
        target=pair.target,
        publish=task.publish,
        jobs=[job.summary() for job in (act_job, base_job) if job is not None],
        leakage_guard=guard,
        leakage_note=guard_note,
        experiment=experiment,
        terminology=terminology,
        sync=_workload(wholes, synced) if task.publish and (wholes or synced) else None,
        notes=notes,
    )
    put_bytes(
        s3_client,
        output_bucket,
        pair_report_key(task.run_id, task.pair_name),
        report.model_dump_json(indent=2).encode(),
        "application/json",
    )
    return PairResult.model_validate(result)


# --------------------------------------------------------------------------------------------------------------
# The run report
# --------------------------------------------------------------------------------------------------------------


def _read_pair_report(s3_client: Any, bucket: str, run_id: str, pair_name: str) -> PairReport | None:
    text = read_text(s3_client, bucket, pair_report_key(run_id, pair_name))
    return None if text is None else PairReport.model_validate_json(text)


def _cost(
    reports: dict[str, PairReport], results: list[PairResult], pricing: Pricing
) -> tuple[CostReport | None, list[str]]:
    """One line per job at the price it is billed at, and per pair the estimate under standard vs ACT pricing."""
    lines: list[CostLine] = []
    notes: list[str] = []
    for result in results:
        report = reports.get(result.pair_name)
        jobs = report.jobs if report is not None else []
        if not jobs and result.characters_billed:  # no pair report (older run): the ACT job's count only
            lines.append(
                CostLine(
                    label=f"{result.pair_name} ACT job",
                    characters=result.characters_billed,
                    usd_per_million_characters=pricing.act_per_million,
                )
            )
            continue
        for job in jobs:
            estimate = CostEstimate(
                job.characters_billed, (result.pair_name.split("-", 1)[1],), job.uses_parallel_data, pricing
            )
            model = "ACT" if job.uses_parallel_data else "standard"
            lines.append(
                CostLine(
                    label=f"{result.pair_name} {job.role} job ({model} price)",
                    characters=estimate.billed_characters,
                    usd_per_million_characters=pricing.act_per_million
                    if job.uses_parallel_data
                    else pricing.standard_per_million,
                )
            )
            notes.append(
                f"{result.pair_name} {job.role} job: {estimate.billed_characters:,} characters billed; estimate "
                f"${estimate.standard_usd:.4f} at standard pricing vs ${estimate.act_usd:.4f} at ACT pricing "
                f"(billed at the {model} price)"
            )
    if not lines:
        return None, notes
    total = sum(line.characters for line in lines)
    note = (
        f"${pricing.standard_per_million:.2f} per million characters standard, ${pricing.act_per_million:.2f} with "
        f"ACT (parallel data); all {total:,} characters would cost ${total * pricing.standard_per_million / 1e6:.4f} "
        f"at the standard price and ${total * pricing.act_per_million / 1e6:.4f} at the ACT price; {pricing.note}"
    )
    return CostReport(lines=lines, pricing_note=note), notes


def _merge_terminology(reports: list[PairReport]) -> TermConsistencyReport | None:
    found = [(r, r.terminology) for r in reports if r.terminology is not None]
    if not found:
        return None
    issues = [
        issue.model_copy(update={"path": f"{report.target}/{issue.path}" if issue.path else report.pair})
        for report, terms in found
        for issue in terms.issues
    ]
    return TermConsistencyReport(
        glossary="; ".join(f"{report.pair}: {terms.glossary}" for report, terms in found),
        terms_checked=sum(terms.terms_checked for _, terms in found),
        occurrences=sum(terms.occurrences for _, terms in found),
        issues=issues,
    )


def _merge_workload(reports: list[PairReport]) -> SyncWorkloadReport | None:
    documents = [
        document.model_copy(update={"path": f"{report.pair}: {document.path}"})
        for report in reports
        if report.sync is not None
        for document in report.sync.documents
    ]
    return SyncWorkloadReport(documents=documents) if documents else None


def _engines(results: list[PairResult], reports: dict[str, PairReport]) -> list[EngineInfo]:
    engines: list[EngineInfo] = []
    for result in results:
        report = reports.get(result.pair_name)
        if report is None or not report.jobs:
            if result.engine:
                engines.append(EngineInfo(name=result.engine, description=f"{result.pair_name}"))
            continue
        for job in report.jobs:
            usage = ", ".join(f"{name} {count}" for name, count in job.engine_usage.items())
            act = f"parallel data {', '.join(job.parallel_data_names)}" if job.uses_parallel_data else "no ACT"
            engines.append(
                EngineInfo(
                    name=job.engine,
                    description=f"{result.pair_name} {job.role} job {job.job_id} ({act})"
                    + (f"; segments per engine: {usage}" if usage else ""),
                )
            )
    return engines


def write_run_report(
    step: ReportStep, *, s3_client: Any, output_bucket: str, budget: BudgetConfig, now: datetime | None = None
) -> RunSummary:
    """Gather the pairs' results into ``reports/<run>/report.{json,html,md}`` and word the notification."""
    scores: list[ScoreReport] = []
    notes: list[str] = []  # the notification's lines, also at the top of the report
    details: list[str] = []  # the report's further notes
    pair_reports: dict[str, PairReport] = {}
    for result in step.results:
        if result.status == "FAILED":
            notes.append(f"{result.pair_name}: FAILED ({result.error}): {readable_cause(result.cause)}")
        else:
            notes.append(
                f"{result.pair_name}: {result.status}, {result.chapters_published} chapter(s) published, "
                f"{result.segments_translated} segment(s) machine-translated"
            )
        stored = _read_pair_report(s3_client, output_bucket, step.run_id, result.pair_name)
        if stored is not None:
            pair_reports[result.pair_name] = stored
            details.extend(f"{result.pair_name}: {note}" for note in stored.notes)
            if stored.leakage_guard is not None:
                details.append(f"{result.pair_name} leakage guard: {stored.leakage_guard}: {stored.leakage_note}")
        if result.bleu is not None:
            without = "–" if result.bleu_baseline is None else f"{result.bleu_baseline:.2f}"
            guard = f" (leakage guard: {stored.leakage_guard})" if stored and stored.leakage_guard else ""
            notes.append(f"{result.pair_name}: BLEU {result.bleu:.2f} with ACT, {without} without{guard}")
        if result.score_key:
            scored = read_json(s3_client, output_bucket, result.score_key)
            if scored.get("act"):
                scores.append(ScoreReport.model_validate(scored["act"]))
    reports = list(pair_reports.values())
    cost, cost_notes = _cost(pair_reports, step.results, pricing_of(budget))
    billed_characters = sum(line.characters for line in cost.lines) if cost is not None else 0
    billed_usd = cost.total_usd if cost is not None else 0.0
    budget_report = _budget_report(step, billed_characters, billed_usd)
    refused = budget_report is not None and not budget_report.approved
    if budget_report is not None and refused:
        notes.insert(0, f"Refused by the cost guard, nothing was sent to Translate: {budget_report.reason}")
    if step.skipped_keys:
        notes.append(f"{len(step.skipped_keys)} key(s) of the book skipped (the key validator refused them):")
        notes.extend(f"skipped {item.key}: {item.reason}" for item in step.skipped_keys[:20])
    report = RunReport(
        run_id=step.run_id if step.label is None else f"{step.label} ({step.run_id})",
        generated_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        language_pairs=[result.pair_name for result in step.results],
        engines=_engines(step.results, pair_reports),
        scores=scores,
        experiments=[r.experiment for r in reports if r.experiment is not None],
        cost=cost,
        budget=budget_report,
        terminology=_merge_terminology(reports),
        sync=_merge_workload(reports),
        notes=notes + details + cost_notes,
    )
    prefix = step.report_prefix
    keys = [f"{prefix}report.json", f"{prefix}report.html", f"{prefix}report.md"]
    put_bytes(s3_client, output_bucket, keys[0], report.model_dump_json(indent=2).encode(), "application/json")
    put_bytes(s3_client, output_bucket, keys[1], render_html(report).encode(), "text/html; charset=utf-8")
    put_bytes(s3_client, output_bucket, keys[2], render_markdown(report).encode(), "text/markdown; charset=utf-8")
    failed = [r for r in step.results if r.status == "FAILED"]
    succeeded = len(step.results) - len(failed)
    if refused:
        lines = [f"AMTS run {step.run_id} was refused by the cost guard: nothing was translated."]
        subject = f"AMTS run refused (over budget): {step.run_id}"[:99]
    else:
        lines = [f"AMTS run {step.run_id}: {succeeded} pair(s) succeeded, {len(failed)} failed."]
        subject = f"AMTS run {'succeeded' if not failed else 'had failures'}: {step.run_id}"[:99]
    lines += [f"- {note}" for note in notes]
    lines.append(f"Report: s3://{output_bucket}/{keys[1]}")
    return RunSummary(
        run_id=step.run_id,
        succeeded=succeeded,
        failed=len(failed),
        report_keys=keys,
        subject=subject,
        message="\n".join(lines),
        all_succeeded=not failed and not refused,
        budget_exceeded=refused,
        billed_characters=billed_characters,
        billed_usd=billed_usd,
    )


def _budget_report(step: ReportStep, billed_characters: int, billed_usd: float) -> BudgetReport | None:
    decision = step.budget
    if decision is None:
        return None
    caps = decision.caps
    return BudgetReport(
        approved=decision.approved,
        reason=decision.reason,
        estimate_characters=decision.estimate_characters,
        estimate_usd=decision.estimate_usd,
        estimate_lines=[
            CostLine(
                label=f"{job.pair_name} {job.role} job ({job.priced_as} price)",
                characters=job.characters,
                usd_per_million_characters=job.usd_per_million_characters,
            )
            for job in decision.estimate.jobs
        ],
        billed_characters=billed_characters,
        billed_usd=billed_usd,
        cap_characters_per_run=caps.characters_per_run,
        cap_usd_per_run=caps.usd_per_run,
        cap_usd_per_day=caps.usd_per_day,
        cap_usd_per_month=caps.usd_per_month,
        day=decision.day,
        day_spent_usd=decision.day_spent_usd,
        month=decision.month,
        month_spent_usd=decision.month_spent_usd,
    )
