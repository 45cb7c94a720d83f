"""Alignment: pair a book with its translation, paragraph by paragraph and sentence by sentence.

Public API (see docs/module-map.md, section ``amts.align``)::

    beads = align_sentences(src_sentences, tgt_sentences, src_lang="en", tgt_lang="zh")
    alignment = align_documents(src_doc, tgt_doc, src_lang="en", tgt_lang="zh")
    pair_set = extract_pairs(src_doc, tgt_doc, src_lang="en", tgt_lang="zh", granularity="sentence")
    lexicon = load_lexicon("TERMINOLOGY.zh-en.md")
"""

from amts.align.beadio import format_beads, parse_beads
from amts.align.documents import PairOptions, align_documents, extract_pairs
from amts.align.lexicon import Lexicon, load_lexicon, parse_lexicon
from amts.align.models import Bead, DocumentAlignment, PairSet, PairStats, SegmentLink, TextPair
from amts.align.scoring import AlignmentScore, score_alignments
from amts.align.sentences import AlignerParams, align_sentences

__all__ = [
    "AlignerParams",
    "AlignmentScore",
    "Bead",
    "DocumentAlignment",
    "Lexicon",
    "PairOptions",
    "PairSet",
    "PairStats",
    "SegmentLink",
    "TextPair",
    "align_documents",
    "align_sentences",
    "extract_pairs",
    "format_beads",
    "load_lexicon",
    "parse_beads",
    "parse_lexicon",
    "score_alignments",
]
