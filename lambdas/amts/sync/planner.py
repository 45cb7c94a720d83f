"""Phase one of a sync: the output as pieces, built on the new source's skeleton, and the text that needs MT.

The output follows the *new source*, block by block: every code cell, equation, label, figure, table and
reference appears exactly as often as there, in its order. The translators' work fills it in:

- a block whose source did not change, and whose translation has the same skeleton, is copied from the
  translation byte for byte (its wording, line layout and a pending review marker included);
- any other block is built from the new source's markup with each segment's text taken from the translation
  where it still applies (``amts.sync.reuse``), and code cells whose code is unchanged keep their translated
  comments;
- blocks only the translation has (a ``paddle`` tab, a translator's note) stay after the block they followed,
  flagged when the source beside them changed; a translation block whose structure the new source no longer has
  (stale code, an old figure) is left out and listed in the report.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from amts.book import BlockKind, Document, Segment, parse, walk_blocks
from amts.book.skeleton import COMMON_TABS, block_elements, cell_tabs, frameworks, shared_view, skeleton
from amts.sync.accounting import Chunk, Ledger
from amts.sync.assembly import assemble
from amts.sync.changes import Unit, document_units, match_segments, match_units
from amts.sync.code import has_translatable_text, retag, same_body, split_tab_marker
from amts.sync.linking import SAME_TEXT_OPS, Aligner, Linking, link_translation
from amts.sync.memory import Origin, TranslationMemory, normalise
from amts.sync.models import BLOCK_OPS, DroppedBlock, Piece, SyncPlan, SyncReport
from amts.sync.pairs import ChapterPairs
from amts.sync.reuse import SegmentResolver
from amts.sync.review import ReviewNote, pending_notes

_EXCERPT = 80
# One space or tab at a line's end in the English between its segments: noise there (two are a hard line break,
# kept), that must not end the translation's lines.
_STRAY_SPACE = re.compile(r"(?<![ \t])[ \t](?=\r?\n)")
_STRAY_SPACE_AT_END = re.compile(r"(?<![ \t])[ \t](?=\r?\n|\Z)")


def _without_stray_space(gap: str, *, block_end: bool = False) -> str:
    """``gap`` without a stray space at its line ends (and at its end when the block ends there: a gap before a
    segment keeps its last space, which separates a heading's ``#`` or a list marker from the text)."""
    return (_STRAY_SPACE_AT_END if block_end else _STRAY_SPACE).sub("", gap)


@dataclass
class _Placement:
    """Where the translation's own blocks go: after a new-source block, or before everything."""

    after: dict[int, list[tuple[int, bool]]] = field(default_factory=lambda: defaultdict(list))  # new -> (tgt, stale)
    prefix: list[tuple[int, bool]] = field(default_factory=list)
    marker_before: dict[int, int] = field(default_factory=dict)  # target block -> the review marker before it


class Planner:
    def __init__(
        self,
        old_doc: Document,
        tgt_doc: Document,
        new_doc: Document,
        memory: TranslationMemory,
        *,
        file: str,
        run: str,
        min_confidence: float,
        aligner: Aligner,
        known_files: frozenset[str],
        fuzzy_threshold: float | None,
        suggestions: bool,
    ) -> None:
        self.old_doc, self.tgt_doc, self.new_doc = old_doc, tgt_doc, new_doc
        self.fuzzy_threshold, self.suggestions = fuzzy_threshold, suggestions
        self.memory = memory
        self.file, self.run = file, run
        self.min_confidence = min_confidence
        self.aligner = aligner
        self.known_files = known_files
        self.old_units = document_units(old_doc)
        self.tgt_units = document_units(tgt_doc)
        self.new_units = document_units(new_doc)
        self.report = SyncReport(
            file=file,
            source_lang=memory.source_lang,
            target_lang=memory.target_lang,
            run=run,
            source_changed=old_doc.text != new_doc.text,
        )
        self.ledger = Ledger(self.report)
        self.new_frameworks = frameworks(skeleton(new_doc))
        # The output's line ending: the translation's (the new source's for a new chapter); every piece gets it.
        self.newline = (tgt_doc if tgt_doc.text else new_doc).newline
        self.linking: Linking | None = None
        self.new_of_old: dict[int, int] = {}
        self.old_ops: dict[int, str] = {}

    # -- top level -----------------------------------------------------------------------------------------
    def plan(self) -> SyncPlan:
        matches = match_units(self.old_units, self.new_units)
        self.report.blocks = {op: sum(1 for m in matches if m[0] == op) for op in BLOCK_OPS}
        new_match: dict[int, tuple[str, int | None]] = {}  # new block -> (operation, old block)
        for block_op, i, j in matches:
            op = str(block_op)
            if i is not None:
                self.old_ops[i] = op
                if j is not None:
                    self.new_of_old[i] = j
            if j is not None:
                new_match[j] = (op, i)
        if self.tgt_units:
            self.linking = link_translation(
                self.old_doc,
                self.tgt_doc,
                self.old_units,
                self.tgt_units,
                self.memory,
                aligner=self.aligner,
                min_confidence=self.min_confidence,
            )
            self.report.alignment_confidence = self.linking.confidence
        pairs = ChapterPairs(
            linking=self.linking,
            old_segments={s.id: s for u in self.old_units for s in u.segments},
            tgt_segments={s.id: s for u in self.tgt_units for s in u.segments},
            memory=self.memory,
            known_files=self.known_files,
            updates=[],
        )
        self.resolver = SegmentResolver(
            new_doc=self.new_doc,
            pairs=pairs,
            file=self.file,
            fuzzy_threshold=self.fuzzy_threshold,
            suggestions=self.suggestions,
            newline=self.newline,
        )
        self.report.fuzzy_threshold = self.fuzzy_threshold
        placement = self._place_translation_only()
        chunks = [c for k, stale in placement.prefix for c in self._translation_only(k, stale, placement)]
        done: set[int] = set()
        for j, new_unit in enumerate(self.new_units):
            op, i = new_match[j]
            chunks.extend(self._chunks_for(new_unit, op, i, done, placement))
            for k, stale in placement.after.get(j, []):
                chunks.extend(self._translation_only(k, stale, placement))
        self.ledger.close(len(self.resolver.units))
        self.report.human_edits_detected = self.resolver.human_edits
        self.report.old_source_mt = dict(self.resolver.pairs.old_source_mt)
        self.report.suggestion_chars = self.resolver.suggestion_chars
        base = self.tgt_doc if self.tgt_doc.text else self.new_doc  # the file the output is written like
        final = (self.tgt_doc.text or self.new_doc.text).endswith("\n")
        return SyncPlan(
            file=self.file,
            source_lang=self.memory.source_lang,
            target_lang=self.memory.target_lang,
            run=self.run,
            pieces=assemble(chunks, head=base.text[: base.body_start], newline=self.newline, final_newline=final),
            units=self.resolver.units,
            pending=self.ledger.pending,
            memory_updates=self.resolver.updates,
            new_source=self.new_doc.text,
            report=self.report,
        )

    # -- one block of the new source ---------------------------------------------------------------------------
    def _chunks_for(self, new: Unit, op: str, i: int | None, done: set[int], placement: _Placement) -> list[Chunk]:
        old = self.old_units[i] if i is not None else None
        linking = self.linking
        index = linking.cluster_of_src.get(i) if linking is not None and i is not None else None
        if linking is None or index is None:
            return self._compose(new, old, [])
        if index in done:
            return []
        cluster = linking.clusters[index]
        targets = [self.tgt_units[k] for k in cluster.tgt]
        if op in SAME_TEXT_OPS:
            group = self._verbatim_group(cluster.src, targets, new, placement)
            if group is not None:
                done.add(index)
                return group
        chunks = self._compose(new, old, targets)
        self._keep_pending_review(chunks[0], targets, placement, old, new)
        return chunks

    def _keep_pending_review(
        self, chunk: Chunk, targets: Sequence[Unit], placement: _Placement, old: Unit | None, new: Unit
    ) -> None:
        """A rebuilt block that asks for nothing new keeps the review its translation still waited for (the marker
        an earlier sync put before it: a reference to place, a fuzzy change to bring in), with the marker's own
        figures and its segments under their new ids."""
        if chunk.review:
            return
        markers = [placement.marker_before[t.index] for t in targets if t.index in placement.marker_before]
        if not markers:
            return
        renumbered: dict[str, str] = {}
        if old is not None:
            for _, a, b in match_segments(old.segments, new.segments):
                if a is not None and b is not None:
                    renumbered[old.segments[a].id] = new.segments[b].id
        for marker in markers:
            notes, counts = pending_notes(self.tgt_units[marker].text, renumbered)
            chunk.review.extend(notes)
            for name, (sentences, chars) in counts.items():
                figures = chunk.counts.setdefault(name, [0, 0])
                figures[0] += sentences
                figures[1] += chars

    def _verbatim_group(
        self, src: Sequence[int], targets: Sequence[Unit], new: Unit, placement: _Placement
    ) -> list[Chunk] | None:
        """The cluster's target blocks byte for byte, when its old blocks are unchanged and follow each other in
        the new source from ``new`` on, and the target blocks have their skeleton."""
        news = [self.new_of_old.get(s) for s in src]
        if any(self.old_ops[s] not in SAME_TEXT_OPS for s in src) or news != list(
            range(new.index, new.index + len(src))
        ):
            return None
        new_units = [self.new_units[j] for j in news if j is not None]
        wanted = [e.identity for unit in new_units for e in block_elements(self.new_doc, unit.block)]
        have, _ = shared_view(
            [e for unit in targets for e in block_elements(self.tgt_doc, unit.block)], self.new_frameworks
        )
        if [e.identity for e in have] != wanted:
            return None
        chunks: list[Chunk] = []
        for unit in targets:
            marker = placement.marker_before.get(unit.index)
            if marker is not None:
                chunks.append(self._verbatim(marker))
            chunks.append(self._verbatim(unit.index))
        self._count_verbatim(src, new_units)
        return chunks

    def _count_verbatim(self, src: Sequence[int], new_units: Sequence[Unit]) -> None:
        assert self.linking is not None
        for s, new_unit in zip(src, new_units, strict=True):
            old_unit = self.old_units[s]
            origins = []
            for old_segment, _ in zip(old_unit.segments, new_unit.segments, strict=False):
                target = self.linking.one_to_one.get(old_segment.id)
                origins.append(self.resolver.existing_origin(old_segment, target)[0] if target else Origin.HUMAN)
            origins += [Origin.HUMAN] * (len(new_unit.segments) - len(origins))
            self.ledger.kept_verbatim(new_unit.segments, origins, self.memory.source_lang)

    def _verbatim(self, k: int) -> Chunk:
        unit = self.tgt_units[k]
        return Chunk([Piece(text=unit.text)], self.tgt_doc.text[unit.block.end : unit.chunk_end])

    def _compose(self, new: Unit, old: Unit | None, targets: Sequence[Unit]) -> list[Chunk]:
        """A block on the new source's markup, its text from the translation where that still applies."""
        if new.is_code:
            return self._code(new, old, targets)
        has_code = any(b.kind is BlockKind.CODE for b in walk_blocks(new.block.children))
        if not new.segments and not has_code:
            return [self._textless(new, targets)]
        chunk = Chunk([], self.new_doc.text[new.block.end : new.chunk_end])
        replacements: list[tuple[int, int, list[Piece]]] = []
        previous: dict[int, Segment] = {}
        if old is not None:
            for _, a, b in match_segments(old.segments, new.segments):
                if a is not None and b is not None:
                    previous[b] = old.segments[a]
        target_ids = {t.index for t in targets}
        tgt_unit_of = {s.id: u.index for u in targets for s in u.segments}
        for position, segment in enumerate(new.segments):
            old_segment = previous.get(position)
            target = None
            if old_segment is not None and self.linking is not None:
                found = self.linking.one_to_one.get(old_segment.id)
                if found is not None and tgt_unit_of.get(found.id) in target_ids:
                    target = found
            result = self.resolver.resolve(segment, old_segment, target)
            self.ledger.account(chunk, segment, result)
            replacements.append((segment.start, segment.end, result.pieces))
        if has_code:
            replacements += self._nested_code(new, targets)
        position = new.block.start
        for start, end, pieces in sorted(replacements, key=lambda r: r[0]):
            chunk.pieces.append(Piece(text=_without_stray_space(self.new_doc.text[position:start])))
            chunk.pieces.extend(pieces)
            position = end
        chunk.pieces.append(
            Piece(text=_without_stray_space(self.new_doc.text[position : new.block.end], block_end=True))
        )
        return [chunk]

    def _nested_code(self, new: Unit, targets: Sequence[Unit]) -> list[tuple[int, int, list[Piece]]]:
        """Code cells inside a tab block: the translated cell where its code is the new one."""
        offered = [
            (unit, block)
            for unit in targets
            for block in walk_blocks(unit.block.children)
            if block.kind is BlockKind.CODE
        ]
        result: list[tuple[int, int, list[Piece]]] = []
        for block in walk_blocks(new.block.children):
            if block.kind is not BlockKind.CODE:
                continue
            wanted = [e.identity for e in block_elements(self.new_doc, block)]
            for index, (_, candidate) in enumerate(offered):
                have, _ = shared_view(block_elements(self.tgt_doc, candidate), self.new_frameworks)
                if [e.identity for e in have] == wanted:
                    text = self.tgt_doc.text[candidate.start : candidate.end]
                    result.append((block.start, block.end, [Piece(text=text)]))
                    del offered[index]
                    break
        return result

    def _same_skeleton(self, target: Unit, new: Unit) -> bool:
        have, _ = shared_view(block_elements(self.tgt_doc, target.block), self.new_frameworks)
        return [e.identity for e in have] == [e.identity for e in block_elements(self.new_doc, new.block)]

    def _code(self, new: Unit, old: Unit | None, targets: Sequence[Unit]) -> list[Chunk]:
        """A code cell: the translated cell while its code is the new code (under the new framework marker), else
        the new cell, flagged when the translation had translated its comments. A replaced translated cell that
        also served frameworks only the translation has (``#@tab pytorch, paddle``) stays for those, flagged."""
        separator = self.new_doc.text[new.block.end : new.chunk_end]
        cells = [t for t in targets if t.is_code]
        wanted = [e.identity for e in block_elements(self.new_doc, new.block)]
        target = next((t for t in cells if self._same_skeleton(t, new)), None)
        changed = old is not None and normalise(old.text) != normalise(new.text)
        # A translated cell that is still the old English (nothing translated in it) gives way to the new cell.
        untranslated = target is not None and old is not None and normalise(target.text) == normalise(old.text)
        if target is not None and not (untranslated and changed):
            chunk = Chunk([Piece(text=self._marked_like(target.text, new.text))], separator)
            comments_changed = old is not None and changed and not same_body_marker_only(old, new)
            if comments_changed and normalise(target.text) != normalise(new.text):
                self.ledger.flag_code(chunk, "code-comments-changed", len(new.text))
            return [chunk]
        target = target or (cells[0] if cells else None)
        if (
            target is not None
            and old is not None
            and same_body(target.text, new.text)
            and same_body(old.text, new.text)
        ):
            retagged = self._marked_like(target.text, new.text)
            if _code_identity(self.tgt_doc, retagged) == wanted:
                return [Chunk([Piece(text=retagged)], separator)]  # only the framework marker changed
        chunk = Chunk([Piece(text=new.text)], separator)
        if target is not None and old is not None:
            if normalise(target.text) != normalise(old.text):  # the translation had translated text: now lost
                self.ledger.flag_code(chunk, "code-changed", len(new.text))
        elif has_translatable_text(new.text):
            self.ledger.flag_code(chunk, "code-changed" if old is not None else "code-new", len(new.text))
        own = self._translation_only_copy(target) if target is not None else None
        return [chunk] if own is None else [chunk, own]

    def _own_frameworks(self, code: str, enclosing: tuple[str, ...] | None) -> list[str]:
        return [
            name for name in cell_tabs(code, enclosing) if name not in self.new_frameworks and name not in COMMON_TABS
        ]

    def _marked_like(self, target_code: str, new_code: str) -> str:
        """The translated cell under the new cell's framework marker, keeping frameworks only the translation has."""
        own = self._own_frameworks(target_code, None)
        marker, _ = split_tab_marker(new_code)
        if own and marker is not None:
            new_code = new_code.replace(marker, f"{marker.rstrip()}, {', '.join(own)}", 1)
        return retag(target_code, new_code)

    def _translation_only_copy(self, target: Unit) -> Chunk | None:
        """The replaced translated cell, for the frameworks only the translation has (its code as it was)."""
        own = self._own_frameworks(target.text, None)  # a top-level cell: its frameworks are on its marker line
        if not own:
            return None
        marker, _ = split_tab_marker(target.text)
        prefix = marker.split()[0] if marker else "#@tab"
        lines = split_tab_marker(target.text)[1].split("\n")
        copy = "\n".join([lines[0], f"{prefix} {', '.join(own)}", *lines[1:]])
        chunk = Chunk([Piece(text=copy)], self.tgt_doc.text[target.block.end : target.chunk_end])
        chunk.review.append(ReviewNote("translator-only-stale", "", len(" ".join(copy.split()))))
        self.report.translator_only_blocks += 1
        return chunk

    def _textless(self, new: Unit, targets: Sequence[Unit]) -> Chunk:
        """Equations, directives, Discussions links: the translation's version when it has the same skeleton
        (its slide marks, its forum link), else the new source's."""
        separator = self.new_doc.text[new.block.end : new.chunk_end]
        for target in targets:
            if target.block.kind is new.block.kind and not target.segments and self._same_skeleton(target, new):
                return Chunk([Piece(text=target.text)], separator)
        return Chunk([Piece(text=new.text)], separator)

    # -- the translation's own blocks ----------------------------------------------------------------------
    def _place_translation_only(self) -> _Placement:
        placement = _Placement()
        linking = self.linking
        if linking is None:
            return placement
        cluster_new: dict[int, tuple[int | None, bool]] = {}  # cluster -> (last new block, source changed)
        for index, group in enumerate(linking.clusters):
            news = [self.new_of_old[s] for s in group.src if s in self.new_of_old]
            changed = any(self.old_ops[s] not in SAME_TEXT_OPS for s in group.src)
            cluster_new[index] = (max(news) if news else None, changed)
        for unit in self.tgt_units:
            k = unit.index
            if k in linking.cluster_of_tgt:
                continue
            if unit.is_review_marker:
                following = next((u.index for u in self.tgt_units[k + 1 :] if not u.is_review_marker), None)
                if following is not None:
                    placement.marker_before[following] = k
                continue
            kept, _ = shared_view(block_elements(self.tgt_doc, unit.block), self.new_frameworks)
            if kept:  # structure the new source would not have: stale code, an old figure or heading
                excerpt = " ".join(unit.text.split())
                self.report.dropped_blocks.append(
                    DroppedBlock(line=unit.block.line, kind=unit.block.kind.value, excerpt=excerpt[:_EXCERPT])
                )
                continue
            anchor, stale = None, False
            for previous in range(k - 1, -1, -1):
                cluster = linking.cluster_of_tgt.get(previous)
                if cluster is None:
                    continue
                new_index, changed = cluster_new[cluster]
                stale = stale or changed
                if new_index is not None:
                    anchor = new_index
                    break
            self.report.translator_only_blocks += 1
            (placement.prefix if anchor is None else placement.after[anchor]).append((k, stale))
        return placement

    def _translation_only(self, k: int, stale: bool, placement: _Placement) -> list[Chunk]:
        chunk = self._verbatim(k)
        if stale:  # a fresh marker replaces a pending one
            chars = len(" ".join(self.tgt_units[k].text.split()))
            chunk.review.append(ReviewNote("translator-only-stale", "", chars))
            return [chunk]
        marker = placement.marker_before.get(k)
        return [chunk] if marker is None else [self._verbatim(marker), chunk]

    # -- output ------------------------------------------------------------------------------------------------


def same_body_marker_only(old: Unit, new: Unit) -> bool:
    """Whether two versions of a code cell differ only in their framework marker line."""
    return normalise(split_tab_marker(old.text)[1]) == normalise(split_tab_marker(new.text)[1])


def _code_identity(doc: Document, code: str) -> list[str]:
    cell = parse(code, path=doc.path)
    return [e.identity for block in cell.blocks for e in block_elements(cell, block)]
