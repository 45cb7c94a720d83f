"""Segment links made whole: what the document aligner or the memory left unlinked between two links.

- ``realign_windows``: a stretch where the document aligner (lengths and anchors) left segments unlinked on both
  sides is aligned again with sentence embeddings (there it often paired a paragraph with its neighbour's
  translation, a translator having dropped a sentence);
- ``complete_links``: the segments still unlinked are placed gap by gap, in order, where the two sides plainly
  correspond (the same number of segments of the same kinds, a few of plausible length, a target segment whose
  references and inline code all occur in a neighbouring link's source).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from amts.align.sentences import AlignerParams, align_sentences
from amts.book import Segment, SpanKind, find_protected, prose

SegmentLinks = list[tuple[tuple[str, ...], tuple[str, ...]]]

# Unlinked segments left between two links are linked as one group when there are this few on each side and
# their length ratio is within this factor of the document's.
GAP_SEGMENTS = 6
GAP_RATIO_SLACK = 2.0
# A stretch the aligner left unlinked on both sides is aligned again with embeddings when it is this small.
WINDOW_SEGMENTS = 40


def realign_windows(
    links: SegmentLinks, src: Sequence[Segment], tgt: Sequence[Segment], src_lang: str, tgt_lang: str
) -> SegmentLinks:
    """Align again, with sentence embeddings, the stretches where the document aligner (length and anchors) left
    segments unlinked on both sides: there it often paired a paragraph with its neighbour's translation (a
    translator who dropped a sentence makes lengths misleading). A stretch runs from the link before the first
    unlinked segment to the link after the last one of a run of links that each border an unlinked segment."""
    src_position = {segment.id: index for index, segment in enumerate(src)}
    tgt_position = {segment.id: index for index, segment in enumerate(tgt)}
    ordered = sorted(links, key=lambda link: src_position[link[0][0]])
    if not ordered:
        return links
    linked_src = {s for link in ordered for s in link[0]}
    linked_tgt = {t for link in ordered for t in link[1]}
    source_tabs = {name for segment in src for name in (segment.tab or ())}

    def unlinked_between(lo: tuple[int, int], hi: tuple[int, int]) -> tuple[int, int]:
        left = sum(1 for s in src[lo[0] + 1 : hi[0]] if s.id not in linked_src)
        right = sum(
            1 for t in tgt[lo[1] + 1 : hi[1]] if t.id not in linked_tgt and not (t.tab and not set(t.tab) & source_tabs)
        )
        return left, right

    ends = [(-1, -1)] + [
        (max(src_position[s] for s in link[0]), max(tgt_position[t] for t in link[1])) for link in ordered
    ]
    starts = [(min(src_position[s] for s in link[0]), min(tgt_position[t] for t in link[1])) for link in ordered] + [
        (len(src), len(tgt))
    ]
    gaps = [unlinked_between(ends[i], starts[i]) for i in range(len(ordered) + 1)]  # gap i precedes link i
    result: SegmentLinks = []
    index = 0
    while index < len(ordered):
        if not any(gaps[index]) and not any(gaps[index + 1]):
            result.append(ordered[index])
            index += 1
            continue
        last = index  # links joined by gaps that hold unlinked segments form one stretch
        while last + 1 < len(ordered) and any(gaps[last + 1]):
            last += 1
        unlinked_src = sum(left for left, _ in gaps[index : last + 2])
        unlinked_tgt = sum(right for _, right in gaps[index : last + 2])
        lo_src, lo_tgt = ends[index][0] + 1, ends[index][1] + 1
        hi_src, hi_tgt = starts[last + 1]
        small = hi_src - lo_src <= WINDOW_SEGMENTS and hi_tgt - lo_tgt <= WINDOW_SEGMENTS
        if unlinked_src and unlinked_tgt and small:
            result.extend(_embedded_links(src[lo_src:hi_src], tgt[lo_tgt:hi_tgt], src_lang, tgt_lang, source_tabs))
        else:
            result.extend(ordered[index : last + 1])
        index = last + 1
    return result


def _embedded_links(
    src: Sequence[Segment], tgt: Sequence[Segment], src_lang: str, tgt_lang: str, source_tabs: set[str]
) -> SegmentLinks:
    """Links of a small stretch from sentence-embedding alignment of its segments' prose."""
    sources = [s for s in src if prose(s)]
    targets = [t for t in tgt if prose(t) and not (t.tab and not set(t.tab) & source_tabs)]
    if not sources or not targets:
        return []
    beads = align_sentences(
        [prose(s) for s in sources],
        [prose(t) for t in targets],
        src_lang=src_lang,
        tgt_lang=tgt_lang,
        params=AlignerParams(use_embeddings=True, skip_cost=1.0),
    )
    return [
        (tuple(sources[i].id for i in bead.src), tuple(targets[j].id for j in bead.tgt))
        for bead in beads
        if bead.src and bead.tgt
    ]


def complete_links(links: SegmentLinks, src: Sequence[Segment], tgt: Sequence[Segment]) -> SegmentLinks:
    """Place segments the links left out, gap by gap (a gap lies between two consecutive links):

    - as many unlinked segments on each side, of the same kinds: paired in order (a segment a person edited
      after MT, or one the aligner found too different, between neighbours that are linked);
    - a few on each side, of a plausible length: linked as one group (a translator made a list of an inline
      enumeration, or split a paragraph);
    - a target segment whose references and inline code all occur in the source of the link before (or after)
      it joins that link: a translator split a paragraph into more pieces than the aligner pairs at once.

    Target segments in framework tabs the source lacks stay out: they are the translation's own.
    """
    src_position = {segment.id: index for index, segment in enumerate(src)}
    tgt_position = {segment.id: index for index, segment in enumerate(tgt)}
    source_tabs = {name for segment in src for name in (segment.tab or ())}
    ordered = sorted((list(s), list(t)) for s, t in links if s and t)
    ordered.sort(key=lambda link: src_position[link[0][0]])
    linked_src = {s for link in ordered for s in link[0]}
    linked_tgt = {t for link in ordered for t in link[1]}
    extra: list[tuple[list[str], list[str]]] = []
    linked_chars = [
        (sum(len(src[src_position[a]].text) for a in s_ids), sum(len(tgt[tgt_position[b]].text) for b in t_ids))
        for s_ids, t_ids in ordered
    ]
    source_chars = sum(a for a, _ in linked_chars)
    ratio = sum(b for _, b in linked_chars) / source_chars if source_chars else None
    bounds: list[tuple[int, int, int, int, int | None]] = [(-1, -1, -1, -1, None)]
    for number, (s_ids, t_ids) in enumerate(ordered):
        s_at = [src_position[s] for s in s_ids]
        t_at = [tgt_position[t] for t in t_ids]
        bounds.append((min(s_at), max(s_at), min(t_at), max(t_at), number))
    bounds.append((len(src), len(src), len(tgt), len(tgt), None))
    for before, after in itertools.pairwise(bounds):
        left = [s for s in src[before[1] + 1 : after[0]] if s.id not in linked_src]
        right = [
            t
            for t in tgt[before[3] + 1 : after[2]]
            if t.id not in linked_tgt and not (t.tab and not set(t.tab) & source_tabs)
        ]
        if not right:
            continue
        if left and len(left) == len(right) and all(a.kind == b.kind for a, b in zip(left, right, strict=True)):
            extra.extend(([a.id], [b.id]) for a, b in zip(left, right, strict=True))
            continue
        if left and len(left) <= GAP_SEGMENTS and len(right) <= GAP_SEGMENTS and ratio is not None:
            gap_ratio = sum(len(t.text) for t in right) / max(1, sum(len(s.text) for s in left))
            if ratio / GAP_RATIO_SLACK <= gap_ratio <= ratio * GAP_RATIO_SLACK:
                # What is left between two links corresponds (translations keep the order): an inline list the
                # translator made a list of, a paragraph split in two.
                extra.append(([s.id for s in left], [t.id for t in right]))
                continue
        for segment in right:
            marks = _anchor_marks(segment.text)
            if not marks:
                continue
            for side in (before[4], after[4]):
                if side is None:
                    continue
                source_text = " ".join(src[src_position[s]].text for s in ordered[side][0])
                if marks <= _anchor_marks(source_text):
                    target_ids = ordered[side][1]
                    target_ids.append(segment.id) if side == before[4] else target_ids.insert(0, segment.id)
                    break
    completed = [(tuple(s), tuple(sorted(t, key=tgt_position.__getitem__))) for s, t in ordered + extra]
    return sorted(completed, key=lambda link: src_position[link[0][0]])


def _anchor_marks(text: str) -> set[str]:
    """References and inline code of a text: the same in a translation."""
    return {" ".join(span.text.split()) for span in find_protected(text) if span.kind in (SpanKind.ROLE, SpanKind.CODE)}
