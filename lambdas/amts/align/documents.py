"""Document alignment: pair the translatable segments of a book file with its translation, then its sentences.

Segments are aligned first (``amts.align.segment_alignment``: the same bead search as sentences, with structure
as extra anchors); content that only one side has (framework tabs the other book lacks, rewritten or added
passages) is left out and reported. Sentences are then aligned inside each linked group of segments. Embeddings
are used where they pay off: with ``embeddings="auto"`` only for segment groups whose sentences do not pair up one
to one by length and anchors, and for a small sample that measures how related the two files are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from amts.align.embeddings import FloatMatrix, embed
from amts.align.lexicon import Lexicon
from amts.align.models import Bead, DocumentAlignment, Granularity, PairSet, PairStats, TextPair
from amts.align.segment_alignment import LOW_CONFIDENCE, DocumentSide, align_segment_beads, segment_links
from amts.align.sentences import AlignerParams, align_sentences
from amts.align.text import SentenceRef, segment_sentence_refs
from amts.book import Document
from amts.language_profiles import embeddings_cover, sentence_separator

EmbeddingMode = Literal["auto", "on", "off"]


@dataclass
class PairOptions:
    """How ``extract_pairs`` works: unit of the pairs, use of embeddings, and the thresholds for dropping."""

    granularity: Granularity = "sentence"
    embeddings: EmbeddingMode = "auto"
    min_similarity: float = 0.15
    low_confidence: float = LOW_CONFIDENCE


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
    src, tgt, beads, confidence, _ = align_segment_beads(
        src_doc, tgt_doc, src_lang, tgt_lang, lexicon, one_sided=one_sided, stats=PairStats(), name=src_doc.path
    )
    links, src_unpaired, tgt_unpaired = segment_links(src, tgt, beads)
    reason = "in a one-sided region (low-confidence run)"
    src_used = {i for bead in beads for i in bead.src}
    tgt_used = {j for bead in beads for j in bead.tgt}
    src_unpaired += [(seg.id, reason) for i, seg in enumerate(src.kept) if i not in src_used]
    tgt_unpaired += [(seg.id, reason) for j, seg in enumerate(tgt.kept) if j not in tgt_used]
    return DocumentAlignment(src_doc.path, tgt_doc.path, links, src_unpaired, tgt_unpaired, confidence)


def _regions(src: DocumentSide, tgt: DocumentSide, beads: Sequence[Bead]) -> list[tuple[list[str], list[str], bool]]:
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
    src, tgt, seg_beads, confidence, related = align_segment_beads(
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
    links, src_unpaired, tgt_unpaired = segment_links(src, tgt, seg_beads)
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
