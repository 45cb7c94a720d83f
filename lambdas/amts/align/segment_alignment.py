"""Segment-level alignment of two documents: the bead search over paragraphs, with structure as extra anchors.

Structure means ``:label:`` ids, figure file names, heading levels and segment kinds, plus the inline anchors
inside the text. Content that only one side has (framework tabs the other book lacks, a translation cut off) is
left out and reported; how related the two files look is measured on a small sample of linked groups.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from amts.align.embeddings import sampled_median_similarity, similarities
from amts.align.language_check import check_text_language
from amts.align.lexicon import Lexicon
from amts.align.models import Bead, PairStats, SegmentLink
from amts.align.relatedness import order_test
from amts.align.sentences import AlignerParams, align_sentences
from amts.align.text import segment_sentence_refs
from amts.book import Document, Segment, prose, segments
from amts.errors import InputError
from amts.language_profiles import embeddings_cover, sentence_separator

# Paragraph-level search: a missing paragraph is common (tabs, notes), so skipping is cheaper than for sentences.
SEGMENT_PARAMS = AlignerParams(
    skip_cost=1.0,
    anchor_match=0.6,
    anchor_miss=0.25,
    length_weight=0.2,
    # Translators merge or split paragraphs far less often than sentences, and almost never two at a time.
    shape_penalty={(1, 1): 0.0, (1, 2): 0.3, (2, 1): 0.3, (2, 2): 2.0, (1, 3): 0.6, (3, 1): 0.6},
    band=25,
    use_embeddings=False,
    wide_shapes=False,
)
SAMPLE_SIZE = 6
LOW_CONFIDENCE = 0.25  # median similarity of sampled linked groups; unrelated D2L files score ~0.05-0.19
# One-sided content (a translation cut off, a passage only one side has). The length-and-anchor search spreads the
# shorter side over the longer one instead of leaving the rest unpaired, pairing unrelated paragraphs. Suspect it
# when the sides' paragraph counts differ by at least a fifth (at most 17 % on the 139 D2L origin pairs; cutting
# a translation in half gives 50 %) or when the last linked group is unrelated; then align the paragraphs again
# with embeddings, and leave out each one-sided region: a run of skipped paragraphs and unrelated-looking links
# (see docs/alignment.md).
IMBALANCE_SHARE = 0.2
IMBALANCE_MIN = 3
LOW_LINK = 0.3  # link similarity; 1 % of the correct links of the D2L origin pairs score below 0.40
REGION_SEGMENTS = 3


@dataclass
class DocumentSide:
    """One document as the segment search sees it: the segments kept (with their prose) and those left out."""

    doc: Document
    lang: str
    segments: list[Segment]
    kept: list[Segment] = field(default_factory=list)
    unpaired: list[tuple[str, str]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    @functools.cached_property
    def text_by_id(self) -> dict[str, str]:
        """Prose of each kept segment (read once ``_prepare`` has filled ``kept`` and ``texts``)."""
        return {seg.id: text for seg, text in zip(self.kept, self.texts, strict=True)}

    def joined(self, ids: Sequence[str]) -> str:
        """The prose of these kept segments as one text, joined as the language joins sentences."""
        return sentence_separator(self.lang).join(self.text_by_id[seg_id] for seg_id in ids)


def _tab_names(segs: Sequence[Segment]) -> set[str]:
    return {name for seg in segs for name in (seg.tab or ())}


def _prepare(doc: Document, lang: str, other_tabs: set[str], role: str) -> DocumentSide:
    segs = segments(doc)
    side = DocumentSide(doc, lang, segs)
    for seg in segs:
        if seg.tab and not any(name in other_tabs for name in seg.tab):
            side.unpaired.append((seg.id, f"tab {', '.join(seg.tab)} only in the {role} document"))
            continue
        text = prose(seg)
        if not text:
            continue
        side.kept.append(seg)
        side.texts.append(text)
    if not side.kept:
        raise InputError("no translatable text (an empty side cannot be aligned)", path=doc.path)
    check_text_language(" ".join(side.texts[:80]), lang, path=doc.path, role=role)
    return side


def _structure(seg: Segment) -> Counter[str]:
    tokens: Counter[str] = Counter("label:" + label for label in seg.labels)
    tokens["kind:" + seg.kind] += 1
    if seg.level:
        tokens[f"heading:{seg.level}"] += 1
    return tokens


def align_segment_beads(
    src_doc: Document,
    tgt_doc: Document,
    src_lang: str,
    tgt_lang: str,
    lexicon: Lexicon | None,
    *,
    one_sided: bool,
    stats: PairStats,
    name: str,
    low_confidence: float = LOW_CONFIDENCE,
) -> tuple[DocumentSide, DocumentSide, list[Bead], float, bool]:
    """The segment beads of two documents, how related they look (confidence) and whether that is enough.
    With ``one_sided``, a suspected one-sided region is aligned again with embeddings and its unrelated links are
    dropped (counted in ``stats``)."""
    src, tgt, beads = _align_segments(src_doc, tgt_doc, src_lang, tgt_lang, lexicon)
    links, _, _ = segment_links(src, tgt, beads)
    # Similarity thresholds hold for languages the embedding model was trained on; for the others (vi...) the
    # texts' relatedness is tested by sentence order, and one-sided content by runs of unpaired paragraphs.
    if embeddings_cover(src_lang, tgt_lang):
        confidence = _relatedness(src, tgt, links)
        related = confidence >= low_confidence
        if one_sided and related:
            scored = _looks_one_sided(src, tgt, links)
            if scored:
                beads = _segment_beads(src, tgt, lexicon, embedded=True)
            beads = _drop_one_sided(src, tgt, beads, stats, name, scored=scored)
    else:
        if one_sided:
            beads = _drop_one_sided(src, tgt, beads, stats, name, scored=False)
        src_sentences, tgt_sentences = _linked_sentences(src, tgt, beads)
        test = order_test(src_sentences, tgt_sentences, src_lang=src_lang, tgt_lang=tgt_lang)
        confidence, related = test.gain, test.related is not False
    return src, tgt, beads, confidence, related


def _linked_sentences(src: DocumentSide, tgt: DocumentSide, beads: Sequence[Bead]) -> tuple[list[str], list[str]]:
    """The sentences of the linked segments of each side (one-sided content such as translator credits left out)."""
    sides = []
    for side, picked in (
        (src, [i for b in beads if b.is_pair for i in b.src]),
        (tgt, [j for b in beads if b.is_pair for j in b.tgt]),
    ):
        sides.append([ref.text for k in picked for ref in segment_sentence_refs(side.kept[k], side.lang)])
    return sides[0], sides[1]


def _align_segments(
    src_doc: Document, tgt_doc: Document, src_lang: str, tgt_lang: str, lexicon: Lexicon | None
) -> tuple[DocumentSide, DocumentSide, list[Bead]]:
    src_tabs, tgt_tabs = _tab_names(segments(src_doc)), _tab_names(segments(tgt_doc))
    src = _prepare(src_doc, src_lang, tgt_tabs, "source")
    tgt = _prepare(tgt_doc, tgt_lang, src_tabs, "target")
    return src, tgt, _segment_beads(src, tgt, lexicon, embedded=False)


def _segment_beads(src: DocumentSide, tgt: DocumentSide, lexicon: Lexicon | None, *, embedded: bool) -> list[Bead]:
    """The segment-level search: length, anchors and structure; with ``embedded``, segment embeddings too."""
    params = dataclasses.replace(SEGMENT_PARAMS, use_embeddings=True) if embedded else SEGMENT_PARAMS
    return align_sentences(
        src.texts,
        tgt.texts,
        src_lang=src.lang,
        tgt_lang=tgt.lang,
        lexicon=lexicon,
        params=params,
        src_extra=[_structure(seg) for seg in src.kept],
        tgt_extra=[_structure(seg) for seg in tgt.kept],
    )


def _link_similarities(src: DocumentSide, tgt: DocumentSide, links: Sequence[SegmentLink]) -> list[float]:
    return similarities([src.joined(link.src_ids) for link in links], [tgt.joined(link.tgt_ids) for link in links])


def _looks_one_sided(src: DocumentSide, tgt: DocumentSide, links: Sequence[SegmentLink]) -> bool:
    """Whether one side may hold content the other lacks, which the length-and-anchor search would mis-pair."""
    larger, smaller = max(len(src.kept), len(tgt.kept)), min(len(src.kept), len(tgt.kept))
    if larger - smaller >= IMBALANCE_MIN and larger - smaller >= IMBALANCE_SHARE * larger:
        return True
    return bool(links) and _link_similarities(src, tgt, links[-1:])[0] < LOW_LINK


def _one_sided_regions(beads: Sequence[Bead], *, scored: bool) -> list[list[int]]:
    """Indices (into ``beads``) of each one-sided region: a run of skipped paragraphs all on one side, three or
    more; or, when the beads are ``scored`` (embeddings), a run of skips and pairs scoring below ``LOW_LINK`` that
    holds three segments or more or reaches either end of the document. A lone skipped paragraph, skips on both
    sides (a passage restructured, re-examined sentence by sentence) or a lone loose pair is no region."""
    regions: list[list[int]] = []
    current: list[int] = []
    for k, bead in enumerate([*beads, Bead((0,), (0,), 1.0)]):  # a sentinel closes the last run
        if not bead.is_pair or (scored and bead.score < LOW_LINK):
            current.append(k)
            continue
        if current:
            run = [beads[i] for i in current]
            size = sum(len(b.src) + len(b.tgt) for b in run)
            if any(b.is_pair for b in run):
                at_end = current[0] == 0 or current[-1] == len(beads) - 1
                if size >= REGION_SEGMENTS or at_end:
                    regions.append(current)
            elif size >= REGION_SEGMENTS and (all(b.src for b in run) or all(b.tgt for b in run)):
                regions.append(current)
        current = []
    return regions


def segment_links(
    src: DocumentSide, tgt: DocumentSide, beads: Sequence[Bead]
) -> tuple[list[SegmentLink], list[tuple[str, str]], list[tuple[str, str]]]:
    links = []
    src_unpaired, tgt_unpaired = list(src.unpaired), list(tgt.unpaired)
    for bead in beads:
        src_ids = tuple(src.kept[i].id for i in bead.src)
        tgt_ids = tuple(tgt.kept[j].id for j in bead.tgt)
        if src_ids and tgt_ids:
            links.append(SegmentLink(src_ids, tgt_ids, 1.0))
        else:
            for seg_id in src_ids:
                src_unpaired.append((seg_id, "no counterpart in the target document"))
            for seg_id in tgt_ids:
                tgt_unpaired.append((seg_id, "no counterpart in the source document"))
    return links, src_unpaired, tgt_unpaired


def _relatedness(src: DocumentSide, tgt: DocumentSide, links: Sequence[SegmentLink]) -> float:
    """Median embedding similarity of a few evenly spaced linked segment groups (0 when nothing links)."""
    groups = [(src.joined(link.src_ids), tgt.joined(link.tgt_ids)) for link in links]
    return sampled_median_similarity(groups, sample_size=SAMPLE_SIZE)


def _drop_one_sided(
    src: DocumentSide, tgt: DocumentSide, beads: list[Bead], stats: PairStats, name: str, *, scored: bool
) -> list[Bead]:
    """The beads without their one-sided regions; each region is counted and described in ``stats``."""
    dropped: set[int] = set()
    for region in _one_sided_regions(beads, scored=scored):
        dropped.update(region)
        src_ids = [src.kept[i].id for k in region for i in beads[k].src]
        tgt_ids = [tgt.kept[j].id for k in region for j in beads[k].tgt]
        stats.dropped["segment in a one-sided region"] += len(src_ids) + len(tgt_ids)
        low = [beads[k].score for k in region if beads[k].is_pair]
        paired = f"; {len(low)} unrelated-looking link(s), similarity {max(low):.2f} at most" if low else ""
        stats.one_sided_regions.append(
            f"{name}: source {_id_range(src_ids)}, target {_id_range(tgt_ids)}: no counterpart on the other "
            f"side{paired}; left out"
        )
    return [bead for k, bead in enumerate(beads) if k not in dropped]


def _id_range(ids: Sequence[str]) -> str:
    if not ids:
        return "none"
    return ids[0] if len(ids) == 1 else f"{ids[0]}-{ids[-1]}"
