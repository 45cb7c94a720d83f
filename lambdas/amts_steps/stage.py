"""The Stage step: decide per chapter what needs machine translation and stage only that for the job.

Stage writes the documents to the pair's staging folder (``jobs/staged/<execution>/<pair>/``), measures each with
the billing rule (``amts.translate.markup.billed_characters``) and records its ETag. The Budget step prices the
whole run from those figures; only when it approves does Release copy the very same documents into the job
folder Translate reads. Stage itself never writes to a job folder.

A chapter with an earlier translation (a published one, else the human translation; at its old path when it
moved) is synchronized: ``amts.sync.plan_sync`` keeps what did not change and lists the MT units, which
``amts.sync.stage_units`` and ``amts.book.to_html`` turn into Translate-ready HTML. A chapter with no translation
yet is planned the same way against nothing, so all of it goes to MT (through the memory) and every block is
marked for review. A translation that does not match its source is never replaced: the chapter becomes a
*proposal* (the human file stays, the machine translation is offered beside it). Every chapter of an
evaluation-only run is translated whole and not published. Nothing to translate anywhere ->
``needs_translation`` is false and the state machine goes straight to Assemble.

Stage also decides whether the baseline job (the same input without ACT) runs: only when Score will compare it,
that is evaluation is on, there is parallel data, and a chapter is translated whole and has a human reference.
A synchronized chapter is never scored, so an ordinary sync run starts one job per pair and bills each edit once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from amts.book import Document, chapter_of, parse, segments, to_html
from amts.errors import AmtsError, InputError
from amts.sync.engine import empty_document, plan_sync
from amts.sync.memory import TranslationMemory
from amts.sync.models import SyncPlan
from amts.sync.renames import Rename, detect_renames
from amts.sync.stage import stage_units
from amts.translate.markup import billed_characters
from amts_aws.memory import S3MemoryStore
from amts_aws.s3 import list_keys, list_markdown, put_json, read_text, s3_uri
from botocore.exceptions import ClientError

from amts_steps import layout
from amts_steps.pair_models import StagedChapter, StageManifest, StageResult, StageStep
from amts_steps.plan_models import PairTask


def load_memory(s3_client: Any, output_bucket: str, source: str, target: str) -> TranslationMemory:
    store = S3MemoryStore(s3_client, output_bucket, layout.memory_key(f"{source}-{target}"))
    return TranslationMemory.load(store, source_lang=source, target_lang=target)


@dataclass(frozen=True)
class _Previous:
    """The translation a chapter is synchronized against: its text, where it came from, and its old source."""

    target: str
    old_source: str | None  # the source the published translation was made from (None: the current source)
    path: str  # the chapter path it was published or translated under (the old path after a rename)
    human_key: str | None  # the human file's input-bucket key, when nothing was published yet


class _Previously:
    """Finds each chapter's previous translation: published (with its source snapshot), else the human one, at
    the chapter's path or, for a chapter that moved, at its old path (the run's rename map, else by content)."""

    def __init__(self, s3_client: Any, task: PairTask, input_bucket: str, output_bucket: str) -> None:
        self.s3 = s3_client
        self.task = task
        self.input_bucket, self.output_bucket = input_bucket, output_bucket

    def at(self, path: str) -> _Previous | None:
        pair, name = self.task.pair, self.task.pair_name
        published = read_text(self.s3, self.output_bucket, layout.published_key(pair.target, path))
        if published is not None:
            snapshot = read_text(self.s3, self.output_bucket, layout.source_snapshot_key(name, path))
            return _Previous(published, snapshot, path, None)
        human = read_text(self.s3, self.input_bucket, pair.reference_key(path))
        if human is not None:
            # A human translation is taken to match the current source (the book gives the pair side by side).
            return _Previous(human, None, path, pair.reference_key(path))
        return None

    def renames(self, orphans: dict[str, Document], book: set[str]) -> dict[str, Rename]:
        """Where the chapters with no translation at their path came from: the rename map, else the published
        chapters (their source snapshots) whose source is no longer in the book, by content."""
        name = self.task.pair_name
        candidates: dict[str, Document] = {}
        for old in list_markdown(self.s3, self.output_bucket, layout.source_snapshot_key(name, "")):
            if old in book:  # still a chapter of the book: it did not move
                continue
            text = read_text(self.s3, self.output_bucket, layout.source_snapshot_key(name, old))
            if text is not None:
                candidates[old] = parse(text, path=old)
        given = {new: old for new, old in self.task.renames.items() if new in orphans}
        return detect_renames(orphans, candidates, lang=self.task.pair.source, given=given)


def stage_pair(
    step: StageStep,
    *,
    s3_client: Any,
    input_bucket: str,
    work_bucket: str,
    output_bucket: str,
) -> StageResult:
    """Stage the documents for one pair, with the manifest Release, Assemble and Score read."""
    task, pair = step.task, step.task.pair
    book = list_markdown(s3_client, input_bucket, layout.book_key(pair.source, ""))
    chapters = task.chapters or book
    memory = load_memory(s3_client, output_bucket, pair.source, pair.target)
    docs_prefix = layout.staged_docs_prefix(task.run_id, task.pair_name)
    previously = _Previously(s3_client, task, input_bucket, output_bucket)
    sources: list[Document] = []
    previous_of: dict[str, _Previous | None] = {}
    for path in chapters:
        new_text = read_text(s3_client, input_bucket, layout.book_key(pair.source, path))
        if new_text is None:
            raise InputError("chapter disappeared from the input bucket during the run", path=path)
        sources.append(parse(new_text, path=path))
        previous_of[path] = previously.at(path) if task.publish else None
    orphans = {doc.path: doc for doc in sources if task.publish and previous_of[doc.path] is None}
    renames = previously.renames(orphans, set(book)) if orphans else {}
    for moved in renames.values():
        previous_of[moved.new] = previously.at(moved.old)
    staged: list[StagedChapter] = []
    for index, new_doc in enumerate(sources):
        path, new_text = new_doc.path, new_doc.text
        if not task.publish:  # evaluation only: whole chapters, scored and not published
            staged.append(_whole(s3_client, work_bucket, docs_prefix, index, path, new_doc))
            continue
        previous = previous_of[path]
        rename = renames.get(path) if previous is not None else None
        mode: Literal["sync", "proposal"] = "sync"
        note: str | None = None
        refusal: str | None = None
        try:
            if previous is None:  # a new chapter: all of it goes to MT (through the memory), every block marked
                plan = _new_chapter(new_doc, memory, task)
            else:
                plan = _plan(
                    new_doc,
                    memory,
                    task,
                    old_source=previous.old_source if previous.old_source is not None else new_text,
                    old_target=parse(previous.target, path=f"{pair.target}/{previous.path}"),
                    previous_file=previous.path if previous.path != path else None,
                )
        except AmtsError as exc:
            plan = _new_chapter(new_doc, memory, task)
            if rename is not None:  # the chapter it was taken to continue does not match: it is new after all
                note, rename = f"rename from {rename.old} not used: {exc}", None
            else:  # the translation does not match: it is kept, and MT is offered beside it
                mode, refusal = "proposal", exc.message
        plan_key = layout.sync_plan_key(task.run_id, task.pair_name, index)
        put_json(s3_client, work_bucket, plan_key, plan.model_dump(mode="json"))
        chapter = StagedChapter(
            path=path,
            mode=mode,
            index=index,
            plan_key=plan_key,
            units=len(plan.units),
            note=note,
            previous_path=rename.old if rename is not None else None,
            human_key=previous.human_key if previous is not None and rename is None else None,
            translation_at_path=previous is not None and previous.path == path,
            refusal=refusal,
        )
        if plan.units:
            units = stage_units([unit.text for unit in plan.units], path=path)
            chapter = _with_document(s3_client, work_bucket, docs_prefix, chapter, to_html(units.document))
        staged.append(chapter)
    characters = sum(chapter.characters for chapter in staged)
    manifest_key = layout.stage_manifest_key(task.run_id, task.pair_name)
    gone = gone_translations(s3_client, output_bucket, pair.target, set(book), staged) if task.publish else []
    manifest = StageManifest(run_id=task.run_id, pair_name=task.pair_name, chapters=staged, gone=gone)
    put_json(s3_client, work_bucket, manifest_key, manifest.model_dump(mode="json"))
    documents = sum(1 for chapter in staged if chapter.document is not None)
    return StageResult(
        needs_translation=documents > 0,
        input_s3_uri=s3_uri(work_bucket, layout.job_docs_prefix(task.run_id, task.pair_name)),
        staged_prefix=docs_prefix,
        output_s3_uri=s3_uri(work_bucket, layout.job_output_prefix(task.run_id, task.pair_name, "act")),
        baseline_output_s3_uri=s3_uri(work_bucket, layout.job_output_prefix(task.run_id, task.pair_name, "baseline")),
        stage_key=manifest_key,
        parallel_data_names=[step.parallel_data.name] if step.parallel_data.has_data else [],
        terminology_names=[pair.terminology_name] if pair.terminology_name else [],
        documents=documents,
        segments=sum(chapter.units for chapter in staged),
        characters=characters,
        baseline_wanted=baseline_wanted(step, staged, s3_client=s3_client, input_bucket=input_bucket),
    )


def gone_translations(
    s3_client: Any, output_bucket: str, target: str, book: set[str], staged: list[StagedChapter]
) -> list[str]:
    """The published translations whose source chapter is no longer in the book: they stay in the output bucket
    (no function may delete there) but are not current, so the run report names each, and where it moved when a
    chapter of this run was synced from it: ``translated/zh/old.md: its source is gone; moved to new.md``."""
    moved: dict[str, list[str]] = {}
    for staged_chapter in staged:
        if staged_chapter.previous_path is not None:
            moved.setdefault(staged_chapter.previous_path, []).append(staged_chapter.path)
    lines = []
    prefix = layout.published_key(target, "")
    published = [key[len(prefix) :] for key in list_keys(s3_client, output_bucket, prefix) if key.endswith(".md")]
    for path in sorted(published):  # chapters and proposals (a proposal belongs to its chapter)
        chapter = chapter_of(path)
        if chapter in book:
            continue
        where = f"moved to {', '.join(moved[chapter])}" if chapter in moved else "no chapter of this run continues it"
        lines.append(f"{layout.published_key(target, path)}: its source is gone; {where}")
    return lines


def _plan(
    new_doc: Document,
    memory: TranslationMemory,
    task: PairTask,
    *,
    old_source: str | Document,
    old_target: Document,
    previous_file: str | None = None,
) -> SyncPlan:
    """``amts.sync.plan_sync`` of one chapter with the pair's options (the run, fuzzy reuse, MT suggestions)."""
    pair = task.pair
    return plan_sync(
        old_source,
        old_target,
        new_doc,
        memory,
        file=new_doc.path,
        previous_file=previous_file,
        run=task.run_id,
        fuzzy_threshold=pair.fuzzy_threshold,
        suggestions=pair.mt_suggestions,
    )


def _new_chapter(new_doc: Document, memory: TranslationMemory, task: PairTask) -> SyncPlan:
    """A plan against no translation: every segment from the memory (exact or fuzzy) or MT, every block marked."""
    nothing = empty_document(new_doc.path)
    return _plan(new_doc, memory, task, old_source=nothing, old_target=nothing)


def baseline_wanted(step: StageStep, staged: list[StagedChapter], *, s3_client: Any, input_bucket: str) -> bool:
    """Whether the baseline job would be scored: evaluation on, parallel data, and a scorable chapter staged.

    Score compares only chapters translated whole that have a human reference; without one the baseline job
    re-translates the same text without ACT for nothing but the bill.
    """
    if not (step.task.evaluate and step.parallel_data.has_data):
        return False
    pair = step.task.pair
    return any(
        chapter.translated_whole and _object_exists(s3_client, input_bucket, pair.reference_key(chapter.path))
        for chapter in staged
    )


def _object_exists(s3_client: Any, bucket: str, key: str) -> bool:
    try:
        s3_client.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


def _whole(s3_client: Any, bucket: str, docs_prefix: str, index: int, path: str, doc: Document) -> StagedChapter:
    chapter_segments = segments(doc)
    if not chapter_segments:
        return StagedChapter(path=path, mode="whole", index=index, note="no translatable text")
    chapter = StagedChapter(path=path, mode="whole", index=index, units=len(chapter_segments))
    return _with_document(s3_client, bucket, docs_prefix, chapter, to_html(doc))


def _with_document(s3_client: Any, bucket: str, docs_prefix: str, chapter: StagedChapter, html: str) -> StagedChapter:
    """``chapter`` with its job document staged: written, measured, and its ETag recorded."""
    document = layout.document_name(chapter.index)
    etag, characters = _write_document(s3_client, bucket, docs_prefix + document, html)
    return chapter.model_copy(update={"document": document, "etag": etag, "characters": characters})


def _write_document(s3_client: Any, bucket: str, key: str, html: str) -> tuple[str, int]:
    """Stage one job document; returns its ETag and the characters Translate bills for it."""
    response = s3_client.put_object(Bucket=bucket, Key=key, Body=html.encode("utf-8"), ContentType="text/html")
    return str(response["ETag"]), billed_characters(html, "text/html")
