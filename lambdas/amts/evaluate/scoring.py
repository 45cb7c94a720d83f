"""Score translated documents against human references: per document, per chapter and per run."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from amts.book import Document, Segment, SpanKind, join_lines, markdown_files, parse_file, segments, unwrapped_text
from amts.errors import AmtsError, InputError
from amts.evaluate.metrics import Tokenization, choose_tokenization, metric_names, score_pairs
from amts.evaluate.models import (
    AggregateScore,
    DocumentScore,
    MetricName,
    MetricScore,
    PairingStrategy,
    ScoreReport,
)
from amts.evaluate.pairing import AlignFn, IdGroups, Pairing, SegmentPair, SegmentView, has_prose, pair_segments
from amts.languages import check_language

# Unrelated texts: alignment's measure (amts.align.segment_alignment: the median embedding similarity of six sampled
# linked groups), with a threshold for scoring. Alignment's 0.25 was fitted across languages; a hypothesis and its
# reference share one language, where unrelated D2L chapters of the same folder score 0.18-0.47 and a chapter
# against its own (English) source 0.71-0.81 (docs/decisions.md).
SAMPLE_SIZE = 6
MIN_SAMPLED = 3  # fewer scored pairs than this say too little to call two texts unrelated
MIN_SAMPLED_WIDTH = 30  # headings ("Summary", "Exercises") recur in every chapter: sample paragraphs only
UNRELATED = 0.55
MIN_COVERAGE = 0.8  # amts score's default: a hypothesis missing a fifth of its reference is refused

# Markup around translated words: emphasis and strong marks, which d2l-zh and d2l-en place differently.
_EMPHASIS = re.compile(r"(?<!\\)[*]+")


def scoring_text(segment: Segment) -> str:
    """A segment's translated words only: like ``prose`` but without protected spans (inline code, math,
    roles, URLs, link targets), which reach the translation unchanged and would inflate the score."""
    words = unwrapped_text(segment, lambda span: "" if span.kind is SpanKind.LINK_OPEN else " ")
    return join_lines(_EMPHASIS.sub("", words))


def segment_views(doc: Document) -> list[SegmentView]:
    """The book model's segments as pairing needs them: the words to score, kind, tab and anchors."""
    views: list[SegmentView] = []
    for segment in segments(doc):
        text = scoring_text(segment)
        views.append(
            SegmentView(
                id=segment.id,
                kind=segment.kind,
                text=text,
                tabs=segment.tab,
                anchors=segment.labels,
                translatable=has_prose(text),
            )
        )
    return views


def chapter_of(path: str) -> str:
    """The chapter a document belongs to: its folder (``chapter_recurrent-modern``), else its file stem."""
    pure = PurePosixPath(path.replace("\\", "/"))
    return pure.parent.name or pure.stem


@dataclass(frozen=True)
class DocumentPair:
    """A hypothesis, its reference, and optionally the source both were translated from."""

    hyp: Document
    ref: Document
    src: Document | None = None
    src_lang: str | None = None
    chapter: str = ""
    name: str = ""


def document_aligner(first: Document, second: Document, first_lang: str, second_lang: str) -> AlignFn:
    def align() -> IdGroups | None:
        try:
            from amts.align import align_documents
        except ImportError:  # the alignment area is optional for scoring; fall back to the structure diff
            return None
        try:
            alignment = align_documents(first, second, src_lang=first_lang, tgt_lang=second_lang, one_sided=True)
        except AmtsError:
            return None
        return [(tuple(link.src_ids), tuple(link.tgt_ids)) for link in alignment.links]

    return align


def pair_document(pair: DocumentPair, tgt_lang: str) -> Pairing:
    """Pair a hypothesis with its reference (see :mod:`amts.evaluate.pairing`)."""
    hyp_views = segment_views(pair.hyp)
    ref_views = segment_views(pair.ref)
    if not any(v.translatable and v.text.strip() for v in hyp_views):
        raise InputError("the hypothesis is empty: it has no translatable text to score", path=pair.hyp.path)
    if not any(v.translatable and v.text.strip() for v in ref_views):
        raise InputError("the reference has no translatable text to score against", path=pair.ref.path)
    source_texts: dict[str, str] | None = None
    strategy: PairingStrategy = "aligner"
    aligner = document_aligner(pair.hyp, pair.ref, tgt_lang, tgt_lang)
    if pair.src is not None and pair.src_lang is not None:
        src_views = segment_views(pair.src)
        if [v.id for v in src_views] == [v.id for v in hyp_views]:
            # The hypothesis was rebuilt from this source, so its segments are the source's: align source and
            # reference across languages and carry the links over by id.
            source_texts = {v.id: v.text for v in src_views}
            aligner = document_aligner(pair.src, pair.ref, pair.src_lang, tgt_lang)
            strategy = "source-aligned"
    return pair_segments(
        hyp_views,
        ref_views,
        tgt_lang=tgt_lang,
        aligner=aligner,
        aligner_strategy=strategy,
        source_texts=source_texts,
    )


def _document_level(pairs: Sequence[SegmentPair], tokenization: Tokenization, chrf_plus: bool) -> list[MetricScore]:
    joiner = "" if tokenization.tokenize in ("zh", "char", "ja-mecab", "ko-mecab") else " "
    hyp = joiner.join(p.hyp for p in pairs)
    ref = joiner.join(p.ref for p in pairs)
    return score_pairs([hyp], [ref], tokenization, metrics=metric_names(chrf_plus=chrf_plus))


def relatedness(pairs: Sequence[SegmentPair]) -> float | None:
    """Median embedding similarity of up to six evenly spaced paragraph pairs (None for fewer than three): the
    measure alignment uses to call two texts unrelated (``amts.align.embeddings.sampled_median_similarity``)."""
    prose = [(pair.hyp, pair.ref) for pair in pairs if _width(pair.ref) >= MIN_SAMPLED_WIDTH]
    if len(prose) < MIN_SAMPLED:
        return None
    from amts.align.embeddings import sampled_median_similarity

    return round(sampled_median_similarity(prose, sample_size=SAMPLE_SIZE), 4)


def _width(text: str) -> int:
    """Columns without spaces: a wide (CJK) character counts two, so "Summary" and "小结" both stay short."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text if not char.isspace())


def _left_out(pair: DocumentPair, pairing: Pairing, related: float | None, min_coverage: float | None) -> str | None:
    """Why a document is not scored: unrelated to its reference, or too little of the reference covered."""
    if related is not None and related < UNRELATED:
        return (
            f"looks unrelated to {pair.ref.path}: sampled segment pairs have a median similarity of {related:.2f} "
            f"(below {UNRELATED}); not scored"
        )
    info = pairing.info
    if min_coverage is not None and info.coverage < min_coverage:
        return (
            f"only {info.ref_covered} of the {info.ref_translated} translated segments of {pair.ref.path} "
            f"({info.coverage:.0%}) have a hypothesis, below the minimum coverage of {min_coverage:.0%} (a "
            "truncated or partial translation?); not scored (--min-coverage 0 scores it anyway)"
        )
    return None


def score_document_pairs(
    pairs: Sequence[DocumentPair],
    *,
    tgt_lang: str,
    chrf_plus: bool = False,
    missing_hyp: Sequence[str] = (),
    missing_ref: Sequence[str] = (),
    min_coverage: float | None = None,
    refuse_unrelated: bool = False,
) -> ScoreReport:
    """Score every document pair, then corpus-level per chapter and over the whole run.

    A document whose hypothesis (with ``refuse_unrelated``) looks unrelated to its reference, or (with
    ``min_coverage``) covers too little of it, is left out with the reason; when nothing is left, that is an
    ``InputError`` naming the document. The pipeline scores its own translation of each chapter and asks for
    neither; ``amts score``, given files by a person, asks for both.
    """
    tokenization = choose_tokenization(tgt_lang)
    metrics = metric_names(chrf_plus=chrf_plus)
    if not pairs:
        raise InputError("no documents to score: no hypothesis file has a reference file")
    documents: list[DocumentScore] = []
    by_chapter: dict[str, list[SegmentPair]] = defaultdict(list)
    docs_by_chapter: dict[str, int] = defaultdict(int)
    everything: list[SegmentPair] = []
    notes: list[str] = [tokenization.note] if tokenization.note else []
    left_out: list[tuple[str, str]] = []
    coverage: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # chapter -> [covered, translated]
    for pair in pairs:
        pairing = pair_document(pair, tgt_lang)
        related = relatedness(pairing.pairs) if refuse_unrelated else None
        reason = _left_out(pair, pairing, related, min_coverage)
        if reason is not None:
            left_out.append((pair.hyp.path, reason))
            continue
        chapter = pair.chapter or chapter_of(pair.ref.path)
        coverage[chapter][0] += pairing.info.ref_covered
        coverage[chapter][1] += pairing.info.ref_translated
        scored = pairing.pairs
        documents.append(
            DocumentScore(
                hyp_path=pair.hyp.path,
                ref_path=pair.ref.path,
                chapter=chapter,
                segments=len(scored),
                metrics=_corpus(scored, tokenization, metrics),
                document_level=_document_level(scored, tokenization, chrf_plus) if scored else [],
                pairing=pairing.info,
                relatedness=related,
            )
        )
        if not scored:
            notes.append(f"{pair.hyp.path}: no segment paired with {pair.ref.path}; nothing scored")
        by_chapter[chapter].extend(scored)
        docs_by_chapter[chapter] += 1
        everything.extend(scored)
    if not everything:
        if left_out:
            path, reason = left_out[0]
            more = f" ({len(left_out) - 1} more documents left out)" if len(left_out) > 1 else ""
            raise InputError(reason + more, path=path)
        raise InputError(
            "no segment of any hypothesis paired with a reference segment; nothing to score",
            path=pairs[0].hyp.path if len(pairs) == 1 else None,
        )
    chapters = [
        AggregateScore(
            name=name,
            documents=docs_by_chapter[name],
            segments=len(chapter_pairs),
            metrics=_corpus(chapter_pairs, tokenization, metrics),
            coverage=_share(*coverage[name]),
        )
        for name, chapter_pairs in sorted(by_chapter.items())
    ]
    run = AggregateScore(
        name="run",
        documents=len(documents),
        segments=len(everything),
        metrics=_corpus(everything, tokenization, metrics),
        coverage=_share(sum(c for c, _ in coverage.values()), sum(t for _, t in coverage.values())),
    )
    notes.extend(f"{path}: {reason}" for path, reason in left_out)
    if missing_hyp:
        notes.append(f"{len(missing_hyp)} reference documents have no hypothesis and were not scored")
    if missing_ref:
        notes.append(f"{len(missing_ref)} hypothesis documents have no reference and were not scored")
    return ScoreReport(
        tgt_lang=tgt_lang,
        tokenize=tokenization.tokenize,
        documents=documents,
        chapters=chapters,
        run=run,
        missing_hyp=list(missing_hyp),
        missing_ref=list(missing_ref),
        left_out=[f"{path}: {reason}" for path, reason in left_out],
        notes=notes,
    )


def _share(covered: int, translated: int) -> float:
    return round(covered / translated, 4) if translated else 1.0


def _corpus(
    pairs: Sequence[SegmentPair], tokenization: Tokenization, metrics: Sequence[MetricName]
) -> list[MetricScore]:
    if not pairs:
        return []
    return score_pairs(
        [p.hyp for p in pairs],
        [p.ref for p in pairs],
        tokenization,
        metrics=metrics,
    )


def _check_languages(tgt_lang: str, src_lang: str | None) -> None:
    check_language(tgt_lang, what="target language")
    if src_lang is not None:
        check_language(src_lang, what="source language")


def score_documents(
    hyp_doc: Document,
    ref_doc: Document,
    *,
    tgt_lang: str,
    src_doc: Document | None = None,
    src_lang: str | None = None,
    chrf_plus: bool = False,
) -> ScoreReport:
    """Score one translated document against its human reference (the module map's contract)."""
    _check_languages(tgt_lang, src_lang)
    pair = DocumentPair(hyp=hyp_doc, ref=ref_doc, src=src_doc, src_lang=src_lang)
    return score_document_pairs([pair], tgt_lang=tgt_lang, chrf_plus=chrf_plus)


def _markdown_files(root: Path) -> dict[str, Path]:
    """The book's markdown files, hidden files left out."""
    return {rel: path for rel, path in markdown_files(root).items() if path.is_file() and not path.name.startswith(".")}


def score_paths(
    hyp: Path,
    ref: Path,
    *,
    tgt_lang: str,
    src: Path | None = None,
    src_lang: str | None = None,
    chrf_plus: bool = False,
    min_coverage: float | None = None,
) -> ScoreReport:
    """Score files or folders: folders pair their markdown files by relative path; the rest is reported. A
    hypothesis that looks unrelated to its reference is left out (``score_document_pairs``)."""
    _check_languages(tgt_lang, src_lang)
    for path, what in ((hyp, "hypothesis"), (ref, "reference"), (src, "source")):
        if path is not None and not path.exists():
            raise InputError(f"{what} not found", path=str(path))
    if hyp.is_dir() != ref.is_dir() or (src is not None and src.is_dir() != hyp.is_dir()):
        raise InputError("give files for every side, or folders for every side", path=str(hyp))
    if not hyp.is_dir():
        pair = DocumentPair(
            hyp=parse_file(hyp),
            ref=parse_file(ref),
            src=parse_file(src) if src is not None else None,
            src_lang=src_lang,
        )
        return score_document_pairs(
            [pair], tgt_lang=tgt_lang, chrf_plus=chrf_plus, min_coverage=min_coverage, refuse_unrelated=True
        )
    hyp_files, ref_files = _markdown_files(hyp), _markdown_files(ref)
    src_files = _markdown_files(src) if src is not None else {}
    if not hyp_files:
        raise InputError("the hypothesis folder has no markdown files", path=str(hyp))
    common = sorted(hyp_files.keys() & ref_files.keys())
    pairs = [
        DocumentPair(
            hyp=parse_file(hyp_files[rel]),
            ref=parse_file(ref_files[rel]),
            src=parse_file(src_files[rel]) if rel in src_files else None,
            src_lang=src_lang,
            chapter=chapter_of(rel),
            name=rel,
        )
        for rel in common
    ]
    return score_document_pairs(
        pairs,
        tgt_lang=tgt_lang,
        chrf_plus=chrf_plus,
        missing_hyp=sorted(ref_files.keys() - hyp_files.keys()),
        missing_ref=sorted(hyp_files.keys() - ref_files.keys()),
        min_coverage=min_coverage,
        refuse_unrelated=True,
    )
