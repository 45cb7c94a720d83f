"""The Stage step: decide per chapter what needs machine translation and write only that as the job's input.

A chapter with an earlier translation (a published one, else the human translation) is synchronized:
``amts.sync.plan_sync`` keeps what did not change and lists the MT units, which ``amts.sync.stage_units`` and
``amts.book.to_html`` turn into Translate-ready HTML. A chapter with no translation yet, and every chapter of
an evaluation-only run, is translated whole. Nothing to translate anywhere -> ``needs_translation`` is false and
the state machine goes straight to Assemble.

Stage also decides whether the baseline job (the same input without ACT) runs: only when Score will compare it,
that is evaluation is on, there is parallel data, and a chapter is translated whole and has a human reference.
A synchronized chapter is never scored, so an ordinary sync run starts one job per pair and bills each edit once.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from amts.book import parse, segments, to_html
from amts.errors import AmtsError, InputError
from amts.pipeline import layout
from amts.pipeline.models import StagedChapter, StageManifest, StageResult, StageStep
from amts.pipeline.s3 import list_markdown, put_json, put_text, read_text, s3_uri
from amts.sync.engine import plan_sync, segment_chars
from amts.sync.memory import S3MemoryStore, TranslationMemory
from amts.sync.stage import stage_units


def load_memory(s3_client: Any, output_bucket: str, source: str, target: str) -> TranslationMemory:
    store = S3MemoryStore(s3_client, output_bucket, layout.memory_key(f"{source}-{target}"))
    return TranslationMemory.load(store, source_lang=source, target_lang=target)


def stage_pair(
    step: StageStep,
    *,
    s3_client: Any,
    input_bucket: str,
    work_bucket: str,
    output_bucket: str,
    max_characters: int,
) -> StageResult:
    """Write the job input for one pair and the manifest Assemble and Score read."""
    task, pair = step.task, step.task.pair
    chapters = task.chapters or list_markdown(s3_client, input_bucket, layout.book_key(pair.source, ""))
    memory = load_memory(s3_client, output_bucket, pair.source, pair.target)
    docs_prefix = layout.job_docs_prefix(task.run_id, task.pair_name)
    staged: list[StagedChapter] = []
    for index, path in enumerate(chapters):
        new_text = read_text(s3_client, input_bucket, layout.book_key(pair.source, path))
        if new_text is None:
            raise InputError("chapter disappeared from the input bucket during the run", path=path)
        new_doc = parse(new_text, path=path)
        old_target = None
        if task.publish:
            old_target = read_text(s3_client, output_bucket, layout.published_key(pair.target, path))
            if old_target is None:
                old_target = read_text(s3_client, input_bucket, pair.reference_key(path))
        chapter: StagedChapter | None = None
        if old_target is not None:
            # The published translation was made from the snapshot; a human translation is taken to match the
            # current source (the book gives the pair side by side), so a first sync keeps it whole.
            old_source = read_text(s3_client, output_bucket, layout.source_snapshot_key(task.pair_name, path))
            try:
                plan = plan_sync(
                    old_source if old_source is not None else new_text,
                    parse(old_target, path=f"{pair.target}/{path}"),
                    new_doc,
                    memory,
                    file=path,
                    run=task.run_id,
                )
            except AmtsError as exc:  # the old translation does not align: translate the chapter whole
                chapter = _whole(s3_client, work_bucket, docs_prefix, index, path, new_doc, note=str(exc))
            else:
                plan_key = layout.sync_plan_key(task.run_id, task.pair_name, index)
                put_json(s3_client, work_bucket, plan_key, plan.model_dump(mode="json"))
                document = None
                if plan.units:
                    units = stage_units([unit.text for unit in plan.units], path=path)
                    document = layout.document_name(index)
                    put_text(s3_client, work_bucket, docs_prefix + document, to_html(units.document), "text/html")
                chapter = StagedChapter(
                    path=path,
                    mode="sync",
                    index=index,
                    document=document,
                    plan_key=plan_key,
                    units=len(plan.units),
                    characters=plan.mt_chars,
                )
        if chapter is None:
            chapter = _whole(s3_client, work_bucket, docs_prefix, index, path, new_doc)
        staged.append(chapter)
    characters = sum(chapter.characters for chapter in staged)
    if characters > max_characters:
        raise InputError(
            f"{task.pair_name}: {characters} characters need MT, above the run budget of {max_characters} "
            "(budget.max_characters_per_run in cdk.json); translate fewer chapters per run or raise the budget",
            path="execution input",
        )
    manifest_key = layout.stage_manifest_key(task.run_id, task.pair_name)
    manifest = StageManifest(run_id=task.run_id, pair_name=task.pair_name, chapters=staged)
    put_json(s3_client, work_bucket, manifest_key, manifest.model_dump(mode="json"))
    documents = sum(1 for chapter in staged if chapter.document is not None)
    return StageResult(
        needs_translation=documents > 0,
        input_s3_uri=s3_uri(work_bucket, docs_prefix),
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


def _whole(
    s3_client: Any, bucket: str, docs_prefix: str, index: int, path: str, doc: Any, note: str | None = None
) -> StagedChapter:
    chapter_segments = segments(doc)
    if not chapter_segments:
        return StagedChapter(path=path, mode="whole", index=index, note="no translatable text")
    document = layout.document_name(index)
    put_text(s3_client, bucket, docs_prefix + document, to_html(doc), "text/html")
    return StagedChapter(
        path=path,
        mode="whole",
        index=index,
        document=document,
        units=len(chapter_segments),
        characters=sum(segment_chars(segment) for segment in chapter_segments),
        note=note,
    )
