"""The rows of the translator's review page: every block of a published chapter, in book order, with its class.

A row is a top-level block of the published file that has text to translate or a review marker before it: its
published text, the new English beside it, the old English and the word diff when that English changed, the class
of work it asks for (from its ``amts:review`` marker; ``kept`` or ``markup-updated`` without one), the marker's own
text, and the file and line. Everything is read from the files, so the page also serves after manual edits: a
translator who deletes a marker turns its row into ``kept``, and the page's count of rows to review is the count of
markers left in the files.

The English is found without the sync's plan: the published chapter has its source's skeleton, so its blocks are
matched to the source's by kind and order (``difflib`` over the block kinds, a block only the translation has, like
a paddle tab, matches nothing); a marker's ``segments=`` ids name the source segments directly and win.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from amts.book import Document, Segment, parse, segments
from amts.book.model import Block, BlockKind
from amts.book.parser import PROPOSAL_SUFFIX, markdown_files
from amts.errors import InputError
from amts.evaluate.models import REVIEW_CLASSES, ReviewClass, ReviewSegment
from amts.fsio import list_files, read_text
from amts.sync.accounting import MARKED_CLASSES, segment_chars
from amts.sync.changes import detect_changes
from amts.sync.fuzzy import word_diff
from amts.sync.memory import loose_key
from amts.sync.models import EFFORT_WEIGHTS, ReviewItem, ReviewReason
from amts.sync.review import MARKER_PREFIX, scan_markers

# The class each marker reason asks for ("machine-translation" is "new" or "machine-translated", see _classes).
_REASON_CLASS: dict[ReviewReason, ReviewClass] = {
    "skeleton-mismatch": "structure",
    "fuzzy-kept": "fuzzy-kept",
    "human-edit-source-changed": "human-edit",
    "code-changed": "code-changed",
    "code-new": "code-changed",
    "code-comments-changed": "code-changed",
    "translator-only-stale": "translator-only",
    "references-placed": "references",
    "untranslated": "untranslated",
}
# A marker's counted figures (fuzzy=, mt=, flagged=) and the sentence class whose weight they take.
_COUNTED_WEIGHT = {name: EFFORT_WEIGHTS[kind] for kind, name in MARKED_CLASSES.items()}
_COUNTED_WEIGHT["untranslated"] = 1.0  # English left as it is: a translation from scratch
CHECK_WEIGHT = EFFORT_WEIGHTS["fuzzy_kept"]  # characters a marker asks to check but counts in no class (code, refs)
REFUSED_WEIGHT = EFFORT_WEIGHTS["mt"]  # a refused chapter: merge the offered machine translation by hand

_SKIPPED = (BlockKind.BLANK, BlockKind.COMMENT)


@dataclass(frozen=True)
class ChapterFiles:
    """One chapter of one target language: the published text and, when known, its new and old English."""

    chapter: str  # path in the book, e.g. chapter_x/a.md
    file: str  # the published file as the page links it (relative to the page)
    translation: str
    source: str | None = None
    old_source: str | None = None
    proposal: str | None = None  # a refused chapter: the file name of the machine translation offered beside it
    new_chapter: bool = False  # the previous English had no such chapter: all its machine translation is new


def _signature(block: Block) -> str:
    return f"{block.kind.value}:{','.join(block.tab or ())}"


def _top_blocks(doc: Document) -> list[int]:
    return [index for index, block in enumerate(doc.blocks) if block.kind not in _SKIPPED]


def _block_map(published: Document, source: Document) -> dict[int, int]:
    """Published top-level block index -> source top-level block index, matched by kind and order."""
    ours, theirs = _top_blocks(published), _top_blocks(source)
    matcher = difflib.SequenceMatcher(
        None,
        [_signature(published.blocks[i]) for i in ours],
        [_signature(source.blocks[j]) for j in theirs],
        autojunk=False,
    )
    mapping: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            mapping.update({ours[i]: theirs[j] for i, j in zip(range(i1, i2), range(j1, j2), strict=True)})
    return mapping


def _merged(first: ReviewItem, second: ReviewItem) -> ReviewItem:
    """Two markers before one block as one item: the block is reviewed once, for both markers' work."""
    counts = {k: [a + b for a, b in zip(first.counts.get(k, [0, 0]), second.counts.get(k, [0, 0]), strict=True)]
              for k in {*first.counts, *second.counts}}  # fmt: skip
    return first.model_copy(
        update={
            "segment_ids": list(dict.fromkeys([*first.segment_ids, *second.segment_ids])),
            "reasons": list(dict.fromkeys([*first.reasons, *second.reasons])),
            "chars": first.chars + second.chars,
            "changes": "; ".join(c for c in (first.changes, second.changes) if c),
            "suggestion": " / ".join(s for s in (first.suggestion, second.suggestion) if s),
            "counts": counts,
        }
    )


def _markers_by_block(doc: Document, items: Sequence[ReviewItem]) -> dict[int, ReviewItem]:
    """Each marker's item by the top-level block it stands before (markers in a row before one block merged)."""
    by_line = {item.line: item for item in items}
    found: dict[int, ReviewItem] = {}
    pending: ReviewItem | None = None
    for index, block in enumerate(doc.blocks):
        if block.kind is BlockKind.BLANK:
            continue
        text = doc.text[block.start : block.end]
        if block.kind is BlockKind.COMMENT and text.startswith(MARKER_PREFIX):
            item = by_line.get(doc.text.count("\n", 0, block.start) + 1)
            if pending is not None and item is not None:
                item = _merged(pending, item)
            pending = item or pending
            continue
        if pending is not None:
            found[index] = pending
            pending = None
    return found


def marker_effort(item: ReviewItem) -> float:
    """The weighted source characters of one marker's work (its counted classes by weight, the rest as a check)."""
    counted = sum(item.counts.get(name, [0, 0])[1] for name in _COUNTED_WEIGHT)
    weighted = sum(weight * item.counts.get(name, [0, 0])[1] for name, weight in _COUNTED_WEIGHT.items())
    return round(weighted + CHECK_WEIGHT * max(item.chars - counted, 0), 1)


def _classes(item: ReviewItem, *, new_english: bool) -> list[ReviewClass]:
    found: set[ReviewClass] = {_REASON_CLASS[r] for r in item.reasons if r in _REASON_CLASS}
    if "machine-translation" in item.reasons:
        found.add("new" if new_english else "machine-translated")
    return [name for name in REVIEW_CLASSES if name in found] or ["machine-translated"]


def _text(doc: Document, index: int, by_block: dict[int, list[Segment]]) -> str:
    found = by_block.get(index)
    if found:
        return "\n".join(segment.text for segment in found)
    block = doc.blocks[index]
    return doc.text[block.start : block.end].rstrip()


def _by_block(found: Sequence[Segment]) -> dict[int, list[Segment]]:
    """Segments by the top-level block they belong to."""
    grouped: dict[int, list[Segment]] = {}
    for segment in found:
        grouped.setdefault(segment.block_path[0], []).append(segment)
    return grouped


def _refused_row(chapter: ChapterFiles, source: Document | None, pair: str) -> ReviewSegment:
    chars = sum(segment_chars(s) for s in segments(source)) if source is not None else 0
    return ReviewSegment(
        pair=pair,
        chapter=chapter.chapter,
        file=chapter.file,
        line=1,
        kind="chapter",
        classes=["refused"],
        marker=f"not synced: the human file was kept; a machine translation is offered in {chapter.proposal}",
        chars=chars,
        effort=round(REFUSED_WEIGHT * chars, 1),
    )


def _english_changes(old: Document, source: Document) -> tuple[dict[str, Segment], set[str]]:
    """New segment id -> the old segment for segments whose English changed, and the ids of English that is new."""
    old_segments = {s.id: s for s in segments(old)}
    src_by_block = _by_block(segments(source))
    units = [i for i, block in enumerate(source.blocks) if block.kind is not BlockKind.BLANK]  # detect_changes' units
    old_of: dict[str, Segment] = {}
    inserted: set[str] = set()
    for block in detect_changes(old, source).blocks:
        if block.op == "inserted" and block.new is not None:
            inserted.update(s.id for s in src_by_block.get(units[block.new], []))
        for change in block.segments:
            if change.new_id is None:
                continue
            if change.op == "inserted":
                inserted.add(change.new_id)
            elif change.op == "edited" and change.old_id in old_segments:
                old_of[change.new_id] = old_segments[change.old_id]
    return old_of, inserted


def chapter_rows(chapter: ChapterFiles, *, pair: str = "") -> list[ReviewSegment]:
    """The review rows of one published chapter (one row for a refused chapter)."""
    published = parse(chapter.translation, path=chapter.file)
    source = parse(chapter.source, path=chapter.chapter) if chapter.source is not None else None
    old = parse(chapter.old_source, path=chapter.chapter) if chapter.old_source is not None else None
    if chapter.proposal is not None:
        return [_refused_row(chapter, source, pair)]
    by_block = _by_block(segments(published))
    src_segments = {s.id: s for s in segments(source)} if source is not None else {}
    src_by_block = _by_block(list(src_segments.values()))
    mapping = _block_map(published, source) if source is not None else {}
    old_of, inserted = _english_changes(old, source) if source is not None and old is not None else ({}, set())
    markers = _markers_by_block(published, scan_markers(chapter.translation, file=chapter.file))
    rows: list[ReviewSegment] = []
    blocks = _top_blocks(published)
    covered: set[int] = set()
    for position, index in enumerate(blocks):
        item = markers.get(index)
        if index in covered or (item is None and index not in by_block):
            continue  # code, math, figures without a marker: nothing to translate or review
        group = [index]
        if item is not None:  # a marker before a code cell may also name the segments of the blocks it holds
            named = set(item.segment_ids)
            for later in blocks[position + 1 :]:
                mapped = {s.id for s in src_by_block.get(mapping.get(later, -1), [])}
                if later in markers or not mapped or not mapped <= named:
                    break
                group.append(later)
            covered.update(group)
        source_ids = [i for i in (item.segment_ids if item else []) if i in src_segments]
        if not source_ids and index in mapping:
            source_ids = [s.id for s in src_by_block.get(mapping[index], [])]
        english = "\n".join(src_segments[i].text for i in source_ids)
        if not english and index in mapping and source is not None:
            source_block = source.blocks[mapping[index]]
            english = source.text[source_block.start : source_block.end].rstrip()
        changed = [i for i in source_ids if i in old_of]
        olds = [old_of[i].text for i in changed]
        new_english = chapter.new_chapter or (old is not None and bool(source_ids) and set(source_ids) <= inserted)
        if item is not None:
            classes = _classes(item, new_english=new_english)
            chars, effort = item.chars, marker_effort(item)
        else:
            # The translators' text. Only a marker asks for work, so a block reviewed (its marker deleted) or never
            # synced stays "kept", its English change shown; "markup-updated" when only protected spans changed.
            markup_only = bool(changed) and all(_prose(old_of[i]) == _prose(src_segments[i]) for i in changed)
            classes = ["markup-updated" if markup_only else "kept"]
            chars = sum(segment_chars(s) for b in group for s in by_block.get(b, [])) if markup_only else 0
            effort = 0.0
        rows.append(
            ReviewSegment(
                pair=pair,
                chapter=chapter.chapter,
                file=chapter.file,
                line=published.text.count("\n", 0, published.blocks[index].start) + 1,
                segment_id=",".join(source_ids),
                kind=by_block[index][0].kind if index in by_block else published.blocks[index].kind.value,
                classes=classes,
                reasons=list(item.reasons) if item else [],
                marker=_marker_text(chapter.translation, item),
                marker_line=item.line if item else 0,
                source=english,
                translation="\n".join(_text(published, block, by_block) for block in group),
                old_source="\n".join(olds) if olds else None,
                change=(item.changes if item and item.changes else "")
                or "; ".join(word_diff(o, english) for o in olds),
                chars=chars,
                effort=effort,
                counts=dict(item.counts) if item else {},
                blocks=len(group),
            )
        )
    return rows


def _prose(segment: Segment) -> str:
    """A segment's words without its markup: protected spans (inline code, math, references) as one mark each."""
    text, position, pieces = segment.text, 0, []
    for span in segment.protected:
        pieces += [text[position : span.start], "\x00"]
        position = span.end
    return loose_key("".join([*pieces, text[position:]]))


def _marker_text(markdown: str, item: ReviewItem | None) -> str:
    if item is None:
        return ""
    line = markdown.splitlines()[item.line - 1]
    return line.strip().removeprefix("<!--").removesuffix("-->").strip()


def _first_file(trees: Path | Sequence[Path] | None, chapter: str) -> Path | None:
    """The chapter in the first tree that has it (a tree of edited chapters before the whole book's)."""
    for tree in [trees] if isinstance(trees, Path) else trees or []:
        if (tree / chapter).is_file():
            return tree / chapter
    return None


def folder_rows(
    translations: Path,
    *,
    source: Path | Sequence[Path] | None = None,
    old_source: Path | None = None,
    pair: str = "",
    link_prefix: str = "",
) -> list[ReviewSegment]:
    """The rows of every chapter under ``translations`` (its ``*.md``, in book order), refused chapters included.

    ``source`` and ``old_source`` are the new and the previous English trees (same relative paths; several new trees
    are searched in order); ``link_prefix`` is put before each chapter's path in ``file`` (the page's folder to the
    translations' folder).
    """
    rows: list[ReviewSegment] = []
    proposals = {
        path.relative_to(translations).as_posix().removesuffix(PROPOSAL_SUFFIX) + ".md": path.name
        for path in list_files(translations, (PROPOSAL_SUFFIX,))
    }
    for chapter, path in markdown_files(translations).items():
        text = read_text(path)
        if not text.strip():
            continue
        new_path = _first_file(source, chapter)
        old_path = old_source / chapter if old_source is not None else None
        files = ChapterFiles(
            chapter=chapter,
            file=f"{link_prefix}{chapter}",
            translation=text,
            source=read_text(new_path) if new_path is not None and new_path.is_file() else None,
            old_source=read_text(old_path) if old_path is not None and old_path.is_file() else None,
            proposal=proposals.get(chapter),
            new_chapter=old_path is not None and not old_path.is_file(),
        )
        try:
            rows += chapter_rows(files, pair=pair)
        except InputError:
            if files.source is None and files.old_source is None:
                raise
            # English that no longer parses must not hide the markers: the chapter alone, as a translator sees it
            bare = ChapterFiles(chapter, files.file, text, proposal=files.proposal, new_chapter=files.new_chapter)
            rows += chapter_rows(bare, pair=pair)
    return rows


def page_rows(
    paths: Sequence[Path], *, page: Path, source: Path | None = None, old_source: Path | None = None, pair: str = ""
) -> list[ReviewSegment]:
    """The rows of every folder (a book in one language) or file under ``paths``, with links relative to ``page``."""
    rows: list[ReviewSegment] = []
    for path in paths:
        prefix = Path(os.path.relpath(path.resolve(), page.resolve().parent)).as_posix()
        if path.is_dir():
            rows += folder_rows(path, source=source, old_source=old_source, pair=pair, link_prefix=f"{prefix}/")
            continue
        new_path = source / path.name if source is not None and source.is_dir() else source
        old_path = old_source / path.name if old_source is not None and old_source.is_dir() else old_source
        files = ChapterFiles(
            chapter=path.name,
            file=prefix,
            translation=read_text(path),
            source=read_text(new_path) if new_path is not None and new_path.is_file() else None,
            old_source=read_text(old_path) if old_path is not None and old_path.is_file() else None,
        )
        rows += chapter_rows(files, pair=pair)
    return rows
