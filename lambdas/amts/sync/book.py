"""The directory form: synchronize every markdown file of a book, with one memory and one book report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from amts.book import markdown_files, parse_file
from amts.errors import AmtsError, InputError
from amts.fsio import write_atomic
from amts.sync.engine import MIN_CONFIDENCE, Translator, empty_document, sync_documents
from amts.sync.memory import TranslationMemory
from amts.sync.models import BookReport, SyncReport


@dataclass(frozen=True)
class FileOutcome:
    relative: str
    report: SyncReport | None
    error: str | None = None


def book_report(reports: Sequence[SyncReport]) -> BookReport:
    """Totals over files; the baseline re-translates every file whose source changed at all."""
    total = sum(r.source_chars_total for r in reports)
    mt = sum(r.mt_chars for r in reports)
    flagged = sum(r.flagged_chars for r in reports)
    baseline = sum(r.source_chars_total for r in reports if r.source_changed)
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
    )


def sync_directory(
    old_source_dir: Path,
    old_target_dir: Path,
    new_source_dir: Path,
    out_dir: Path,
    memory: TranslationMemory,
    translator: Translator,
    *,
    run: str,
    min_confidence: float = MIN_CONFIDENCE,
) -> list[FileOutcome]:
    """Every ``*.md`` under the new source. A file with no translation yet (no old source or no old target) is
    translated whole, through the memory first; a file whose alignment fails is reported and skipped, the
    others are still written.
    """
    for folder in (old_source_dir, old_target_dir, new_source_dir):
        if not folder.is_dir():
            raise InputError("not a directory", path=str(folder))
    outcomes: list[FileOutcome] = []
    for relative, new_path in markdown_files(new_source_dir).items():
        old_path, tgt_path = old_source_dir / relative, old_target_dir / relative
        translated = old_path.is_file() and tgt_path.is_file()
        try:
            old_doc = parse_file(old_path) if translated else empty_document(str(old_path))
            tgt_doc = parse_file(tgt_path) if translated else empty_document(str(tgt_path))
            result = sync_documents(
                old_doc,
                tgt_doc,
                parse_file(new_path),
                memory,
                translator,
                file=relative,
                run=run,
                min_confidence=min_confidence,
            )
        except AmtsError as exc:
            outcomes.append(FileOutcome(relative, None, str(exc)))
            continue
        write_atomic(out_dir / relative, result.markdown)
        outcomes.append(FileOutcome(relative, result.report))
    return outcomes
