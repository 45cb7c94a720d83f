"""The per-pair report (``reports/<run>/<pair>/pair-report.json``): the with/without-ACT comparison per chapter and
the leakage guard that applied, the jobs and their engines, the term-consistency check and the review workload."""

from __future__ import annotations

import tempfile
from collections.abc import Collection, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from amts.book import segments
from amts.errors import InputError
from amts.evaluate import ScoreReport, compare_score_reports
from amts.evaluate.experiments import CONDITION_NO_ACT, CONDITION_WITH_ACT
from amts.evaluate.models import (
    ExperimentReport,
    LeakageGuard,
    ReviewSegment,
    SyncDocumentWorkload,
    SyncWorkloadReport,
    TermConsistencyReport,
)
from amts.evaluate.pairing import SegmentPair
from amts.evaluate.scoring import chapter_of
from amts.evaluate.sections import sync_workload_report, term_consistency_report
from amts.evaluate.significance import section_deltas
from amts.sync.review_rows import ChapterFiles, chapter_rows
from amts.translate.terminology import Glossary, TermEntry, check_term_consistency, load_glossary
from amts_aws.s3 import read_text
from pydantic import Field

from amts_steps import layout
from amts_steps.job_output import JobOutput, JobSummary, Model, ResyncedChapter, WholeChapter, engine_usage
from amts_steps.pair_models import ScoreStep, StagedChapter, StageManifest


class PairReport(Model):
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
    segments: list[ReviewSegment] = Field(default_factory=list, description="the review page's rows of the pair")
    notes: list[str] = Field(default_factory=list)


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


def chapter_figures(manifest: StageManifest, details: dict[str, Any], chapter_name: str) -> tuple[int, dict[str, int]]:
    chapters = [c for c in manifest.chapters if c.mode == "whole" and chapter_of(c.path) == chapter_name]
    documents = {c.document for c in chapters if c.document is not None}
    return sum(c.characters for c in chapters), engine_usage(details, documents)[1]


def experiment_report(
    act: ScoreReport,
    baseline: ScoreReport,
    act_job: JobOutput,
    base_job: JobOutput,
    manifest: StageManifest,
    step: ScoreStep,
    segment_pairs: tuple[Mapping[str, list[SegmentPair]], Mapping[str, list[SegmentPair]]] = ({}, {}),
) -> ExperimentReport:
    """Table 1 of the run: per chapter, without vs with ACT, each Δ with its paired bootstrap interval over the
    chapter's segment pairs (``segment_pairs``: the baseline's and the ACT job's, by chapter)."""
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
            characters, usage = chapter_figures(manifest, job.details, row.chapter)
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
    base_pairs, act_pairs = segment_pairs
    sections = {
        chapter: {CONDITION_NO_ACT: base_pairs[chapter], CONDITION_WITH_ACT: pairs}
        for chapter, pairs in act_pairs.items()
        if chapter in base_pairs
    }
    comparisons = [(CONDITION_NO_ACT, CONDITION_WITH_ACT)]
    deltas = section_deltas(sections, comparisons, metrics=("BLEU", "chrF"), tokenize=report.tokenize)
    return report.model_copy(update={"rows": rows, "notes": [*report.notes, guard_note, counts], "deltas": deltas})


def pair_glossary(
    step: ScoreStep, act_job: JobOutput | None, glossary_key: str | None, *, s3_client: Any, input_bucket: str
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


def terminology_report(
    glossary: Glossary, label: str, wholes: list[WholeChapter], synced: list[tuple[StagedChapter, ResyncedChapter]]
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


def workload_report(
    wholes: list[WholeChapter], synced: list[tuple[StagedChapter, ResyncedChapter]]
) -> SyncWorkloadReport:
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


def review_segments(
    synced: list[tuple[StagedChapter, ResyncedChapter]], *, pair: str, target: str, kept: Collection[str]
) -> list[ReviewSegment]:
    """The review page's rows of the synced chapters as Assemble published them (``kept``: the chapters that kept
    their human file, a proposal beside it). Rebuilt from the plans, as the workload is: the Score function may not
    read the published chapters."""
    rows: list[ReviewSegment] = []
    for chapter, sync in synced:
        refused = chapter.path in kept
        files = ChapterFiles(
            chapter=chapter.path,
            file=layout.published_key(target, chapter.path),
            translation="" if refused else sync.markdown,
            source=sync.source or None,
            proposal=PurePosixPath(layout.proposal_key(target, chapter.path)).name if refused else None,
        )
        rows += chapter_rows(files, pair=pair)
    return rows
