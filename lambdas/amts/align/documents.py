"""Document alignment: pair the translatable segments of a book file with its translation, then its sentences.

Segments are aligned by the same bead search as sentences, with structure as extra anchors (``:label:`` ids,
figure file names, heading levels, segment kinds, plus the inline anchors inside the text). Content that only
one side has (framework tabs the other book lacks, rewritten or added passages) is left out and reported.
Sentences are then aligned inside each linked group of segments. Embeddings are used where they pay off: with
``embeddings="auto"`` only for segment groups whose sentences do not pair up one to one by length and anchors,
and for a small sample that measures how related the two files are.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from amts.align.embeddings import FloatMatrix, embed, sampled_median_similarity, similarities
from amts.align.language_check import check_text_language
from amts.align.lexicon import Lexicon
from amts.align.models import Bead, DocumentAlignment, Granularity, PairSet, PairStats, SegmentLink, TextPair
from amts.align.relatedness import order_test
from amts.align.sentences import AlignerParams, align_sentences
from amts.align.text import SentenceRef, segment_sentence_refs
from amts.book import Document, Segment, prose, segments
from amts.errors import InputError
from amts.language_profiles import embeddings_cover, sentence_separator

EmbeddingMode = Literal["auto", "on", "off"]

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
class PairOptions:
    """How ``extract_pairs`` works: unit of the pairs, use of embeddings, and the thresholds for dropping."""

    granularity: Granularity = "sentence"
    embeddings: EmbeddingMode = "auto"
    min_similarity: float = 0.15
    low_confidence: float = LOW_CONFIDENCE


@dataclass
class _Side:
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


def _prepare(doc: Document, lang: str, other_tabs: set[str], role: str) -> _Side:
    segs = segments(doc)
    side = _Side(doc, lang, segs)
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


def align_documents(
    src_doc: Document,
    tgt_doc: Document,
    *,
    src_lang: str,
    tgt_lang: str,
    lexicon: Lexicon | None = None,
    one_sided: bool = False,
) -> DocumentAlignment:
    """Segment-level alignment with a confidence per link; one-sided content is listed with its reason.

    With ``one_sided``, content only one side has (a translation cut off) is looked for as ``extract_pairs``
    does, and the links of a one-sided region are left out (their segments are listed as unpaired).
    """
    src, tgt, beads, confidence, _ = _aligned(
        src_doc, tgt_doc, src_lang, tgt_lang, lexicon, one_sided=one_sided, stats=PairStats(), name=src_doc.path
    )
    links, src_unpaired, tgt_unpaired = _links(src, tgt, beads)
    reason = "in a one-sided region (low-confidence run)"
    src_used = {i for bead in beads for i in bead.src}
    tgt_used = {j for bead in beads for j in bead.tgt}
    src_unpaired += [(seg.id, reason) for i, seg in enumerate(src.kept) if i not in src_used]
    tgt_unpaired += [(seg.id, reason) for j, seg in enumerate(tgt.kept) if j not in tgt_used]
    return DocumentAlignment(src_doc.path, tgt_doc.path, links, src_unpaired, tgt_unpaired, confidence)


def _aligned(
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
) -> tuple[_Side, _Side, list[Bead], float, bool]:
    """The segment beads of two documents, how related they look (confidence) and whether that is enough.
    With ``one_sided``, a suspected one-sided region is aligned again with embeddings and its unrelated links are
    dropped (counted in ``stats``)."""
    src, tgt, beads = _align_segments(src_doc, tgt_doc, src_lang, tgt_lang, lexicon)
    links, _, _ = _links(src, tgt, beads)
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


def _linked_sentences(src: _Side, tgt: _Side, beads: Sequence[Bead]) -> tuple[list[str], list[str]]:
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
) -> tuple[_Side, _Side, list[Bead]]:
    src_tabs, tgt_tabs = _tab_names(segments(src_doc)), _tab_names(segments(tgt_doc))
    src = _prepare(src_doc, src_lang, tgt_tabs, "source")
    tgt = _prepare(tgt_doc, tgt_lang, src_tabs, "target")
    return src, tgt, _segment_beads(src, tgt, lexicon, embedded=False)


def _segment_beads(src: _Side, tgt: _Side, lexicon: Lexicon | None, *, embedded: bool) -> list[Bead]:
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


def _link_similarities(src: _Side, tgt: _Side, links: Sequence[SegmentLink]) -> list[float]:
    return similarities([src.joined(link.src_ids) for link in links], [tgt.joined(link.tgt_ids) for link in links])


def _looks_one_sided(src: _Side, tgt: _Side, links: Sequence[SegmentLink]) -> bool:
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


def _links(
    src: _Side, tgt: _Side, beads: Sequence[Bead]
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


def _regions(src: _Side, tgt: _Side, beads: Sequence[Bead]) -> list[tuple[list[str], list[str], bool]]:
    """Groups of segments whose sentences are aligned together: each linked group, plus the unlinked segments
    next to it (a paragraph the segment search left out may still hold sentences that a neighbour merged)."""
    regions: list[tuple[list[str], list[str], bool]] = []
    src_ids: list[str] = []
    tgt_ids: list[str] = []
    has_pair = has_skip = previous_pair = False
    for bead in beads:
        is_pair = bool(bead.src) and bool(bead.tgt)
        if is_pair and previous_pair and has_pair:
            regions.append((src_ids, tgt_ids, has_skip))
            src_ids, tgt_ids, has_skip = [], [], False
        src_ids.extend(src.kept[i].id for i in bead.src)
        tgt_ids.extend(tgt.kept[j].id for j in bead.tgt)
        has_pair = has_pair or is_pair
        has_skip = has_skip or not is_pair
        previous_pair = is_pair
    if src_ids or tgt_ids:
        regions.append((src_ids, tgt_ids, has_skip))
    return regions


def _relatedness(src: _Side, tgt: _Side, links: Sequence[SegmentLink]) -> float:
    """Median embedding similarity of a few evenly spaced linked segment groups (0 when nothing links)."""
    groups = [(src.joined(link.src_ids), tgt.joined(link.tgt_ids)) for link in links]
    return sampled_median_similarity(groups, sample_size=SAMPLE_SIZE)


def _sentence_beads(
    src_refs: Sequence[SentenceRef],
    tgt_refs: Sequence[SentenceRef],
    src_lang: str,
    tgt_lang: str,
    lexicon: Lexicon | None,
    mode: EmbeddingMode,
    *,
    uncertain: bool = False,
) -> tuple[list[Bead], bool]:
    """Beads for one group of segments, and whether embeddings were used for it."""
    src_texts = [ref.text for ref in src_refs]
    tgt_texts = [ref.text for ref in tgt_refs]
    if not src_texts or not tgt_texts:
        return [Bead((i,), ()) for i in range(len(src_texts))] + [Bead((), (j,)) for j in range(len(tgt_texts))], False
    if len(src_texts) == 1 and len(tgt_texts) == 1 and mode != "on" and not uncertain:
        return [Bead((0,), (0,), 1.0)], False
    if mode == "off" or (mode == "auto" and not uncertain):
        cheap = align_sentences(
            src_texts,
            tgt_texts,
            src_lang=src_lang,
            tgt_lang=tgt_lang,
            lexicon=lexicon,
            params=AlignerParams(use_embeddings=False),
        )
        if mode == "off" or (len(src_texts) == len(tgt_texts) and all(b.kind == "1-1" for b in cheap)):
            return cheap, False
    src_vectors: FloatMatrix = embed(src_texts)
    tgt_vectors: FloatMatrix = embed(tgt_texts)
    beads = align_sentences(
        src_texts,
        tgt_texts,
        src_lang=src_lang,
        tgt_lang=tgt_lang,
        lexicon=lexicon,
        src_vectors=src_vectors,
        tgt_vectors=tgt_vectors,
    )
    return beads, True


def extract_pairs(
    src_doc: Document,
    tgt_doc: Document,
    *,
    src_lang: str,
    tgt_lang: str,
    granularity: Granularity = "sentence",
    lexicon: Lexicon | None = None,
    options: PairOptions | None = None,
    src_name: str | None = None,
    tgt_name: str | None = None,
) -> PairSet:
    """Parallel text pairs from two documents; unpaired content is left out and counted in ``stats.dropped``.

    When the two files look unrelated (low median similarity of linked segments), every pair is dropped, the
    file is listed in ``stats.low_confidence_files`` and ``confidence`` says how related they looked.
    """
    options = options or PairOptions(granularity=granularity)
    options.granularity = granularity
    src_name = src_name or src_doc.path
    tgt_name = tgt_name or tgt_doc.path
    stats = PairStats(files=1)
    src, tgt, seg_beads, confidence, related = _aligned(
        src_doc,
        tgt_doc,
        src_lang,
        tgt_lang,
        lexicon,
        one_sided=True,
        stats=stats,
        name=src_name,
        low_confidence=options.low_confidence,
    )
    links, src_unpaired, tgt_unpaired = _links(src, tgt, seg_beads)
    sentence_level = options.granularity == "sentence"
    for _, reason in src_unpaired:
        # At sentence level an unlinked paragraph is re-examined with its neighbours; only tabs are final.
        if not sentence_level or reason.startswith("tab "):
            stats.dropped["source segment: " + _reason_key(reason)] += 1
    for _, reason in tgt_unpaired:
        if not sentence_level or reason.startswith("tab "):
            stats.dropped["target segment: " + _reason_key(reason)] += 1
    pairs: list[TextPair] = []
    if not sentence_level:
        for link in links:
            stats.beads[f"{len(link.src_ids)}-{len(link.tgt_ids)}"] += 1
            pairs.append(
                TextPair(
                    src.joined(link.src_ids),
                    tgt.joined(link.tgt_ids),
                    f"{src_name}#{','.join(link.src_ids)}",
                    f"{tgt_name}#{','.join(link.tgt_ids)}",
                )
            )
    else:
        src_by_id = {seg.id: seg for seg in src.kept}
        tgt_by_id = {seg.id: seg for seg in tgt.kept}
        for src_ids, tgt_ids, uncertain in _regions(src, tgt, seg_beads):
            src_refs = [ref for i in src_ids for ref in segment_sentence_refs(src_by_id[i], src_lang)]
            tgt_refs = [ref for j in tgt_ids for ref in segment_sentence_refs(tgt_by_id[j], tgt_lang)]
            stats.src_sentences += len(src_refs)
            stats.tgt_sentences += len(tgt_refs)
            beads, embedded = _sentence_beads(
                src_refs, tgt_refs, src_lang, tgt_lang, lexicon, options.embeddings, uncertain=uncertain
            )
            joiners = (sentence_separator(src_lang), sentence_separator(tgt_lang))
            thresholded = embedded and embeddings_cover(src_lang, tgt_lang)  # scores on the trained scale
            pairs.extend(
                _sentence_pairs(beads, src_refs, tgt_refs, thresholded, options, stats, src_name, tgt_name, joiners)
            )
    if not related and pairs:
        stats.dropped["low-confidence alignment (unrelated texts?)"] += len(pairs)
        stats.low_confidence_files.append(f"{src_name} <> {tgt_name}")
        pairs = []
    stats.pairs = len(pairs)
    return PairSet(src_lang, tgt_lang, pairs, stats, round(confidence, 4))


def _drop_one_sided(
    src: _Side, tgt: _Side, beads: list[Bead], stats: PairStats, name: str, *, scored: bool
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


def _sentence_pairs(
    beads: Sequence[Bead],
    src_refs: Sequence[SentenceRef],
    tgt_refs: Sequence[SentenceRef],
    embedded: bool,
    options: PairOptions,
    stats: PairStats,
    src_name: str,
    tgt_name: str,
    joiners: tuple[str, str],
) -> list[TextPair]:
    pairs = []
    src_lang_joiner, tgt_lang_joiner = joiners
    for bead in beads:
        stats.beads[bead.kind] += 1
        if not bead.is_pair:
            stats.dropped["unpaired sentence (1-0/0-1 bead)"] += len(bead.src) + len(bead.tgt)
            continue
        if embedded and bead.score < options.min_similarity:
            stats.dropped["sentence pair below the similarity threshold"] += 1
            continue
        left = [src_refs[i] for i in bead.src]
        right = [tgt_refs[j] for j in bead.tgt]
        pairs.append(
            TextPair(
                src_lang_joiner.join(ref.text for ref in left),
                tgt_lang_joiner.join(ref.text for ref in right),
                f"{src_name}:{left[0].start}-{left[-1].end}",
                f"{tgt_name}:{right[0].start}-{right[-1].end}",
            )
        )
    return pairs


def _reason_key(reason: str) -> str:
    return reason.split(" only in ")[0] + " (one-sided tab)" if reason.startswith("tab ") else reason
