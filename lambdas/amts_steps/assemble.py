"""The Assemble step: read Translate's output back into markdown, merge it with what was kept, publish.

Every published chapter goes through ``amts.sync.apply_sync`` (kept text + MT units) and its skeleton check.
A chapter whose structure still differs from its source, and a chapter Stage could not sync (a *proposal*), keeps
its human file: the machine translation is written beside it (``<chapter>.amts-proposal.md``) with the reason in
the run details, and nothing of it enters the memory. Evaluation-only chapters are rebuilt from the job's HTML for
counting (Score scores them) and never published. Protected spans may come back in another order (the
target's word order); a segment whose translation lost or changed one keeps its source text, is counted as
untranslated and its block's review marker says ``untranslated`` (``amts.sync.untranslated``).

Each chapter is one S3 PUT (atomic); the memory and the source snapshot (the next sync's old source) are written
after the chapters. Assemble is idempotent (the same plans and job output give the same objects), and the state
machine retries it when its Lambda dies (``Lambda.Unknown``: a timeout or out of memory), so a crash between the
chapters and the memory is completed by the retry. The memory is written with an S3 conditional PUT
(``amts.sync.memory.save_memory``): when another execution wrote it meanwhile, its entries are reloaded and
merged with this run's, never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from amts.book import Document, from_html, parse
from amts.errors import InputError
from amts.sync.apply import SyncResult, apply_sync, record_sync
from amts.sync.memory import TranslationMemory, save_memory
from amts.sync.models import SyncPlan
from amts.sync.outcome import chapter_outcome
from amts.sync.stage import stage_units, unstage_translations
from amts.translate.job_outputs import job_state, recorded_engine, split_s3_uri
from amts_aws.job_outputs import read_job_outputs
from amts_aws.memory import S3MemoryStore
from amts_aws.s3 import put_json, put_text, read_json, read_text

from amts_steps import layout
from amts_steps.pair_models import AssembleResult, AssembleStep, JobResult, StagedChapter, StageManifest


@dataclass
class JobFiles:
    """A finished job's translated documents by input file name, and what it billed."""

    by_name: dict[str, str] = field(default_factory=dict)  # input file name -> output key
    bucket: str = ""
    characters: int = 0
    errors: dict[str, str] = field(default_factory=dict)  # input file name -> error
    engine: str | None = None
    details: dict[str, Any] = field(default_factory=dict)  # the target's auxiliary details file ({} when none)


def job_files(job: JobResult | None, *, target: str, s3_client: Any) -> JobFiles:
    """Locate a job's outputs (output folder, auxiliary details) as the translate area reads them."""
    if job is None:
        return JobFiles()
    outputs = read_job_outputs(s3_client, job_state(job.model_dump()), account_id=_account_of(job))
    bucket, _ = split_s3_uri(outputs.output_s3_uri)
    details = outputs.auxiliary.get(target, {})
    files = JobFiles(
        bucket=bucket,
        characters=outputs.characters_translated.get(target, 0),
        details=details if isinstance(details, dict) else {},
    )
    for source_file, key in outputs.documents.get(target, {}).items():
        files.by_name[PurePosixPath(source_file).name] = key
    for error in outputs.errors:
        files.errors[PurePosixPath(error.source_file).name] = f"{error.code}: {error.message}"
    engine = recorded_engine(files.details)
    if engine is not None and engine.engines:
        files.engine = ", ".join(engine.engines)
    return files


def _account_of(job: JobResult) -> str | None:
    uri = job.output_s3_uri
    marker = "-TranslateText-"
    if marker in uri:
        return uri.split(marker)[0].rstrip("/").rsplit("/", 1)[-1]
    return None


def translated_html(files: JobFiles, chapter: StagedChapter, s3_client: Any) -> str | None:
    """The translated HTML of a staged chapter, or None when the job produced none for it."""
    if chapter.document is None:
        return None
    key = files.by_name.get(chapter.document)
    if key is None:
        return None
    return read_text(s3_client, files.bucket, key)


@dataclass
class ChapterOutcome:
    path: str
    published: bool
    translated: int
    untranslated: int
    problem: str | None = None
    proposal: str | None = None  # the key of the machine translation offered beside a kept human file, and why
    kept_reason: str | None = None
    renamed_from: str | None = None
    skeleton_differences: int = 0
    note: str | None = None  # published with a problem to report (a new or moved chapter still differing)


def rebuild_whole(source: Document, html: str) -> tuple[str, dict[str, str], list[str]]:
    """Markdown of a whole-chapter translation, its per-segment translations and the untranslated ids."""
    rebuilt = from_html(source, html)
    return rebuilt.markdown(source), rebuilt.translations, list(rebuilt.untranslated)


def assemble_pair(
    step: AssembleStep,
    *,
    s3_client: Any,
    input_bucket: str,
    work_bucket: str,
    output_bucket: str,
) -> AssembleResult:
    task, pair = step.task, step.task.pair
    manifest = StageManifest.model_validate(read_json(s3_client, work_bucket, step.stage.stage_key))
    files = job_files(step.jobs.customized, target=pair.target, s3_client=s3_client)
    memory_store = S3MemoryStore(s3_client, output_bucket, layout.memory_key(task.pair_name))
    memory = TranslationMemory.load(memory_store, source_lang=pair.source, target_lang=pair.target)
    memory_as_read = memory.model_copy(deep=True)  # what this run changes is merged on a concurrent write
    outcomes: list[ChapterOutcome] = []
    published: list[str] = []
    for chapter in manifest.chapters:
        source_text = read_text(s3_client, input_bucket, layout.book_key(pair.source, chapter.path))
        if source_text is None:
            raise InputError("chapter disappeared from the input bucket during the run", path=chapter.path)
        html = translated_html(files, chapter, s3_client)
        if chapter.document is not None and html is None:
            problem = files.errors.get(chapter.document, "Translate produced no output for this chapter")
            outcomes.append(ChapterOutcome(chapter.path, False, 0, chapter.units, problem))
            continue
        if chapter.mode == "whole":  # evaluation only: scored by Score, never published
            if html is None:
                outcomes.append(ChapterOutcome(chapter.path, False, 0, 0))
                continue
            _, translations, missing = rebuild_whole(parse(source_text, path=chapter.path), html)
            outcomes.append(ChapterOutcome(chapter.path, False, len(translations), len(missing)))
            continue
        result, translated, untranslated = _apply_plan(chapter, html, memory, s3_client, work_bucket, files)
        outcome = ChapterOutcome(
            chapter.path,
            False,
            translated,
            untranslated,
            renamed_from=chapter.previous_path,
            skeleton_differences=len(result.report.skeleton_differences),
        )
        if not task.publish:
            outcomes.append(outcome)
            continue
        key = layout.published_key(pair.target, chapter.path)
        decision = chapter_outcome(
            translation_at_path=chapter.translation_at_path,
            refusal=chapter.refusal,
            skeleton_differences=result.report.skeleton_differences,
        )
        if not decision.publish:
            # The translation at the path stays; the machine translation is offered beside it.
            outcome.proposal = layout.proposal_key(pair.target, chapter.path)
            outcome.kept_reason = decision.problem
            put_text(s3_client, output_bucket, outcome.proposal, result.markdown)
            if chapter.human_key is not None:  # nothing published yet: the human file is the chapter
                human = read_text(s3_client, input_bucket, chapter.human_key)
                if human is not None:
                    put_text(s3_client, output_bucket, key, human)
                    published.append(key)
            outcomes.append(outcome)
            continue
        outcome.note = decision.problem  # published, but still differing from its skeleton: said in the report
        record_sync(result, memory)
        put_text(s3_client, output_bucket, key, result.markdown)
        put_text(s3_client, output_bucket, layout.source_snapshot_key(task.pair_name, chapter.path), source_text)
        published.append(key)
        outcome.published = True
        outcomes.append(outcome)
    if task.publish:
        save_memory(memory, memory_store, base=memory_as_read)
    details_key = layout.run_details_key(task.pair_name, task.run_id)
    put_json(s3_client, output_bucket, details_key, {"chapters": [outcome.__dict__ for outcome in outcomes]})
    return AssembleResult(
        chapters_published=len(published),
        segments_translated=sum(outcome.translated for outcome in outcomes),
        segments_untranslated=sum(outcome.untranslated for outcome in outcomes),
        characters_billed=files.characters,
        details_key=details_key,
        published_keys_sample=published[:5],
        engine=files.engine,
        chapters_failed=[f"{o.path}: {o.problem}" for o in outcomes if o.problem][:20],
        proposals=[
            f"{o.path}: {o.kept_reason} (machine translation offered at {o.proposal})" for o in outcomes if o.proposal
        ][:50],
        renames=[f"{o.renamed_from} -> {o.path}" for o in outcomes if o.renamed_from][:200],
        published_with_problems=[f"{o.path}: {o.note}" for o in outcomes if o.published and o.note][:50],
    )


def load_plan(plan_key: str, files: JobFiles, *, s3_client: Any, work_bucket: str) -> SyncPlan:
    """A sync chapter's stored plan, its report naming the engine that translated its MT units."""
    plan = SyncPlan.model_validate(read_json(s3_client, work_bucket, plan_key))
    plan.report.engine = files.engine if plan.units else None
    return plan


def unit_translations(plan: SyncPlan, html: str, *, path: str) -> list[str]:
    """Each MT unit's translation read back from the job's HTML, in order; a unit the job did not translate (or
    whose protected spans it broke) keeps its source text."""
    texts = [unit.text for unit in plan.units]
    return unstage_translations(stage_units(texts, path=path), html, fallback=texts)


def _apply_plan(
    chapter: StagedChapter,
    html: str | None,
    memory: TranslationMemory,
    s3_client: Any,
    work_bucket: str,
    files: JobFiles,
) -> tuple[SyncResult, int, int]:
    """The chapter's plan with the job's translations in place (the memory is not changed yet)."""
    if chapter.plan_key is None:
        raise InputError("chapter without a plan in the stage manifest", path=chapter.path)
    plan = load_plan(chapter.plan_key, files, s3_client=s3_client, work_bucket=work_bucket)
    translations: dict[str, str] = {}
    if plan.units:
        if html is None:
            raise InputError("the sync plan has MT units but the job produced no output", path=chapter.path)
        results = unit_translations(plan, html, path=chapter.path)
        translations = {unit.id: text for unit, text in zip(plan.units, results, strict=True)}
    result = apply_sync(plan, translations, memory, record=False)  # marks and counts what kept its English
    untranslated = result.report.untranslated_units
    return result, len(plan.units) - untranslated, untranslated
