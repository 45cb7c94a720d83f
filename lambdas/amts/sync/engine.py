"""Incremental translation: bring a translation up to date with a new source, sending only what changed to MT.

The output is built from the *existing translation*, not from the new source: target blocks whose source
did not change are copied byte for byte (human wording, line layout, zh-only ``paddle`` cells and earlier
review markers included). Only what changed is rebuilt:

- an edited block keeps its target text and replaces the sentences whose source changed;
- an inserted block is rebuilt from the new source, each segment from the translation memory or MT;
- a deleted block disappears, a moved block moves with its translation;
- a changed code cell takes the new source code and is flagged (zh translates code comments);
- a target segment that a person edited after MT is never overwritten: if its source changed it is flagged.

``plan_sync`` decides all that and lists the MT units; ``apply_sync`` fills in their translations. Both
halves are pure and their inputs/outputs serialise to JSON, so the pipeline can run them in two Lambdas.
"""

from __future__ import annotations

import bisect
import difflib
import importlib
import itertools
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from amts.align.sentences import AlignerParams
from amts.book import Document, Segment, Sentence, parse, render, segment_sentences
from amts.errors import AlignmentError, AmtsError, InputError
from amts.languages import sentence_separator
from amts.sync.changes import Unit, code_key, document_units, match_segments, match_units
from amts.sync.memory import MemoryEntry, Origin, TranslationMemory, normalise
from amts.sync.models import BLOCK_OPS, MemoryUpdate, MtUnit, PendingSegment, Piece, SyncPlan, SyncReport
from amts.sync.review import format_marker, scan_markers

# Below this document-alignment confidence the old target is not a translation of the old source.
MIN_CONFIDENCE = 0.3
# At least this many labels/figure files on each side before their overlap is used as a sanity check.
MIN_ANCHORS = 3
MIN_SHARED_ANCHORS = 0.5
# Sentence alignment inside one aligned segment pair: a handful of sentences, so length, anchors and
# punctuation decide; sentence embeddings cost ~0.15 s per call and are left to the document aligner.
INTRA_SEGMENT_PARAMS = AlignerParams(use_embeddings=False)
CODE_SIMILARITY = 0.6  # comment-free code this similar, same tab, same gap: the same cell, edited
_SAME_TEXT_OPS = frozenset({"unchanged", "moved"})  # block operations that leave a block's text as it was
SINGLE_LINE_KINDS = frozenset({"heading", "caption", "table-cell", "table-caption", "quote"})
_TAB_MARKER = re.compile(r"^(?:#@tab|%%tab)\b")
_STRUCTURAL_START = re.compile(r"(?:#|```|\$\$|:begin_tab:|:end_tab:|\||>|!\[|[-*+] |\d+\. )")

Outcome = Literal["kept", "memory", "partial_mt", "mt", "flagged", "source_only"]


class Translator(Protocol):
    """A machine translation engine: ``translate(texts, source_lang, target_lang) -> texts``, with a name."""

    @property
    def name(self) -> str: ...

    def __call__(self, texts: list[str], source_lang: str, target_lang: str) -> list[str]: ...


SegmentLinks = list[tuple[tuple[str, ...], tuple[str, ...]]]
Aligner = Callable[[Document, Document, str, str], tuple[SegmentLinks, float]]


@dataclass
class SyncResult:
    markdown: str
    report: SyncReport
    memory: TranslationMemory


def default_aligner(src_doc: Document, tgt_doc: Document, src_lang: str, tgt_lang: str) -> tuple[SegmentLinks, float]:
    """Segment links from the alignment area's document aligner, with its confidence."""
    # Looked up at call time: the alignment area is a peer package, and sync must import without it.
    align_documents = getattr(importlib.import_module("amts.align"), "align_documents", None)
    if align_documents is None:
        raise AmtsError("the document aligner amts.align.align_documents is not available")
    alignment = align_documents(src_doc, tgt_doc, src_lang=src_lang, tgt_lang=tgt_lang)
    return [(tuple(link.src_ids), tuple(link.tgt_ids)) for link in alignment.links], float(alignment.confidence)


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
    run: str | None = None,
    min_confidence: float = MIN_CONFIDENCE,
    aligner: Aligner | None = None,
) -> SyncPlan:
    """Phase one: decide what to keep, move, delete and reuse, and list the text that needs MT.

    ``memory`` is read, not changed; the decisions that update it travel in the plan (``memory_updates``).
    Raises ``AlignmentError`` when the old target does not look like a translation of the old source.
    """
    old_doc = _as_document(old_source, "<old source>")
    tgt_doc = _as_document(old_target, "<old target>")
    new_doc = _as_document(new_source, "<new source>")
    planner = _Planner(
        old_doc,
        tgt_doc,
        new_doc,
        memory,
        file=file or new_doc.path,
        run=run or uuid.uuid4().hex[:12],
        min_confidence=min_confidence,
        aligner=aligner or default_aligner,
    )
    return planner.plan()


def apply_sync(plan: SyncPlan, translations: Mapping[str, str], memory: TranslationMemory) -> SyncResult:
    """Phase two: put the translations of the plan's MT units in place, update ``memory`` (in place), report.

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
        resolved[unit.id] = fit_text(text, single_line=unit.single_line, indent=unit.indent, newline=unit.newline)
    if missing:
        raise InputError(f"no translation for MT units {', '.join(missing[:8])}", path=plan.file)
    texts = [resolved[piece.unit] if piece.unit is not None else piece.text for piece in plan.pieces]
    markdown = "".join(texts)
    try:
        document = parse(markdown, path=plan.file)
    except InputError as exc:
        raise InputError(f"the synchronized markdown does not parse: {exc.message}", path=plan.file) from None
    if render(document) != markdown:
        raise InputError("the synchronized markdown does not pass the book-model round trip", path=plan.file)

    for update in plan.memory_updates:
        if update.seed:
            memory.seed_human(
                update.source,
                update.target,
                level=update.level,
                file=plan.file,
                segment_id=update.segment_id,
                run=plan.run,
            )
            continue
        memory.remember(
            update.source,
            update.target,
            origin=update.origin,
            level=update.level,
            file=plan.file,
            segment_id=update.segment_id,
            run=plan.run,
        )
    engine = plan.report.engine
    for unit in plan.units:
        if normalise(resolved[unit.id]) == normalise(unit.text):
            continue  # the engine gave the source back (an untranslated unit): not a translation to remember
        memory.remember(
            unit.text,
            resolved[unit.id],
            origin=Origin.MACHINE,
            level="segment" if unit.whole_segment else "sentence",
            file=plan.file,
            segment_id=unit.segment_id,
            run=plan.run,
            engine=engine,
        )
    by_segment: dict[str, list[str]] = defaultdict(list)
    for piece, text in zip(plan.pieces, texts, strict=True):
        if piece.segment is not None:
            by_segment[piece.segment].append(text)
    for pending in plan.pending:
        target = "".join(by_segment[pending.segment_id])
        memory.remember(
            pending.source,
            target,
            origin=Origin.MACHINE,
            level="segment",
            file=plan.file,
            segment_id=pending.segment_id,
            run=plan.run,
            engine=engine,
            machine_chars=pending.machine_chars,
        )
    report = plan.report.model_copy(deep=True)
    report.review = scan_markers(markdown, file=plan.file)
    return SyncResult(markdown=markdown, report=report, memory=memory)


def sync_documents(
    old_source: Document | str,
    old_target: Document | str,
    new_source: Document | str,
    memory: TranslationMemory,
    translator: Translator,
    *,
    file: str | None = None,
    run: str | None = None,
    min_confidence: float = MIN_CONFIDENCE,
    aligner: Aligner | None = None,
) -> SyncResult:
    """Plan, translate the MT units with ``translator`` in one batch, and apply: the one-shot form for the CLI."""
    plan = plan_sync(
        old_source, old_target, new_source, memory, file=file, run=run, min_confidence=min_confidence, aligner=aligner
    )
    plan.report.engine = translator.name if plan.units else None
    translations: dict[str, str] = {}
    if plan.units:
        outputs = translator([unit.text for unit in plan.units], plan.source_lang, plan.target_lang)
        if len(outputs) != len(plan.units):
            raise InputError(
                f"translator {translator.name!r} returned {len(outputs)} texts for {len(plan.units)}", path=plan.file
            )
        translations = {unit.id: text for unit, text in zip(plan.units, outputs, strict=True)}
    return apply_sync(plan, translations, memory)


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


def protected_length(text: str, spans: Sequence[tuple[int, int]]) -> int:
    """Characters of ``text`` after protection: whitespace runs count one, each protected span counts one."""
    pieces: list[str] = []
    position = 0
    for start, end in sorted(spans):
        if start < position:
            continue
        pieces.append(text[position:start])
        pieces.append("\x00")
        position = end
    pieces.append(text[position:])
    return len(normalise("".join(pieces)))


def segment_chars(segment: Segment) -> int:
    return protected_length(segment.text, [(span.start, span.end) for span in segment.protected])


def _span_chars(segment: Segment, start: int, end: int) -> int:
    spans = [(s.start - start, s.end - start) for s in segment.protected if s.start >= start and s.end <= end]
    return protected_length(segment.text[start:end], spans)


# -- the planner ------------------------------------------------------------------------------------------
@dataclass
class _Chunk:
    """A block of the output with the blank lines after it; ``review`` asks for a marker before it."""

    pieces: list[Piece]
    separator: str
    review: list[tuple[str, str, int]] = field(default_factory=list)  # (reason, segment id, chars)


@dataclass
class _Cluster:
    """Old-source units and the target units that translate them (connected by segment links)."""

    src: list[int]
    tgt: list[int]
    attached: list[int] = field(default_factory=list)  # target-only units that travel with this cluster


@dataclass
class _SegmentResult:
    pieces: list[Piece]
    outcome: Outcome
    origin: Origin
    review: str | None  # reason, when a person should look at it
    mt_chars: int = 0
    review_chars: int = 0  # machine text to check: sent now, or machine output reused from the memory


class _Planner:
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
    ) -> None:
        self.old_doc, self.tgt_doc, self.new_doc = old_doc, tgt_doc, new_doc
        self.memory = memory
        self.src_lang, self.tgt_lang = memory.source_lang, memory.target_lang
        self.file, self.run = file, run
        self.min_confidence = min_confidence
        self.aligner = aligner
        self.old_units = document_units(old_doc)
        self.tgt_units = document_units(tgt_doc)
        self.new_units = document_units(new_doc)
        self.units: list[MtUnit] = []
        self.pending: list[PendingSegment] = []
        self.updates: list[MemoryUpdate] = []
        self.report = SyncReport(
            file=file,
            source_lang=self.src_lang,
            target_lang=self.tgt_lang,
            run=run,
            source_changed=old_doc.text != new_doc.text,
        )
        self.origin_counts: dict[str, int] = {origin.value: 0 for origin in Origin}
        self.one_to_one: dict[str, Segment] = {}  # old source segment id -> its target segment
        self.sentence_separator = sentence_separator(self.tgt_lang)
        self.local: dict[str, str] = {}  # pairs from the existing translation, usable in this run
        self.bead_cache: dict[str, list[tuple[tuple[int, ...], tuple[int, ...]]]] = {}

    # -- top level -----------------------------------------------------------------------------------------
    def plan(self) -> SyncPlan:
        matches = match_units(self.old_units, self.new_units)
        self.report.blocks = {op: sum(1 for m in matches if m[0] == op) for op in BLOCK_OPS}
        old_match: dict[int, tuple[str, int | None]] = {}
        new_match: dict[int, tuple[str, int | None]] = {}
        for op, i, j in matches:
            if i is not None:
                old_match[i] = (op, j)
            if j is not None:
                new_match[j] = (op, i)
        clusters, cluster_of_src, prefix_units = self._clusters(old_match)
        self._seed(old_match)
        chunks: list[_Chunk] = [self._verbatim(k) for k in prefix_units]
        emitted: set[int] = set()
        for j, new_unit in enumerate(self.new_units):
            new_op, i = new_match[j]
            cluster_index = cluster_of_src.get(i) if i is not None else None
            if i is None or cluster_index is None:
                if new_op in _SAME_TEXT_OPS:
                    self._count_source_only(new_unit)  # the translation leaves this block out: so do we
                else:
                    chunks.append(self._rebuild(new_unit, self.old_units[i] if i is not None else None))
                continue
            cluster = clusters[cluster_index]
            if cluster_index not in emitted:
                emitted.add(cluster_index)
                chunks.extend(self._emit_cluster(cluster, old_match))
            elif self._is_mixed(cluster, old_match):
                chunks.append(self._rebuild(new_unit, self.old_units[i]))
        self._assemble_report()
        pieces = self._assemble(chunks)
        return SyncPlan(
            file=self.file,
            source_lang=self.src_lang,
            target_lang=self.tgt_lang,
            run=self.run,
            pieces=pieces,
            units=self.units,
            pending=self.pending,
            memory_updates=self.updates,
            report=self.report,
        )

    # -- linking old source to old target --------------------------------------------------------------------
    def _check_anchors(self) -> None:
        """Labels and figure files are the same in a book and its translation: a mismatch means a wrong pair."""
        source, target = _anchors(self.old_doc), _anchors(self.tgt_doc)
        if len(source) < MIN_ANCHORS or len(target) < MIN_ANCHORS:
            return
        shared = len(source & target) / min(len(source), len(target))
        if shared < MIN_SHARED_ANCHORS:
            raise AlignmentError(
                f"the old target shares only {shared:.0%} of its labels and figures with the old source "
                f"({len(source & target)} of {min(len(source), len(target))}); wrong file or a different book? "
                "nothing was reused",
                path=self.tgt_doc.path,
            )

    def _segment_links(self, old_match: Mapping[int, tuple[str, int | None]]) -> SegmentLinks:
        self._check_anchors()
        old_segments = [s for u in self.old_units for s in u.segments]
        tgt_segments = [s for u in self.tgt_units for s in u.segments]
        if not old_segments or not tgt_segments:
            self.report.alignment_confidence = None
            return []
        # Exact links through the memory first: a target segment that is what the memory holds for the source.
        by_target: dict[str, list[int]] = defaultdict(list)
        for index, segment in enumerate(tgt_segments):
            by_target[normalise(segment.text)].append(index)
        memory_links: SegmentLinks = []
        last = -1
        for segment in old_segments:
            entry = self.memory.lookup(segment.text)
            if entry is None:
                continue
            candidates = [k for k in by_target.get(normalise(entry.target), []) if k > last]
            if candidates:
                last = candidates[0]
                memory_links.append(((segment.id,), (tgt_segments[last].id,)))
        memory_links = _fill_equal_gaps(memory_links, old_segments, tgt_segments)
        linked = {src for src_ids, _ in memory_links for src in src_ids}
        unlinked_units = {unit.index for unit in self.old_units for s in unit.segments if s.id not in linked}
        if len(linked) * 2 >= len(old_segments) and all(
            old_match[index][0] in _SAME_TEXT_OPS for index in unlinked_units
        ):
            # The memory knows this translation (an earlier sync wrote it) and every segment it cannot place
            # stays as it is: no alignment needed, and the exact matches prove the pair belongs together.
            self.report.alignment_confidence = 1.0
            return memory_links
        links, confidence = self.aligner(self.old_doc, self.tgt_doc, self.src_lang, self.tgt_lang)
        self.report.alignment_confidence = round(confidence, 4)
        if confidence < self.min_confidence:
            raise AlignmentError(
                f"the old target does not look like a translation of the old source (alignment confidence "
                f"{confidence:.2f} < {self.min_confidence:.2f}; wrong file or a different book?); nothing was reused",
                path=self.tgt_doc.path,
            )
        # The aligner's links alone (not mixed with the memory's): the same inputs always give the same links.
        return [(src, tgt) for src, tgt in links if src and tgt]

    def _clusters(
        self, old_match: Mapping[int, tuple[str, int | None]]
    ) -> tuple[list[_Cluster], dict[int, int], list[int]]:
        old_unit_of = {s.id: u.index for u in self.old_units for s in u.segments}
        tgt_unit_of = {s.id: u.index for u in self.tgt_units for s in u.segments}
        tgt_segment = {s.id: s for u in self.tgt_units for s in u.segments}
        edges: set[tuple[int, int]] = set()
        links: SegmentLinks = []
        for src_ids, tgt_ids in self._segment_links(old_match):
            if len(src_ids) == len(tgt_ids) > 1:
                # n segments to n segments (often a paragraph and a tab block aligned as one region): pair in order.
                links.extend(((s,), (t,)) for s, t in zip(src_ids, tgt_ids, strict=True))
            else:
                links.append((src_ids, tgt_ids))
        for src_ids, tgt_ids in links:
            if len(src_ids) == 1 and len(tgt_ids) == 1:
                self.one_to_one[src_ids[0]] = tgt_segment[tgt_ids[0]]
            for s in src_ids:
                for t in tgt_ids:
                    edges.add((old_unit_of[s], tgt_unit_of[t]))
        monotone = _monotone(sorted(edges))
        monotone = self._link_blocks_without_text(monotone)
        # A 1:1 segment link whose units did not survive the monotone filter is not trusted either.
        kept_pairs = set(monotone)
        self.one_to_one = {
            s: t for s, t in self.one_to_one.items() if (old_unit_of[s], tgt_unit_of[t.id]) in kept_pairs
        }
        # Connected components of the unit graph.
        parent: dict[tuple[str, int], tuple[str, int]] = {}

        def find(node: tuple[str, int]) -> tuple[str, int]:
            parent.setdefault(node, node)
            while parent[node] != node:
                parent[node] = parent[parent[node]]
                node = parent[node]
            return node

        for src_unit, tgt_unit in monotone:
            parent[find(("s", src_unit))] = find(("t", tgt_unit))
        groups: dict[tuple[str, int], _Cluster] = {}
        for src_unit, tgt_unit in monotone:
            cluster = groups.setdefault(find(("s", src_unit)), _Cluster([], []))
            if src_unit not in cluster.src:
                cluster.src.append(src_unit)
            if tgt_unit not in cluster.tgt:
                cluster.tgt.append(tgt_unit)
        clusters = sorted(groups.values(), key=lambda c: min(c.tgt))
        for cluster in clusters:
            cluster.src.sort()
            cluster.tgt.sort()
        cluster_of_src = {s: index for index, cluster in enumerate(clusters) for s in cluster.src}
        cluster_of_tgt = {t: index for index, cluster in enumerate(clusters) for t in cluster.tgt}
        alive = [any(old_match[s][0] != "deleted" for s in cluster.src) for cluster in clusters]
        prefix: list[int] = []
        for unit in self.tgt_units:
            k = unit.index
            if k in cluster_of_tgt:
                continue
            if unit.is_review_marker:
                # A review marker belongs to the block after it.
                following = next((c for c in range(k + 1, len(self.tgt_units)) if c in cluster_of_tgt), None)
                if following is not None:
                    clusters[cluster_of_tgt[following]].attached.append(k)
                continue
            previous = next(
                (cluster_of_tgt[c] for c in range(k - 1, -1, -1) if c in cluster_of_tgt and alive[cluster_of_tgt[c]]),
                None,
            )
            if previous is None:
                prefix.append(k)
            else:
                clusters[previous].attached.append(k)
        return clusters, cluster_of_src, prefix

    def _link_blocks_without_text(self, anchors: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Pair code cells, math and other text-less blocks inside the gaps between linked blocks."""
        linked_src = {s for s, _ in anchors}
        linked_tgt = {t for _, t in anchors}
        bounds = [(-1, -1), *anchors, (len(self.old_units), len(self.tgt_units))]
        result = list(anchors)
        for (s0, t0), (s1, t1) in itertools.pairwise(bounds):
            src = [u for u in self.old_units[s0 + 1 : s1] if not u.segments and u.index not in linked_src]
            tgt = [
                u
                for u in self.tgt_units[t0 + 1 : t1]
                if not u.segments and u.index not in linked_tgt and not u.is_review_marker
            ]
            if not src or not tgt:
                continue
            matcher = difflib.SequenceMatcher(
                None, [u.cross_key for u in src], [u.cross_key for u in tgt], autojunk=False
            )
            for tag, i1, i2, j1, j2 in matcher.get_opcodes():
                if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
                    for a, b in zip(src[i1:i2], tgt[j1:j2], strict=True):
                        if tag == "equal" or a.kind is b.kind:
                            result.append((a.index, b.index))
                elif tag == "replace":
                    result.extend(_pair_code_cells(src[i1:i2], tgt[j1:j2]))
        return sorted(set(result))

    # -- emitting ----------------------------------------------------------------------------------------------
    @staticmethod
    def _same_text(cluster: _Cluster, old_match: Mapping[int, tuple[str, int | None]]) -> bool:
        """Every old block of the cluster is in the new source with its text unchanged."""
        return all(old_match[s][0] in _SAME_TEXT_OPS for s in cluster.src)

    def _is_mixed(self, cluster: _Cluster, old_match: Mapping[int, tuple[str, int | None]]) -> bool:
        one_to_one = len(cluster.src) == 1 and len(cluster.tgt) == 1
        return not (self._same_text(cluster, old_match) or one_to_one)

    def _emit_cluster(
        self,
        cluster: _Cluster,
        old_match: Mapping[int, tuple[str, int | None]],
    ) -> list[_Chunk]:
        own = set(cluster.tgt)
        chunks: list[_Chunk] = []
        if self._same_text(cluster, old_match):
            for k in sorted(own | set(cluster.attached)):
                chunks.append(self._verbatim(k))
            for s in cluster.src:
                j = old_match[s][1]
                assert j is not None
                self._count_kept(self.old_units[s], self.new_units[j])
            return chunks
        mixed = self._is_mixed(cluster, old_match)
        rebuilt = False
        for k in sorted(own | set(cluster.attached)):
            if k not in own:
                if not self.tgt_units[k].is_review_marker:  # a changed block gets a fresh marker, if any
                    chunks.append(self._verbatim(k))
                continue
            if rebuilt:
                continue
            rebuilt = True
            if mixed:
                first = next(s for s in cluster.src if old_match[s][0] != "deleted")
                j = old_match[first][1]
                assert j is not None
                chunks.append(self._rebuild(self.new_units[j], self.old_units[first]))
                continue
            s = cluster.src[0]
            op, j = old_match[s]
            if op == "deleted" or j is None:
                continue
            chunks.append(self._edit(self.old_units[s], self.new_units[j], self.tgt_units[k]))
        return chunks

    def _verbatim(self, k: int) -> _Chunk:
        unit = self.tgt_units[k]
        return _Chunk([Piece(text=unit.text)], self.tgt_doc.text[unit.end : unit.chunk_end])

    def _edit(self, old: Unit, new: Unit, tgt: Unit) -> _Chunk:
        """An edited block with one target block: change the target in place when the segments line up."""
        separator = self.tgt_doc.text[tgt.end : tgt.chunk_end]
        if old.is_code or not old.segments:
            if not old.is_code:
                return _Chunk([Piece(text=new.text)], separator)  # math, directives: language-independent
            if tgt.is_code and normalise(tgt.text) == normalise(new.text):
                return _Chunk([Piece(text=tgt.text)], separator)  # the translation already has the new code
            if tgt.is_code and _split_tab_marker(old.text)[1] == _split_tab_marker(new.text)[1]:
                # Only the framework tab marker changed: keep the translated comments under the new marker.
                return _Chunk([Piece(text=_retag(tgt.text, new.text))], separator)
            chunk = _Chunk([Piece(text=new.text)], separator)
            if normalise(tgt.text) != normalise(old.text):  # the translation had translated comments: now lost
                chunk.review.append(("code-changed", "", len(new.text)))
                self.report.flagged_code_cells += 1
            return chunk
        matches = match_segments(old.segments, new.segments)
        in_place = (
            len(tgt.segments) == len(old.segments) == len(new.segments)
            and all(op in ("unchanged", "edited") and i == j for op, i, j in matches)
            and all(self.one_to_one.get(o.id) is t for o, t in zip(old.segments, tgt.segments, strict=True))
        )
        if not in_place:
            return self._rebuild(new, old, separator=separator)
        chunk = _Chunk([], separator)
        position = tgt.start
        for (op, i, j), target in zip(matches, tgt.segments, strict=True):
            assert i is not None
            assert j is not None
            chunk.pieces.append(Piece(text=self.tgt_doc.text[position : target.start]))
            result = self._segment(new.segments[j], old.segments[i], target, op)
            self._account(chunk, new.segments[j], result)
            chunk.pieces.extend(result.pieces)
            position = target.end
        chunk.pieces.append(Piece(text=self.tgt_doc.text[position : tgt.end]))
        return chunk

    def _rebuild(self, new: Unit, old: Unit | None, *, separator: str | None = None) -> _Chunk:
        """A block built from the new source: its markup as written there, each segment translated."""
        sep = separator if separator is not None else self.new_doc.text[new.end : new.chunk_end]
        if new.is_code:
            chunk = _Chunk([Piece(text=new.text)], sep)
            if old is not None or _has_comments(new.text):
                chunk.review.append(("code-changed" if old is not None else "code-new", "", len(new.text)))
                self.report.flagged_code_cells += 1
            return chunk
        pairs: dict[int, tuple[str, Segment | None]] = {}
        if old is not None:
            for op, i, j in match_segments(old.segments, new.segments):
                if j is not None:
                    pairs[j] = (op, old.segments[i] if i is not None else None)
        chunk = _Chunk([], sep)
        position = new.start
        for j, segment in enumerate(new.segments):
            segment_op, previous = pairs.get(j, ("inserted", None))
            chunk.pieces.append(Piece(text=self.new_doc.text[position : segment.start]))
            target = self.one_to_one.get(previous.id) if previous is not None else None
            result = self._segment(segment, previous, target, "unchanged" if segment_op == "moved" else segment_op)
            self._account(chunk, segment, result)
            chunk.pieces.extend(result.pieces)
            position = segment.end
        chunk.pieces.append(Piece(text=self.new_doc.text[position : new.end]))
        return chunk

    # -- one segment -----------------------------------------------------------------------------------------
    def _segment(self, new: Segment, old: Segment | None, target: Segment | None, op: str) -> _SegmentResult:
        if old is not None and target is not None:
            origin, human_edit = self._existing_origin(old, target)
            if op == "unchanged":
                return _SegmentResult([Piece(text=self._fit(target.text, new))], "kept", origin, None)
            if human_edit:
                # Human work is never overwritten: keep it and ask a person to bring it up to date.
                reason = "human-edit-source-changed"
                return _SegmentResult([Piece(text=target.text)], "flagged", Origin.MACHINE_EDITED, reason)
            return self._update_sentences(new, old, target, origin)
        return self._fresh(new)

    def _fresh(self, new: Segment) -> _SegmentResult:
        """A segment with no existing translation: the memory, else MT (sentence by sentence)."""
        found = self._lookup(new.text)
        if found is not None:
            if found[1] is not Origin.MACHINE:
                return _SegmentResult([Piece(text=self._fit(found[0], new))], "memory", found[1], None)
            # Machine output from an earlier run: still to review, for the machine part of it.
            machine_chars = found[2] if found[2] is not None else segment_chars(new)
            from_memory = [Piece(text=self._fit(found[0], new))]
            return _SegmentResult(from_memory, "memory", found[1], "machine-translation", 0, machine_chars)
        sentences = segment_sentences(new, self.src_lang)
        if len(sentences) <= 1:
            unit = self._unit(new, 0, len(new.text), whole=True)
            return _SegmentResult(
                [Piece(unit=unit.id)], "mt", Origin.MACHINE, "machine-translation", unit.chars, unit.chars
            )
        pieces: list[Piece] = [Piece(text=new.text[: sentences[0].start])]
        sent = 0
        review_chars = 0
        reused = False
        machine_reuse = False
        for index, sentence in enumerate(sentences):
            if index:
                pieces.append(Piece(text=self.sentence_separator))
            hit = self._lookup(sentence.text)
            if hit is not None:
                pieces.append(Piece(text=self._fit(hit[0], new)))
                reused = True
                if hit[1] is Origin.MACHINE:
                    machine_reuse = True
                    review_chars += _span_chars(new, sentence.start, sentence.end)
            else:
                unit = self._unit(new, sentence.start, sentence.end, whole=False)
                pieces.append(Piece(unit=unit.id))
                sent += unit.chars
                review_chars += unit.chars
        pieces.append(Piece(text=new.text[sentences[-1].end :]))
        if not sent:
            if machine_reuse:
                return _SegmentResult(pieces, "memory", Origin.MACHINE, "machine-translation", 0, review_chars)
            return _SegmentResult(pieces, "memory", Origin.HUMAN, None)
        outcome: Outcome = "partial_mt" if reused else "mt"
        return _SegmentResult(pieces, outcome, Origin.MACHINE, "machine-translation", sent, review_chars)

    def _update_sentences(self, new: Segment, old: Segment, target: Segment, origin: Origin) -> _SegmentResult:
        """An edited segment with a translation: keep the target sentences whose source did not change."""
        old_sentences = segment_sentences(old, self.src_lang)
        new_sentences = segment_sentences(new, self.src_lang)
        tgt_sentences = segment_sentences(target, self.tgt_lang)
        if not old_sentences or not tgt_sentences or not new_sentences:
            return self._fresh(new)
        beads = _attach_target_only(self._beads(old, target, old_sentences, tgt_sentences))
        # Which new sentence each unchanged old sentence became (same text, same order).
        matcher = difflib.SequenceMatcher(
            None, [normalise(s.text) for s in old_sentences], [normalise(s.text) for s in new_sentences], autojunk=False
        )
        old_to_new: dict[int, int] = {}
        for block in matcher.get_matching_blocks():
            for offset in range(block.size):
                old_to_new[block.a + offset] = block.b + offset
        # A bead is kept when all its old sentences survive, consecutively, in the new segment.
        covered: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = {}
        for src, tgt in beads:
            if not src:
                continue
            mapped = [old_to_new.get(i) for i in src]
            if any(m is None for m in mapped):
                continue
            news = [m for m in mapped if m is not None]
            if news != list(range(news[0], news[0] + len(news))):
                continue
            covered[news[0]] = (tuple(news), tgt)
        text = target.text
        items: list[tuple[Literal["target", "unit", "memory"], int, int, str]] = []
        j = 0
        sent = 0
        review_chars = 0
        reused_memory = False
        machine_reuse = False
        while j < len(new_sentences):
            if j in covered:
                covered_new, covered_tgt = covered[j]
                if covered_tgt:
                    first, last = tgt_sentences[covered_tgt[0]], tgt_sentences[covered_tgt[-1]]
                    items.append(("target", first.start, last.end, ""))
                j = covered_new[-1] + 1
                continue
            sentence = new_sentences[j]
            hit = self._lookup(sentence.text)
            if hit is not None:
                items.append(("memory", 0, 0, self._fit(hit[0], new)))
                reused_memory = True
                if hit[1] is Origin.MACHINE:
                    machine_reuse = True
                    review_chars += _span_chars(new, sentence.start, sentence.end)
            else:
                unit = self._unit(new, sentence.start, sentence.end, whole=False)
                items.append(("unit", 0, 0, unit.id))
                sent += unit.chars
                review_chars += unit.chars
            j += 1
        separator = _dominant_separator(text, tgt_sentences, self.sentence_separator)
        pieces: list[Piece] = [Piece(text=text[: tgt_sentences[0].start])]
        previous_end: int | None = None
        for index, (kind, start, end, value) in enumerate(items):
            if index:
                if kind == "target" and previous_end is not None and items[index - 1][0] == "target":
                    pieces.append(Piece(text=text[previous_end:start]))  # the original gap, byte for byte
                else:
                    pieces.append(Piece(text=separator))
            if kind == "target":
                pieces.append(Piece(text=text[start:end]))
                previous_end = end
            elif kind == "memory":
                pieces.append(Piece(text=value))
                previous_end = None
            else:
                pieces.append(Piece(unit=value))
                previous_end = None
        pieces.append(Piece(text=text[tgt_sentences[-1].end :]))
        if sent:
            return _SegmentResult(pieces, "partial_mt", Origin.MACHINE, "machine-translation", sent, review_chars)
        outcome: Outcome = "memory" if reused_memory else "kept"
        if machine_reuse:
            return _SegmentResult(pieces, outcome, Origin.MACHINE, "machine-translation", 0, review_chars)
        return _SegmentResult(pieces, outcome, origin, None)

    def _beads(
        self, old: Segment, target: Segment, old_sentences: list[Sentence], tgt_sentences: list[Sentence]
    ) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
        """Sentence beads between an old source segment and its translation (computed once per segment)."""
        cached = self.bead_cache.get(old.id)
        if cached is not None:
            return cached
        from amts.align.sentences import align_sentences

        if len(old_sentences) == 1 and len(tgt_sentences) == 1:
            beads: list[tuple[tuple[int, ...], tuple[int, ...]]] = [((0,), (0,))]
        else:
            beads = [
                (bead.src, bead.tgt)
                for bead in align_sentences(
                    [s.text for s in old_sentences],
                    [s.text for s in tgt_sentences],
                    src_lang=self.src_lang,
                    tgt_lang=self.tgt_lang,
                    params=INTRA_SEGMENT_PARAMS,
                )
            ]
        self.bead_cache[old.id] = beads
        return beads

    def _seed(self, old_match: Mapping[int, tuple[str, int | None]]) -> None:
        """Pairs from the existing translation: every linked segment, and the sentences of changed blocks.

        They go to the memory (unless it already knows the source) and serve this run at once, so that a
        sentence moved out of an edited or deleted paragraph is reused rather than sent to MT.
        """
        for unit in self.old_units:
            changed = old_match[unit.index][0] in ("edited", "deleted")
            for segment in unit.segments:
                target = self.one_to_one.get(segment.id)
                if target is None:
                    continue
                self._seed_pair(segment.text, target.text, "segment", segment.id)
                if not changed:
                    continue
                old_sentences = segment_sentences(segment, self.src_lang)
                tgt_sentences = segment_sentences(target, self.tgt_lang)
                if len(old_sentences) < 2 or not tgt_sentences:
                    continue
                for src, tgt in self._beads(segment, target, old_sentences, tgt_sentences):
                    if not src or not tgt:
                        continue
                    source = " ".join(old_sentences[i].text for i in src)
                    translation = target.text[tgt_sentences[tgt[0]].start : tgt_sentences[tgt[-1]].end]
                    self._seed_pair(source, translation, "sentence", segment.id)

    def _existing_origin(self, old: Segment, target: Segment) -> tuple[Origin, bool]:
        """Who made ``target``, the existing translation of ``old``, and whether a person edited machine output
        (counted, and remembered in the memory as machine-edited)."""
        entry = self.memory.lookup(old.text)
        human_edit = self._edited_by_human(entry, target.text)
        if human_edit:
            self.report.human_edits_detected += 1
            self.updates.append(
                MemoryUpdate(
                    source=old.text,
                    target=target.text,
                    origin=Origin.MACHINE_EDITED,
                    level="segment",
                    segment_id=old.id,
                )
            )
        return _origin_of(entry, human_edit), human_edit

    def _edited_by_human(self, entry: MemoryEntry | None, target: str) -> bool:
        """Machine output published in *this* file that no longer reads as published: a person edited it."""
        return entry is not None and entry.provenance.file == self.file and entry.edited_by_human(target)

    def _seed_pair(self, source: str, target: str, level: Literal["segment", "sentence"], segment_id: str) -> None:
        key = normalise(source)
        if not key or key in self.local:
            return
        existing = self.memory.lookup(source)
        if existing is not None and not (
            # A human translation of text the memory only holds as machine output from another file wins.
            existing.origin is Origin.MACHINE
            and existing.provenance.file != self.file
            and normalise(existing.target) != normalise(target)
        ):
            return
        self.local[key] = target
        self.updates.append(
            MemoryUpdate(
                source=source,
                target=target,
                origin=Origin.HUMAN,
                level=level,
                segment_id=segment_id,
                seed=existing is None,
            )
        )

    def _lookup(self, source: str) -> tuple[str, Origin, int | None] | None:
        """Target, origin and (for machine output) the characters of machine text, from memory or this run."""
        local = self.local.get(normalise(source))
        if local is not None:  # the existing translation (human) from this run's pair comes first
            return local, Origin.HUMAN, None
        entry = self.memory.lookup(source)
        if entry is not None:
            return entry.target, entry.origin, entry.machine_chars
        return None

    def _unit(self, segment: Segment, start: int, end: int, *, whole: bool) -> MtUnit:
        line_start = self.new_doc.text.rfind("\n", 0, segment.start) + 1
        indent = " " * (segment.start - line_start) if segment.kind == "list-item" else ""
        unit = MtUnit(
            id=f"u{len(self.units) + 1:04d}",
            file=self.file,
            segment_id=segment.id,
            start=start,
            end=end,
            text=segment.text[start:end],
            chars=_span_chars(segment, start, end),
            whole_segment=whole,
            single_line=segment.kind in SINGLE_LINE_KINDS,
            indent=indent,
            newline=self.new_doc.newline,
        )
        self.units.append(unit)
        return unit

    def _fit(self, text: str, segment: Segment) -> str:
        if text == segment.text:
            return text
        line_start = self.new_doc.text.rfind("\n", 0, segment.start) + 1
        indent = " " * (segment.start - line_start) if segment.kind == "list-item" else ""
        single_line = segment.kind in SINGLE_LINE_KINDS
        return fit_text(text, single_line=single_line, indent=indent, newline=self.new_doc.newline)

    # -- accounting ------------------------------------------------------------------------------------------
    def _account(self, chunk: _Chunk, segment: Segment, result: _SegmentResult) -> None:
        chars = segment_chars(segment)
        report = self.report
        report.segments_total += 1
        report.source_chars_total += chars
        outcomes = report.outcomes
        setattr(outcomes, result.outcome, getattr(outcomes, result.outcome) + 1)
        self.origin_counts[result.origin.value] += 1
        if result.outcome == "flagged":
            report.flagged_chars += chars
            report.flagged_segments += 1
        else:
            mt = min(result.mt_chars, chars)
            report.mt_chars += result.mt_chars
            report.reused_chars += chars - mt
        if result.review is not None:
            chunk.review.append((result.review, segment.id, result.review_chars or chars))
        if result.mt_chars:
            # Tag the pieces, so that apply_sync can remember the whole segment's text as machine output.
            for piece in result.pieces:
                piece.segment = segment.id
            self.pending.append(
                PendingSegment(segment_id=segment.id, source=segment.text, machine_chars=result.review_chars)
            )

    def _count_kept(self, old: Unit, new: Unit) -> None:
        """An unchanged block copied from the translation: check its segments for human edits, count them."""
        chars_by_id: dict[str, int] = {}
        for old_segment, new_segment in zip(old.segments, new.segments, strict=False):
            target = self.one_to_one.get(old_segment.id)
            origin = Origin.HUMAN
            if target is not None:
                origin, _ = self._existing_origin(old_segment, target)
            chars_by_id[new_segment.id] = segment_chars(new_segment)
            self.report.segments_total += 1
            self.report.source_chars_total += chars_by_id[new_segment.id]
            self.report.reused_chars += chars_by_id[new_segment.id]
            self.report.outcomes.kept += 1
            self.origin_counts[origin.value] += 1

    def _count_source_only(self, new: Unit) -> None:
        for segment in new.segments:
            self.report.segments_total += 1
            self.report.source_chars_total += segment_chars(segment)
            self.report.reused_chars += segment_chars(segment)
            self.report.outcomes.source_only += 1

    def _assemble_report(self) -> None:
        self.report.origin_counts = dict(self.origin_counts)
        self.report.mt_units = len(self.units)

    # -- output ------------------------------------------------------------------------------------------------
    def _assemble(self, chunks: list[_Chunk]) -> list[Piece]:
        """Chunks to pieces: a review marker before a chunk that asks for one, one blank line at least between."""
        newline = self.tgt_doc.newline
        head = self.tgt_doc.text[: self.tgt_doc.blocks[0].start] if self.tgt_doc.blocks else ""
        pieces: list[Piece] = [Piece(text=head)] if head else []
        for index, chunk in enumerate(chunks):
            if chunk.review:
                pieces.append(Piece(text=format_marker(chunk.review) + newline + newline))
            body = [piece for piece in chunk.pieces if piece.unit is not None or piece.text]
            pieces.extend(body)
            if index == len(chunks) - 1:
                break
            ends_line = bool(body) and body[-1].unit is None and body[-1].text.endswith("\n")
            separator = chunk.separator if "\n" in chunk.separator else newline
            pieces.append(Piece(text=("" if ends_line else newline) + separator))
        if chunks:
            last = chunks[-1]
            body = [piece for piece in last.pieces if piece.unit is not None or piece.text]
            ends_line = bool(body) and body[-1].unit is None and body[-1].text.endswith("\n")
            if (self.tgt_doc.text or self.new_doc.text).endswith("\n") and not ends_line:
                pieces.append(Piece(text=newline))
            elif ends_line:
                pieces.append(Piece(text=last.separator))
        return pieces


# -- helpers ------------------------------------------------------------------------------------------------
def _monotone(edges: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The largest subset of (source unit, target unit) edges that never cross (both indices non-decreasing)."""
    ordered = sorted(edges)
    tails: list[int] = []  # smallest target index ending a chain of each length
    tail_at: list[int] = []
    parent: list[int] = [-1] * len(ordered)
    for index, (_, t) in enumerate(ordered):
        position = bisect.bisect_right(tails, t)
        if position == len(tails):
            tails.append(t)
            tail_at.append(index)
        else:
            tails[position] = t
            tail_at[position] = index
        parent[index] = tail_at[position - 1] if position else -1
    chain: list[tuple[int, int]] = []
    cursor = tail_at[-1] if tail_at else -1
    while cursor >= 0:
        chain.append(ordered[cursor])
        cursor = parent[cursor]
    return chain[::-1]


def _anchors(doc: Document) -> set[str]:
    """``:label:`` ids and figure files of a document (language-independent by d2lbook convention)."""
    found: set[str] = set()
    stack = list(doc.blocks)
    while stack:
        block = stack.pop()
        found.update(block.labels)
        if block.target:
            found.add(block.target.rsplit("/", 1)[-1])
        stack.extend(block.children)
    return found


def _fill_equal_gaps(links: SegmentLinks, src: Sequence[Segment], tgt: Sequence[Segment]) -> SegmentLinks:
    """Between two exact 1:1 links, as many unlinked segments on each side, of the same kinds: pair them in order
    (a segment a person edited after MT sits between neighbours the memory still recognises)."""
    src_position = {segment.id: index for index, segment in enumerate(src)}
    tgt_position = {segment.id: index for index, segment in enumerate(tgt)}
    anchors = [(-1, -1)]
    anchors += [(src_position[s[0]], tgt_position[t[0]]) for s, t in links if len(s) == 1 and len(t) == 1]
    anchors.append((len(src), len(tgt)))
    filled = list(links)
    for (s0, t0), (s1, t1) in itertools.pairwise(anchors):
        left, right = src[s0 + 1 : s1], tgt[t0 + 1 : t1]
        if left and len(left) == len(right) and all(a.kind == b.kind for a, b in zip(left, right, strict=True)):
            filled.extend(((a.id,), (b.id,)) for a, b in zip(left, right, strict=True))
    return sorted(filled, key=lambda link: src_position[link[0][0]])


def _pair_code_cells(src: Sequence[Unit], tgt: Sequence[Unit]) -> list[tuple[int, int]]:
    """Code cells of a source and target run that differ in number (zh ``paddle`` cells, an updated cell):
    pair, in order, cells of the same framework tab whose comment-free code is still mostly the same."""
    pairs: list[tuple[int, int]] = []
    start = 0
    for a in src:
        if not a.is_code:
            continue
        marker = _tab_of(a.text)
        for position in range(start, len(tgt)):
            b = tgt[position]
            if not b.is_code or _tab_of(b.text) != marker:
                continue
            ratio = difflib.SequenceMatcher(None, code_key(a.text), code_key(b.text), autojunk=False).ratio()
            if ratio >= CODE_SIMILARITY:
                pairs.append((a.index, b.index))
                start = position + 1
                break
    return pairs


def _tab_of(code: str) -> str:
    marker, _ = _split_tab_marker(code)
    return " ".join(marker.split()[1:]) if marker else ""


def _split_tab_marker(code: str) -> tuple[str | None, str]:
    """A code cell's framework marker line (``#@tab …`` / ``%%tab …``) and the cell without it."""
    lines = code.split("\n")
    if len(lines) > 1 and _TAB_MARKER.match(lines[1]):
        return lines[1], "\n".join(lines[:1] + lines[2:])
    return None, code


def _retag(target_code: str, new_code: str) -> str:
    """The target cell with the new source's tab marker line (added, replaced or removed)."""
    marker, _ = _split_tab_marker(new_code)
    _, body = _split_tab_marker(target_code)
    lines = body.split("\n")
    return "\n".join(lines[:1] + ([marker] if marker is not None else []) + lines[1:])


def _has_comments(code: str) -> bool:
    """Whether a code cell holds text a translator would touch (comments or docstrings)."""
    body = "\n".join(code.split("\n")[1:-1])
    return code_key(body) != " ".join(body.split())


def _origin_of(entry: MemoryEntry | None, human_edit: bool) -> Origin:
    if human_edit:
        return Origin.MACHINE_EDITED
    return entry.origin if entry is not None else Origin.HUMAN


def _attach_target_only(
    beads: list[tuple[tuple[int, ...], tuple[int, ...]]],
) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Fold target-only beads (a sentence the translator added) into the bead before them (or after, at the start)."""
    result: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    carry: tuple[int, ...] = ()
    for src, tgt in beads:
        if not src:
            if result:
                result[-1] = (result[-1][0], result[-1][1] + tgt)
            else:
                carry += tgt
            continue
        result.append((src, carry + tgt))
        carry = ()
    if carry and result:
        result[-1] = (result[-1][0], result[-1][1] + carry)
    return result


def _dominant_separator(text: str, sentences: Sequence[Sentence], default: str) -> str:
    """How the translation separates its sentences: a line break (semantic line breaks) or the language's default."""
    gaps = [text[a.end : b.start] for a, b in itertools.pairwise(sentences)]
    if gaps and sum("\n" in gap for gap in gaps) * 2 > len(gaps):
        return "\n"
    return default
