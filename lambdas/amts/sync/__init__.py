"""Synchronization: a translation memory, change detection, and incremental translation that keeps human work.

Public API (see docs/module-map.md, section ``amts.sync``)::

    memory = TranslationMemory.load(LocalMemoryStore(".amts/memory.en-zh.json"), source_lang="en", target_lang="zh")
    changes = detect_changes(old_src_doc, new_src_doc)
    plan = plan_sync(old_src_doc, old_tgt_doc, new_src_doc, memory)       # what needs MT (JSON-serialisable)
    result = apply_sync(plan, {unit.id: translation for ...}, memory)    # markdown + report + memory
    result = sync_documents(old_src, old_tgt, new_src, memory, translator)  # both at once (CLI)
    decision = chapter_outcome(translation_at_path=True, skeleton_differences=result.report.skeleton_differences)
"""

from amts.sync.changes import detect_changes
from amts.sync.engine import (
    MIN_CONFIDENCE,
    SyncResult,
    Translator,
    apply_sync,
    empty_document,
    plan_sync,
    sync_documents,
)
from amts.sync.memory import (
    LocalMemoryStore,
    MemoryEntry,
    MemoryStore,
    Origin,
    TranslationMemory,
    memory_path,
    normalise,
    text_hash,
)
from amts.sync.models import ChangeSet, MtUnit, ReviewItem, SyncPlan, SyncReport
from amts.sync.outcome import ChapterAction, ChapterDecision, chapter_outcome
from amts.sync.review import scan_markers

__all__ = [
    "MIN_CONFIDENCE",
    "ChangeSet",
    "ChapterAction",
    "ChapterDecision",
    "LocalMemoryStore",
    "MemoryEntry",
    "MemoryStore",
    "MtUnit",
    "Origin",
    "ReviewItem",
    "SyncPlan",
    "SyncReport",
    "SyncResult",
    "TranslationMemory",
    "Translator",
    "apply_sync",
    "chapter_outcome",
    "detect_changes",
    "empty_document",
    "memory_path",
    "normalise",
    "plan_sync",
    "scan_markers",
    "sync_documents",
    "text_hash",
]
