"""A finished Translate job as the Score function reads it: what it billed, which engine made each segment, and the
chapters rebuilt from its output as Assemble rebuilt them (whole chapters, and synced chapters re-synced from their
stored plan, since the published chapters are outside what the Score function may read)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Literal

from amts.book import Document, parse
from amts.sync.engine import apply_sync
from amts.sync.memory import TranslationMemory
from amts.sync.models import SyncReport
from amts.translate.job_outputs import AWS_ENGINE, recorded_engine, segment_engines
from amts_aws.s3 import read_text
from pydantic import BaseModel, ConfigDict, Field

from amts_steps import layout
from amts_steps.assemble import JobFiles, job_files, load_plan, rebuild_whole, translated_html, unit_translations
from amts_steps.pair_models import JobResult, StagedChapter, StageManifest

JobRole = Literal["ACT", "baseline"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class JobSummary(Model):
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


@dataclass
class JobOutput:
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


def read_job(role: JobRole, job: JobResult | None, *, target: str, s3_client: Any) -> JobOutput | None:
    if job is None:
        return None
    return JobOutput(role, job, job_files(job, target=target, s3_client=s3_client))


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


@dataclass
class WholeChapter:
    chapter: StagedChapter
    source: Document
    markdown: str
    translations: dict[str, str]
    untranslated: list[str]


def rebuild_whole_chapters(
    files: JobFiles, manifest: StageManifest, source_lang: str, *, s3_client: Any, input_bucket: str
) -> list[WholeChapter]:
    rebuilt: list[WholeChapter] = []
    for chapter in manifest.chapters:
        if not chapter.translated_whole:
            continue
        html = translated_html(files, chapter, s3_client)
        source_text = read_text(s3_client, input_bucket, layout.book_key(source_lang, chapter.path))
        if html is None or source_text is None:
            continue
        source = parse(source_text, path=chapter.path)
        markdown, translations, untranslated = rebuild_whole(source, html)
        rebuilt.append(WholeChapter(chapter, source, markdown, translations, untranslated))
    return rebuilt


@dataclass
class ResyncedChapter:
    report: SyncReport
    units: list[tuple[str, str, str]] = field(default_factory=list)  # (segment id, source text, translation)
    markdown: str = ""  # the chapter as Assemble published it (unless it kept the human file)
    source: str = ""  # the new English it follows


def resync_chapter(
    chapter: StagedChapter, files: JobFiles, *, s3_client: Any, work_bucket: str
) -> ResyncedChapter | None:
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
    synced = apply_sync(plan, translations, scratch)
    return ResyncedChapter(synced.report, units, markdown=synced.markdown, source=plan.new_source)
