"""Incremental translation: bring a translation up to date with a new source, sending only what changed to MT.

The output is built on the *new source's skeleton* (``amts.sync.planner``) and filled with the translators'
work wherever it still applies (``amts.sync.reuse``): unchanged blocks keep their translation byte for byte,
edited blocks keep the sentences whose source did not change, moved blocks and sentences move with their
translation, code cells keep their translated comments while their code is unchanged, and text a person edited
after MT is never overwritten. Only what is left goes to machine translation.

``plan_sync`` decides all that and lists the MT units; ``apply_sync`` (``amts.sync.apply``) fills in their
translations and checks the skeleton. Both halves are pure and their inputs/outputs serialise to JSON, so the
pipeline can run them in two Lambdas.
"""

from __future__ import annotations

import uuid
from typing import Protocol, TypedDict, Unpack

from amts.book import Document, parse
from amts.errors import InputError
from amts.sync.accounting import protected_length, segment_chars
from amts.sync.apply import SyncResult, apply_sync, fit_text, record_sync
from amts.sync.fuzzy import FUZZY_THRESHOLD
from amts.sync.gaps import SegmentLinks
from amts.sync.linking import MIN_CONFIDENCE, Aligner, default_aligner
from amts.sync.memory import TranslationMemory
from amts.sync.models import SyncPlan
from amts.sync.planner import Planner

__all__ = [
    "MIN_CONFIDENCE",
    "Aligner",
    "SegmentLinks",
    "SyncOptions",
    "SyncResult",
    "Translator",
    "apply_sync",
    "default_aligner",
    "empty_document",
    "fit_text",
    "plan_sync",
    "protected_length",
    "record_sync",
    "segment_chars",
    "sync_documents",
]


class Translator(Protocol):
    """A machine translation engine: ``translate(texts, source_lang, target_lang) -> texts``, with a name."""

    @property
    def name(self) -> str: ...

    def __call__(self, texts: list[str], source_lang: str, target_lang: str) -> list[str]: ...


class SyncOptions(TypedDict, total=False):
    """The choices ``plan_sync`` takes (see its defaults there), as the forms built on it pass them on unchanged."""

    file: str | None
    previous_file: str | None
    run: str | None
    min_confidence: float
    aligner: Aligner | None
    fuzzy_threshold: float | None
    suggestions: bool


def _as_document(value: Document | str, path: str) -> Document:
    return value if isinstance(value, Document) else parse(value, path=path)


def empty_document(path: str) -> Document:
    """No old source and no translation yet: syncing against it translates the new source whole."""
    return Document(path=path, text="", blocks=())


def plan_sync(
    old_source: Document | str,
    old_target: Document | str,
    new_source: Document | str,
    memory: TranslationMemory,
    *,
    file: str | None = None,
    previous_file: str | None = None,
    run: str | None = None,
    min_confidence: float = MIN_CONFIDENCE,
    aligner: Aligner | None = None,
    fuzzy_threshold: float | None = FUZZY_THRESHOLD,
    suggestions: bool = False,
) -> SyncPlan:
    """Phase one: decide what to keep, move, delete and reuse, and list the text that needs MT.

    ``file`` is the chapter's identity in the book (its path from the book root): the memory recognises machine
    output this chapter published by it. ``previous_file`` is its old path when it was renamed or moved.
    ``fuzzy_threshold`` (None: off) keeps the human translation of an old sentence at least that similar to a
    changed one, marked with the English change; ``suggestions`` also sends such sentences to MT for the marker.
    ``memory`` is read, not changed; the decisions that update it travel in the plan (``memory_updates``).
    Raises ``AlignmentError`` when the old target does not look like a translation of the old source (too few
    shared labels and figures, or the document aligner's confidence below ``min_confidence``; the aligner is asked
    unless the memory's own exact matches link the chapter), and ``InputError`` when a text is not in the language
    it should be in (the aligner's check).
    """
    old_doc = _as_document(old_source, "<old source>")
    tgt_doc = _as_document(old_target, "<old target>")
    new_doc = _as_document(new_source, "<new source>")
    chapter = file or new_doc.path
    planner = Planner(
        old_doc,
        tgt_doc,
        new_doc,
        memory,
        file=chapter,
        run=run or uuid.uuid4().hex[:12],
        min_confidence=min_confidence,
        aligner=aligner or default_aligner,
        known_files=frozenset(name for name in (chapter, previous_file) if name),
        fuzzy_threshold=fuzzy_threshold,
        suggestions=suggestions,
    )
    plan = planner.plan()
    plan.report.previous_file = previous_file
    return plan


def sync_documents(
    old_source: Document | str,
    old_target: Document | str,
    new_source: Document | str,
    memory: TranslationMemory,
    translator: Translator,
    *,
    record: bool = True,
    **options: Unpack[SyncOptions],
) -> SyncResult:
    """Plan (``options`` as ``plan_sync`` takes them), translate the MT units with ``translator`` in one batch, and
    apply: the one-shot form for the CLI. With ``record=False`` the memory is left as it was (``record_sync``
    records the result once published)."""
    plan = plan_sync(old_source, old_target, new_source, memory, **options)
    plan.report.engine = translator.name if plan.units else None
    translations: dict[str, str] = {}
    if plan.units:
        outputs = translator([unit.text for unit in plan.units], plan.source_lang, plan.target_lang)
        if len(outputs) != len(plan.units):
            raise InputError(
                f"translator {translator.name!r} returned {len(outputs)} texts for {len(plan.units)}", path=plan.file
            )
        translations = {unit.id: text for unit, text in zip(plan.units, outputs, strict=True)}
    return apply_sync(plan, translations, memory, record=record)
