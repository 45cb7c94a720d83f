"""Phase two of a sync: put the MT units' translations in place, check the skeleton, update the memory.

``apply_sync`` is pure: the plan (JSON between the pipeline's Stage and Assemble steps) and the translations in,
the markdown, its report and the updated memory out. The output is parsed again and its skeleton compared with
the new source's (``amts check-skeleton``); a chapter that still differs is marked at its top and reported, so it
is never published silently. An MT unit that came back as its English is marked ``untranslated``
(``amts.sync.untranslated``) and counted in the report, never published under a machine-translation marker.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from amts.book import Document, parse, render
from amts.book.skeleton import check_skeleton
from amts.errors import InputError
from amts.sync.memory import Origin, TranslationMemory, normalise
from amts.sync.models import SyncPlan, SyncReport
from amts.sync.review import ReviewNote, format_marker, marker_safe, scan_markers
from amts.sync.untranslated import UnitPlace, mark_untranslated

SINGLE_LINE_KINDS = frozenset({"heading", "caption", "table-cell", "table-caption", "quote"})
_STRUCTURAL_START = re.compile(r"(?:#|```|\$\$|:begin_tab:|:end_tab:|\||>|!\[|[-*+] |\d+\. )")


@dataclass
class SyncResult:
    markdown: str
    report: SyncReport
    memory: TranslationMemory
    plan: SyncPlan
    translations: dict[str, str]  # each MT unit's translation, fitted to its place

    @property
    def publishable(self) -> bool:
        """Whether the output has its source's skeleton (else it is offered as a proposal, not published)."""
        return not self.report.skeleton_differences


def fit_text(text: str, *, single_line: bool, indent: str, newline: str = "\n") -> str:
    """Fit a translation into its place: one line where the block needs it, no blank line, list indentation."""
    if single_line:
        return " ".join(text.split())
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    if not lines:
        return ""
    fitted = [lines[0]]
    for line in lines[1:]:
        if _STRUCTURAL_START.match(line):
            fitted[-1] += " " + line  # a line that would start a new block stays inside this one
        else:
            fitted.append(line)
    return (newline + indent).join(fitted)


def apply_sync(
    plan: SyncPlan, translations: Mapping[str, str], memory: TranslationMemory, *, record: bool = True
) -> SyncResult:
    """Put the translations of the plan's MT units in place, check the skeleton, report; with ``record``, update
    ``memory`` in place (else ``record_sync`` does it once the output is published).

    ``translations`` is keyed by MT unit id (or, for whole-segment units, by the new source's segment id).
    """
    resolved: dict[str, str] = {}
    missing: list[str] = []
    for unit in plan.units:
        text = translations.get(unit.id)
        if text is None and unit.whole_segment:
            text = translations.get(unit.segment_id)
        if text is None or not text.strip():
            missing.append(unit.id)
            continue
        if unit.suggestion:  # it sits inside a review marker
            resolved[unit.id] = marker_safe(text)
            continue
        resolved[unit.id] = fit_text(text, single_line=unit.single_line, indent=unit.indent, newline=unit.newline)
    if missing:
        raise InputError(f"no translation for MT units {', '.join(missing[:8])}", path=plan.file)
    texts = [resolved[piece.unit] if piece.unit is not None else piece.text for piece in plan.pieces]
    markdown = "".join(texts)
    document = _parsed(markdown, plan.file)
    report = plan.report.model_copy(deep=True)
    markdown, report.untranslated_units, report.untranslated_chars = mark_untranslated(
        markdown, document, _unit_places(plan, texts)
    )
    if report.untranslated_units:
        document = _parsed(markdown, plan.file)
    check = check_skeleton(document, parse(plan.new_source, path=plan.file))
    report.skeleton_differences = [str(difference) for difference in check.differences]
    if check.differences:
        markdown = _mark_top(markdown, document.body_start, document.newline, len(check.differences))
    report.review = scan_markers(markdown, file=plan.file)
    result = SyncResult(markdown=markdown, report=report, memory=memory, plan=plan, translations=resolved)
    if record:
        record_sync(result, memory)
    return result


def _parsed(markdown: str, file: str) -> Document:
    try:
        document = parse(markdown, path=file)
    except InputError as exc:
        raise InputError(f"the synchronized markdown does not parse: {exc.message}", path=file) from None
    if render(document) != markdown:
        raise InputError("the synchronized markdown does not pass the book-model round trip", path=file)
    return document


def _unit_places(plan: SyncPlan, texts: list[str]) -> list[UnitPlace]:
    """Where each MT unit's published text starts (suggestions inside markers are not published text)."""
    units = {unit.id: unit for unit in plan.units if not unit.suggestion}
    places: list[UnitPlace] = []
    offset = 0
    for piece, text in zip(plan.pieces, texts, strict=True):
        unit = units.get(piece.unit) if piece.unit is not None else None
        if unit is not None:
            places.append(UnitPlace(offset, unit.text, text, unit.segment_id))
        offset += len(text)
    return places


def _mark_top(markdown: str, body_start: int, newline: str, differences: int) -> str:
    """A review marker at the top of a chapter whose structure still differs from its source."""
    marker = format_marker([ReviewNote("skeleton-mismatch", "", differences)])
    return markdown[:body_start] + marker + newline + newline + markdown[body_start:]


def record_sync(result: SyncResult, memory: TranslationMemory) -> None:
    """Record a published sync in the memory: the pairs it reused, the human edits it found, its machine output."""
    plan, resolved = result.plan, result.translations
    texts = [resolved[piece.unit] if piece.unit is not None else piece.text for piece in plan.pieces]
    remember = partial(memory.remember, file=plan.file, run=plan.run)  # every record names this chapter and run
    for update in plan.memory_updates:
        if update.seed and memory.lookup(update.source) is not None:
            continue  # a pair from the existing translation only seeds a source the memory does not know yet
        remember(
            update.source,
            update.target,
            origin=update.origin,
            level=update.level,
            segment_id=update.segment_id,
        )
    engine = plan.report.engine
    for unit in plan.units:
        if unit.suggestion or normalise(resolved[unit.id]) == normalise(unit.text):
            continue  # the engine gave the source back (an untranslated unit): not a translation to remember
        remember(
            unit.text,
            resolved[unit.id],
            origin=Origin.MACHINE,
            level="segment" if unit.whole_segment else "sentence",
            segment_id=unit.segment_id,
            engine=engine,
        )
    by_segment: dict[str, list[str]] = defaultdict(list)
    for piece, text in zip(plan.pieces, texts, strict=True):
        if piece.segment is not None:
            by_segment[piece.segment].append(text)
    for pending in plan.pending:
        remember(
            pending.source,
            "".join(by_segment[pending.segment_id]),
            origin=pending.origin,
            level="segment",
            segment_id=pending.segment_id,
            engine=engine if pending.origin is Origin.MACHINE else None,
            machine_chars=pending.machine_chars if pending.origin is Origin.MACHINE else None,
            note=pending.note,
            classes=pending.classes or None,
        )
