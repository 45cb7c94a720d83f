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

from typing import Any

from amts.book import parse
from amts.errors import AmtsError
from amts.evaluate import ScoreReport
from amts.evaluate.models import (
    ExperimentReport,
    LeakageGuard,
)
from amts.evaluate.pairing import SegmentPair
from amts.evaluate.report_html import metric
from amts.evaluate.scoring import DocumentPair, chapter_of, pair_document, score_document_pairs
from amts.translate.job_outputs import AWS_ENGINE
from amts.translate.terminology import Glossary
from amts_aws.s3 import put_bytes, put_json, put_text, read_text

from amts_steps import layout
from amts_steps.assemble import JobFiles
from amts_steps.job_output import (
    ResyncedChapter,
    WholeChapter,
    read_job,
    rebuild_whole_chapters,
    resync_chapter,
)
from amts_steps.layout import pair_report_key
from amts_steps.pair_models import PairResult, ScoreStep, StagedChapter, StageManifest
from amts_steps.pair_report import (
    PairReport,
    baseline_skipped_note,
    experiment_report,
    leakage_guard_of,
    pair_glossary,
    review_segments,
    terminology_report,
    workload_report,
)


def _score_job(
    rebuilt: list[WholeChapter],
    references: dict[str, str],
    source_lang: str,
    target_lang: str,
    *,
    s3_client: Any,
    output: tuple[str, str] | None = None,
) -> tuple[ScoreReport | None, list[str], dict[str, list[SegmentPair]]]:
    """The job's scores against the references, notes, and each chapter's segment pairs (for the bootstrap)."""
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
        return None, [], {}
    try:
        report = score_document_pairs(pairs, tgt_lang=target_lang)
    except AmtsError as exc:  # e.g. a reference with no text: report it, the translation still stands
        return None, [f"not scored: {exc}"], {}
    by_chapter: dict[str, list[SegmentPair]] = {}
    for pair in pairs:  # paired again as the scoring did: the bootstrap resamples these segments
        by_chapter.setdefault(chapter_of(pair.ref.path), []).extend(pair_document(pair, target_lang).pairs)
    return report, [], by_chapter


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
        "segments_untranslated": step.assemble.segments_untranslated,
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
    kept = {proposal.split(": ", 1)[0] for proposal in step.assemble.proposals}  # "<path>: <reason> (...)"
    notes += [f"moved chapter synced from its old path: {rename}" for rename in step.assemble.renames]
    notes += [f"published for review: {problem}" for problem in step.assemble.published_with_problems]
    manifest_text = read_text(s3_client, work_bucket, step.stage.stage_key)
    manifest = StageManifest.model_validate_json(manifest_text) if manifest_text is not None else None
    if manifest is None:
        notes.append(f"no stage manifest at {step.stage.stage_key}: no workload or term check")
    else:
        notes += manifest.gone
    read = {"target": pair.target, "s3_client": s3_client}
    act_job = read_job("ACT", step.jobs.customized, **read) if step.stage.needs_translation else None
    base_job = read_job("baseline", step.jobs.baseline, **read) if step.stage.needs_translation else None
    act_files = act_job.files if act_job else JobFiles()
    wholes: list[WholeChapter] = []
    synced: list[tuple[StagedChapter, ResyncedChapter]] = []
    if manifest is not None:
        if act_job is not None:
            wholes = rebuild_whole_chapters(
                act_files, manifest, pair.source, s3_client=s3_client, input_bucket=input_bucket
            )
        for chapter in manifest.chapters:
            if chapter.mode != "sync":
                continue
            try:
                sync = resync_chapter(chapter, act_files, s3_client=s3_client, work_bucket=work_bucket)
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
        act, act_notes, act_pairs = _score_job(
            wholes, references, pair.source, pair.target, s3_client=s3_client, output=(output_bucket, f"{folder}/act/")
        )
        baseline: ScoreReport | None = None
        base_notes: list[str] = []
        base_pairs: dict[str, list[SegmentPair]] = {}
        if base_job is not None:
            base_wholes = rebuild_whole_chapters(
                base_job.files, manifest, pair.source, s3_client=s3_client, input_bucket=input_bucket
            )
            baseline, base_notes, base_pairs = _score_job(
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
            experiment = experiment_report(act, baseline, act_job, base_job, manifest, step, (base_pairs, act_pairs))
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
            glossary, label = pair_glossary(step, act_job, glossary_key, s3_client=s3_client, input_bucket=input_bucket)
        except AmtsError as exc:  # a broken glossary must not fail a pair whose chapters are already published
            problem = str(exc)
        if glossary_key and glossary is not None and label != glossary_key:
            notes.append(f"glossary {glossary_key} not found in the input bucket; checked {label} instead")
        if glossary is not None:
            terminology = terminology_report(glossary, label, wholes, synced)
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
        sync=workload_report(wholes, synced) if task.publish and (wholes or synced) else None,
        segments=review_segments(synced, pair=task.pair_name, target=pair.target, kept=kept) if task.publish else [],
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
