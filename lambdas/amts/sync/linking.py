"""Which blocks of the existing translation translate which blocks of the old source.

Segments are linked through the translation memory when its exact matches place most of the chapter (an earlier
sync wrote the translation), else by the alignment area's document aligner; ``amts.sync.gaps`` re-aligns and
completes what either left unlinked. Segment links become block links; the largest subset that never
crosses is kept, and the gaps between those anchors are filled with blocks that carry no text but the same
structure (code cells by their code, equations, figures and headings by their labels). Connected block links form
*clusters*: old-source blocks and the target blocks that translate them. Target blocks in no cluster are the
translation's own (a ``paddle`` tab, a translator's note) or blocks the aligner could not place.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from amts.book import BlockKind, Document, Segment, walk_blocks
from amts.errors import AlignmentError
from amts.language_profiles import sentence_separator
from amts.sync.changes import Unit
from amts.sync.code import pair_code_cells
from amts.sync.gaps import SegmentLinks, complete_links, realign_windows
from amts.sync.memory import TranslationMemory, loose_key, normalise

Aligner = Callable[[Document, Document, str, str], tuple[SegmentLinks, float]]

# Below this document-alignment confidence the old target is not a translation of the old source.
MIN_CONFIDENCE = 0.3
# At least this many labels/figure files on each side before their overlap is used as a sanity check.
MIN_ANCHORS = 3
MIN_SHARED_ANCHORS = 0.5
# Two label ids this similar are one label respelled (``sec_nadaraya-waston`` fixed to ``…-watson``).
LABEL_SIMILARITY = 0.85
# The memory links a chapter instead of the aligner when its own exact matches place at least this share of the old
# source's characters (the rest completed gap by gap). On the real book a re-sync of synced output has 91 % or
# more; a first sync, where the memory knows only other chapters' stock headings, 2 % or less.
MEMORY_SHARE = 0.5
SAME_TEXT_OPS = frozenset({"unchanged", "moved"})  # block operations that leave a block's text as it was


def default_aligner(src_doc: Document, tgt_doc: Document, src_lang: str, tgt_lang: str) -> tuple[SegmentLinks, float]:
    """Segment links from the alignment area's document aligner, with its confidence."""
    from amts.align import align_documents  # at call time: the aligner loads its models only when sync needs it

    alignment = align_documents(src_doc, tgt_doc, src_lang=src_lang, tgt_lang=tgt_lang)
    return [(tuple(link.src_ids), tuple(link.tgt_ids)) for link in alignment.links], float(alignment.confidence)


@dataclass
class Cluster:
    """Old-source blocks and the target blocks that translate them (connected by links)."""

    src: list[int] = field(default_factory=list)
    tgt: list[int] = field(default_factory=list)


@dataclass
class Linking:
    clusters: list[Cluster]
    cluster_of_src: dict[int, int]
    cluster_of_tgt: dict[int, int]
    one_to_one: dict[str, Segment]  # old-source segment id -> the one target segment that translates it
    segment_links: SegmentLinks  # every kept segment link (n:m included), for reusing sentences
    confidence: float | None


def link_translation(
    old_doc: Document,
    tgt_doc: Document,
    old_units: Sequence[Unit],
    tgt_units: Sequence[Unit],
    memory: TranslationMemory,
    *,
    aligner: Aligner,
    min_confidence: float,
) -> Linking:
    """Link the old source to the existing translation; raises ``AlignmentError`` when they do not belong together."""
    check_anchors(old_doc, tgt_doc)
    old_segments = [s for u in old_units for s in u.segments]
    tgt_segments = [s for u in tgt_units for s in u.segments]
    links, confidence = _segment_links(old_doc, tgt_doc, old_segments, tgt_segments, memory, aligner)
    if confidence is not None and confidence < min_confidence:
        raise AlignmentError(
            f"the old target does not look like a translation of the old source (alignment confidence "
            f"{confidence:.2f} < {min_confidence:.2f}; wrong file or a different book?); nothing was reused",
            path=tgt_doc.path,
        )
    old_unit_of = {s.id: u.index for u in old_units for s in u.segments}
    tgt_unit_of = {s.id: u.index for u in tgt_units for s in u.segments}
    tgt_segment = {s.id: s for s in tgt_segments}
    split: SegmentLinks = []
    for src_ids, tgt_ids in links:
        if len(src_ids) == len(tgt_ids) > 1:
            # n segments to n segments (often a paragraph and a tab block aligned as one region): pair in order.
            split.extend(((s,), (t,)) for s, t in zip(src_ids, tgt_ids, strict=True))
        else:
            split.append((src_ids, tgt_ids))
    edges = {(old_unit_of[s], tgt_unit_of[t]) for src_ids, tgt_ids in split for s in src_ids for t in tgt_ids}
    monotone = _monotone(sorted(edges))
    monotone = _link_structure(old_units, tgt_units, monotone)
    kept_pairs = set(monotone)
    kept_links = [
        (src_ids, tgt_ids)
        for src_ids, tgt_ids in split
        if all((old_unit_of[s], tgt_unit_of[t]) in kept_pairs for s in src_ids for t in tgt_ids)
    ]
    one_to_one = {
        src_ids[0]: tgt_segment[tgt_ids[0]] for src_ids, tgt_ids in kept_links if len(src_ids) == len(tgt_ids) == 1
    }
    clusters = _components(monotone)
    return Linking(
        clusters=clusters,
        cluster_of_src={s: index for index, cluster in enumerate(clusters) for s in cluster.src},
        cluster_of_tgt={t: index for index, cluster in enumerate(clusters) for t in cluster.tgt},
        one_to_one=one_to_one,
        segment_links=kept_links,
        confidence=confidence,
    )


def check_anchors(old_doc: Document, tgt_doc: Document) -> None:
    """Labels and figure files are the same in a book and its translation: a mismatch means a wrong pair.

    A label the translation respelled (a typo fixed) still counts as shared.
    """
    source, target = anchors(old_doc), anchors(tgt_doc)
    if len(source) < MIN_ANCHORS or len(target) < MIN_ANCHORS:
        return
    exact = source & target
    respelled = {
        a
        for a in source - exact
        if any(difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= LABEL_SIMILARITY for b in target - exact)
    }
    shared_count = len(exact) + len(respelled)
    smaller = min(len(source), len(target))
    if shared_count / smaller < MIN_SHARED_ANCHORS:
        raise AlignmentError(
            f"the old target shares only {shared_count / smaller:.0%} of its labels and figures with the old source "
            f"({shared_count} of {smaller}); wrong file or a different book? nothing was reused",
            path=tgt_doc.path,
        )


def anchors(doc: Document) -> set[str]:
    """``:label:`` ids and figure files of a document (language-independent by d2lbook convention)."""
    found: set[str] = set()
    for block in walk_blocks(doc.blocks):
        found.update(block.labels)
        if block.target:
            found.add(block.target.rsplit("/", 1)[-1])
    return found


def _segment_links(
    old_doc: Document,
    tgt_doc: Document,
    old_segments: Sequence[Segment],
    tgt_segments: Sequence[Segment],
    memory: TranslationMemory,
    aligner: Aligner,
) -> tuple[SegmentLinks, float | None]:
    if not old_segments or not tgt_segments:
        return [], None
    memory_links = _memory_links(old_segments, tgt_segments, memory)
    if _placed_share(memory_links, old_segments) >= MEMORY_SHARE:
        # The memory knows this translation (an earlier sync wrote it): its exact matches prove the pair belongs
        # together, and the segments between them (a reviewer's edit, a heading this chapter translates its own
        # way) are completed in order. Decided on the memory's matches alone: completion pairs whole gaps in order,
        # so it would "place" every segment of any file of the same shape and let a wrong file pass unaligned.
        completed = complete_links(memory_links, old_segments, tgt_segments)
        if len({s for src_ids, _ in completed for s in src_ids}) == len(old_segments):
            return completed, 1.0
    links, confidence = aligner(old_doc, tgt_doc, memory.source_lang, memory.target_lang)
    # The aligner's links alone (not mixed with the memory's): the same inputs always give the same links.
    kept = [(src, tgt) for src, tgt in links if src and tgt]
    repaired = realign_windows(kept, old_segments, tgt_segments, memory.source_lang, memory.target_lang)
    return complete_links(repaired, old_segments, tgt_segments), round(confidence, 4)


def _placed_share(links: SegmentLinks, segments: Sequence[Segment]) -> float:
    """The share of the segments' characters that ``links`` place."""
    linked = {s for src_ids, _ in links for s in src_ids}
    total = sum(len(segment.text) for segment in segments)
    return sum(len(s.text) for s in segments if s.id in linked) / total if total else 0.0


def _memory_links(old: Sequence[Segment], tgt: Sequence[Segment], memory: TranslationMemory) -> SegmentLinks:
    """Exact links through the memory, in order: a run of target segments that is what the memory holds for a run
    of source segments. Runs of up to three on either side: a translator may have split a paragraph or joined two,
    and the memory holds such a pair joined, as the chapter's pairs recorded it."""
    separator = sentence_separator(memory.target_lang)
    by_target: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for width in (1, 2, 3):
        for index in range(len(tgt) - width + 1):
            by_target[normalise(separator.join(s.text for s in tgt[index : index + width]))].append((index, width))
    links: SegmentLinks = []
    last = -1  # the last target segment linked: links keep the order
    index = 0
    while index < len(old):
        for width in (1, 2, 3):
            run = old[index : index + width]
            source = " ".join(segment.text for segment in run)
            entry = memory.lookup(source) or memory.lookup_loose(loose_key(source))
            found = [(k, w) for k, w in by_target.get(normalise(entry.target), []) if k > last] if entry else []
            if found:
                first, size = min(found)
                last = first + size - 1
                links.append((tuple(s.id for s in run), tuple(s.id for s in tgt[first : last + 1])))
                index += width
                break
            if index + width >= len(old):
                index += 1
                break
        else:
            index += 1
    return links


def _link_structure(
    old_units: Sequence[Unit], tgt_units: Sequence[Unit], anchors_: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Pair blocks the segment links left out, inside the gaps between linked blocks: text-less blocks (code
    cells, equations, directives) and blocks with the same labels or figure (a heading the aligner missed)."""
    linked_src = {s for s, _ in anchors_}
    linked_tgt = {t for _, t in anchors_}
    bounds = [(-1, -1), *anchors_, (len(old_units), len(tgt_units))]
    result = list(anchors_)
    for (s0, t0), (s1, t1) in itertools.pairwise(bounds):
        src = [u for u in old_units[s0 + 1 : s1] if u.index not in linked_src and _signature(u)]
        tgt = [
            u for u in tgt_units[t0 + 1 : t1] if u.index not in linked_tgt and _signature(u) and not u.is_review_marker
        ]
        if not src or not tgt:
            continue
        matcher = difflib.SequenceMatcher(
            None, [_signature(u) for u in src], [_signature(u) for u in tgt], autojunk=False
        )
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
                for a, b in zip(src[i1:i2], tgt[j1:j2], strict=True):
                    if tag == "equal" or (a.block.kind is b.block.kind and not a.segments and not b.segments):
                        result.append((a.index, b.index))
            if tag == "replace":
                result.extend(pair_code_cells(src[i1:i2], tgt[j1:j2]))
    return sorted(set(result))


def _signature(unit: Unit) -> str:
    """What a block shares with its translation apart from its text: its labels and figure for a block with
    text, its whole content (code without comments) for a block without, its framework for a Discussions link
    (the translation links to its own forum)."""
    leaves = [b for b in walk_blocks([unit.block]) if not b.children]
    inner = [b for b in leaves if b.kind not in (BlockKind.BLANK, BlockKind.TAB_MARKER)]
    if inner and all(b.kind is BlockKind.DISCUSSION for b in inner):
        return f"discussion\x00{','.join(sorted(unit.block.tab or ()))}"
    if unit.segments:
        labels = sorted(set(unit.block.labels))
        return f"{unit.block.kind}\x00{','.join(labels)}" if labels else ""
    return unit.cross_key


def _components(edges: Sequence[tuple[int, int]]) -> list[Cluster]:
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(node: tuple[str, int]) -> tuple[str, int]:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for src_unit, tgt_unit in edges:
        parent[find(("s", src_unit))] = find(("t", tgt_unit))
    groups: dict[tuple[str, int], Cluster] = {}
    for src_unit, tgt_unit in edges:
        cluster = groups.setdefault(find(("s", src_unit)), Cluster())
        if src_unit not in cluster.src:
            cluster.src.append(src_unit)
        if tgt_unit not in cluster.tgt:
            cluster.tgt.append(tgt_unit)
    clusters = sorted(groups.values(), key=lambda c: min(c.tgt))
    for cluster in clusters:
        cluster.src.sort()
        cluster.tgt.sort()
    return clusters


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
