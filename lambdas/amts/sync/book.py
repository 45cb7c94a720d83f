"""The directory form: synchronize every chapter of a book, with one memory, renames, proposals and a book report.

Each chapter of the new source is synced against its old source and translation at the same path, or at its old
path when it moved (``amts.sync.renames``), or translated whole when it is new. A human translation is never
replaced by text that lost its structure: a chapter that cannot be synced (its translation does not match its old
source, or the synced result still differs from the new source's skeleton) keeps the human file, and the machine
translation is offered beside it as ``<chapter>.amts-proposal.md`` with the reason in the report.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from amts.book import Document, markdown_files, parse, parse_file, proposal_path
from amts.errors import AmtsError, InputError
from amts.fsio import read_text
from amts.sync.apply import SyncResult, record_sync
from amts.sync.engine import MIN_CONFIDENCE, SyncOptions, Translator, empty_document, sync_documents
from amts.sync.fuzzy import FUZZY_THRESHOLD
from amts.sync.memory import TranslationMemory
from amts.sync.models import BookReport, Effort, SentenceCount, SyncReport
from amts.sync.outcome import chapter_outcome
from amts.sync.renames import Rename, detect_renames


@dataclass(frozen=True)
class ChapterOutcome:
    """One chapter of a book sync: what to publish at its path, a proposal beside it, and why."""

    relative: str
    report: SyncReport | None
    output: str | None  # the chapter to publish (None: nothing, the chapter could not even be read)
    proposal: str | None = None  # machine translation offered beside a human chapter that was kept
    problem: str | None = None
    rename: Rename | None = None

    @property
    def proposal_path(self) -> str:
        return proposal_path(self.relative)


def book_report(reports: Sequence[SyncReport]) -> BookReport:
    """Totals over files; the baseline re-translates every file whose source changed at all."""
    total = sum(r.source_chars_total for r in reports)
    mt = sum(r.mt_chars for r in reports)
    flagged = sum(r.flagged_chars for r in reports)
    baseline = sum(r.source_chars_total for r in reports if r.source_changed)
    classes: dict[str, SentenceCount] = {}
    for report in reports:
        for kind, figures in report.sentence_classes.items():
            total_kind = classes.setdefault(kind, SentenceCount())
            total_kind.sentences += figures.sentences
            total_kind.chars += figures.chars
    return BookReport(
        files=list(reports),
        source_chars_total=total,
        reused_chars=sum(r.reused_chars for r in reports),
        mt_chars=mt,
        flagged_chars=flagged,
        flagged_segments=sum(r.flagged_segments for r in reports),
        workload_reduction=round(1 - (mt + flagged) / total, 4) if total else 1.0,
        baseline_chars=baseline,
        baseline_workload_reduction=round(1 - baseline / total, 4) if total else 1.0,
        sentence_classes=classes,
        effort=Effort.of(classes),
    )


def chapter_identity(new_source: Path, old_target: Path) -> str:
    """A chapter's path inside its book, for the file form: the longest common tail of the new source's and the
    old translation's paths (``en/ch/a.md`` and ``zh/ch/a.md`` give ``ch/a.md``), however the paths are spelled;
    the file name when they share no folder."""
    new_parts = Path(os.path.realpath(new_source)).parts
    old_parts = Path(os.path.realpath(old_target)).parts
    common: list[str] = []
    for a, b in zip(reversed(new_parts), reversed(old_parts), strict=False):
        if a != b:
            break
        common.append(a)
    if len(common) < 2:
        return new_parts[-1]
    return "/".join(reversed(common))


def sync_book(
    old_source_dir: Path,
    old_target_dir: Path,
    new_source_dir: Path,
    memory: TranslationMemory,
    translator: Translator,
    *,
    run: str,
    min_confidence: float = MIN_CONFIDENCE,
    renames: Mapping[str, str] | None = None,
    fuzzy_threshold: float | None = FUZZY_THRESHOLD,
    suggestions: bool = False,
    on_chapter: Callable[[ChapterOutcome], None] | None = None,
) -> list[ChapterOutcome]:
    """Every chapter (``*.md``) of the new source. ``renames`` maps new paths to old ones and comes before the
    detection. ``memory`` records what each published chapter reused and what was machine-translated in it.
    ``on_chapter`` is told of each chapter's outcome as it is decided (for progress).
    Nothing is written: the caller publishes the outcomes (with the memory) as one step."""
    for folder in (old_source_dir, old_target_dir, new_source_dir):
        if not folder.is_dir():
            raise InputError("not a directory", path=str(folder))
    new_files = markdown_files(new_source_dir)
    old_files = markdown_files(old_source_dir)
    translated = markdown_files(old_target_dir)
    for new_path, old_path in (renames or {}).items():
        if new_path not in new_files:
            raise InputError(f"the rename map names {new_path}, which the new source does not have", path=new_path)
        if old_path not in translated:
            raise InputError(f"the rename map names {old_path}, which the old translation does not have", path=old_path)
    old_chapters = {path: _parse(old_files[path]) for path in translated if path in old_files}
    new_chapters = {path: _parse(file) for path, file in new_files.items()}
    found = detect_renames(
        {p: d for p, d in new_chapters.items() if isinstance(d, Document)},
        {p: d for p, d in old_chapters.items() if isinstance(d, Document)},
        lang=memory.source_lang,
        given=renames,
    )
    options: SyncOptions = {
        "run": run,
        "min_confidence": min_confidence,
        "fuzzy_threshold": fuzzy_threshold,
        "suggestions": suggestions,
    }
    outcomes: list[ChapterOutcome] = []
    for relative, new_doc in new_chapters.items():
        if isinstance(new_doc, AmtsError):
            human = _human(translated.get(relative))
            outcomes.append(ChapterOutcome(relative, None, human, problem=str(new_doc)))
            if on_chapter is not None:
                on_chapter(outcomes[-1])
            continue
        rename = found.get(relative)
        old_path = rename.old if rename is not None else relative
        outcomes.append(
            _sync_chapter(
                relative,
                old_path,
                new_doc,
                old_chapters.get(old_path),
                translated.get(old_path),
                memory,
                translator,
                options={**options, "file": relative, "previous_file": old_path if old_path != relative else None},
                rename=rename,
            )
        )
        if on_chapter is not None:
            on_chapter(outcomes[-1])
    return outcomes


def _parse(path: Path) -> Document | AmtsError:
    try:
        return parse_file(path)
    except AmtsError as exc:
        return exc


def _human(path: Path | None) -> str | None:
    return read_text(path) if path is not None else None


def _sync_chapter(
    relative: str,
    old_path: str,
    new_doc: Document,
    old_doc: Document | AmtsError | None,
    target_file: Path | None,
    memory: TranslationMemory,
    translator: Translator,
    *,
    options: SyncOptions,
    rename: Rename | None,
) -> ChapterOutcome:
    """Sync one chapter against its translation (at its path, or at its old path when it moved), or translate it
    whole when it has none or the sync is refused; ``chapter_outcome`` decides what is published. ``options`` name
    the chapter (``file``, ``previous_file``) and the run's choices."""
    human = read_text(target_file) if target_file is not None else None
    result: SyncResult | None = None
    refusal = note = None
    if target_file is not None and human is not None:
        try:
            if isinstance(old_doc, AmtsError):
                raise old_doc
            result = sync_documents(
                # A translation with no old source was made from the current one (the book gives them side by side).
                old_doc if old_doc is not None else new_doc,
                parse(human, path=str(target_file)),
                new_doc,
                memory,
                translator,
                record=False,
                **options,
            )
        except AmtsError as exc:
            if rename is None:
                refusal = str(exc)
            else:  # the detected rename was wrong: the chapter is new
                note, rename = f"rename from {old_path} not used: {exc}", None
    if result is None:  # a new chapter, or one whose translation could not be used: translated whole
        nothing = empty_document(relative)
        whole: SyncOptions = {**options, "previous_file": None}
        result = sync_documents(nothing, nothing, new_doc, memory, translator, record=False, **whole)
    decision = chapter_outcome(
        translation_at_path=human is not None and old_path == relative,
        refusal=refusal,
        skeleton_differences=result.report.skeleton_differences,
    )
    if not decision.publish:
        return ChapterOutcome(relative, result.report, human, proposal=result.markdown, problem=decision.problem)
    record_sync(result, memory)
    problem = "; ".join(text for text in (note, decision.problem) if text) or None
    return ChapterOutcome(relative, result.report, result.markdown, problem=problem, rename=rename)
