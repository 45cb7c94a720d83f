"""The study's A/B experiments for any book and language pair, in either direction.

Table 1: translation without vs with parallel data (ACT). Table 2: parallel data from paragraph pairs vs
sentence pairs. Each evaluated section is translated by an :class:`Engine` and scored against its human
translation.

Leakage guard: a section scored against its human reference must not have its own pairs in the parallel
data, or the engine is reading the answer key. By default every pair from the section's chapter is left
out (leave-one-chapter-out); ``allow_leakage=True`` keeps them and every result says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from amts.book import Document, parse, prose, replace_segments, segments, split_sentences
from amts.errors import InputError
from amts.evaluate.metrics import Tokenization, choose_tokenization, metric_names, score_pairs
from amts.evaluate.models import (
    AggregateScore,
    ConditionResult,
    ExperimentReport,
    ExperimentRow,
    Granularity,
    LeakageGuard,
    MetricName,
    ScoreReport,
)
from amts.evaluate.pairing import IdGroups, SegmentPair, SegmentView, pair_segments
from amts.evaluate.scoring import document_aligner, segment_views
from amts.evaluate.significance import section_deltas
from amts.languages import LanguagePair

CONDITION_NO_ACT = "without ACT"
CONDITION_WITH_ACT = "with ACT"  # a pipeline run's ACT job (compare_score_reports)
CONDITION_PARAGRAPH = "ACT, paragraph pairs"
CONDITION_SENTENCE = "ACT, sentence pairs"
CONDITIONS: tuple[str, ...] = (CONDITION_NO_ACT, CONDITION_PARAGRAPH, CONDITION_SENTENCE)
_GRANULARITY_OF: dict[str, Granularity] = {CONDITION_PARAGRAPH: "paragraph", CONDITION_SENTENCE: "sentence"}


@dataclass(frozen=True)
class ParallelPair:
    """A source text and its translation, as an engine's parallel data."""

    src: str
    tgt: str


class TranslateSegments(Protocol):
    def __call__(
        self, texts: Sequence[str], src: str, tgt: str, parallel_pairs: Sequence[ParallelPair] | None
    ) -> list[str]: ...


@dataclass(frozen=True)
class Engine:
    """A translation engine: one text out per text in, optionally customized by parallel data."""

    name: str
    translate_segments: TranslateSegments
    description: str = ""
    # Which engine produced how many segments in the last call (e.g. {"translation-memory (exact)": 12}).
    usage: Callable[[], dict[str, int]] | None = None


@dataclass(frozen=True)
class BookDocument:
    """One document of a book in two (or more) languages, e.g. a d2l section in en and zh."""

    name: str
    chapter: str
    docs: Mapping[str, Document]


@dataclass(frozen=True)
class PoolPair:
    """A parallel pair remembering the document and chapter it came from (what the leakage guard needs)."""

    texts: Mapping[str, str]
    document: str
    chapter: str

    def oriented(self, src: str, tgt: str) -> ParallelPair:
        return ParallelPair(self.texts[src], self.texts[tgt])


ExtractFn = Callable[[Document, Document, str, str, Granularity], list[tuple[str, str]]]


def _extract_with_aligner(
    src_doc: Document, tgt_doc: Document, src_lang: str, tgt_lang: str, granularity: Granularity
) -> list[tuple[str, str]]:
    from amts.align import extract_pairs

    pair_set = extract_pairs(src_doc, tgt_doc, src_lang=src_lang, tgt_lang=tgt_lang, granularity=granularity)
    return [(pair.src, pair.tgt) for pair in pair_set.pairs]


def structural_pairs(
    src_doc: Document, tgt_doc: Document, src_lang: str, tgt_lang: str, granularity: Granularity
) -> list[tuple[str, str]]:
    """Pairs from document structure alone, for when the aligner is not available: segments pair where both
    documents have the same shape (kinds, anchors); sentences pair only inside segments with equal counts."""
    src_segments = {s.id: s for s in segments(src_doc)}
    tgt_segments = {s.id: s for s in segments(tgt_doc)}
    pairing = pair_segments(segment_views(src_doc), segment_views(tgt_doc), tgt_lang=tgt_lang)
    pairs: list[tuple[str, str]] = []
    for pair in pairing.pairs:
        if len(pair.hyp_ids) != 1 or len(pair.ref_ids) != 1:
            continue
        src_text, tgt_text = prose(src_segments[pair.hyp_ids[0]]), prose(tgt_segments[pair.ref_ids[0]])
        if granularity == "paragraph":
            pairs.append((src_text, tgt_text))
            continue
        src_sentences = split_sentences(src_text, src_lang)
        tgt_sentences = split_sentences(tgt_text, tgt_lang)
        if len(src_sentences) == len(tgt_sentences):
            pairs.extend((a.strip(), b.strip()) for a, b in zip(src_sentences, tgt_sentences, strict=True))
    return pairs


def build_pair_pool(
    book: Sequence[BookDocument],
    lang_a: str,
    lang_b: str,
    granularity: Granularity,
    *,
    extract: ExtractFn | None = None,
    on_document: Callable[[str], None] | None = None,
) -> list[PoolPair]:
    """Parallel pairs from every document of the book that has both languages (extracted by the aligner).
    ``on_document`` is told of each document's name when it is done (for progress)."""
    extractor = extract or _extract_with_aligner
    pool: list[PoolPair] = []
    for document in book:
        if lang_a in document.docs and lang_b in document.docs:
            for text_a, text_b in extractor(document.docs[lang_a], document.docs[lang_b], lang_a, lang_b, granularity):
                pool.append(PoolPair({lang_a: text_a, lang_b: text_b}, document.name, document.chapter))
        if on_document is not None:
            on_document(document.name)
    return pool


@dataclass
class _SectionRun:
    pairs: list[SegmentPair]
    result: ConditionResult


def run_experiments(
    book: Sequence[BookDocument],
    sections: Sequence[str],
    direction: LanguagePair,
    engine: Engine,
    pools: Mapping[Granularity, Sequence[PoolPair]],
    *,
    allow_leakage: bool = False,
    chrf_plus: bool = False,
    on_section: Callable[[str], None] | None = None,
) -> ExperimentReport:
    """Translate each section under every condition and score it against its human translation (``on_section``
    is told of each section when it is done, for progress)."""
    src, tgt = direction.source, direction.target
    tokenization = choose_tokenization(tgt)
    metrics = metric_names(chrf_plus=chrf_plus)
    by_name = {document.name: document for document in book}
    unknown = [name for name in sections if name not in by_name]
    if unknown:
        raise InputError(f"sections not in the book: {', '.join(unknown)}")
    if not sections:
        raise InputError("no sections to evaluate")
    conditions = [c for c in CONDITIONS if c == CONDITION_NO_ACT or _GRANULARITY_OF[c] in pools]
    rows: list[ExperimentRow] = []
    totals: dict[str, list[SegmentPair]] = {c: [] for c in conditions}
    scored: dict[str, dict[str, list[SegmentPair]]] = {}  # section -> condition -> its segment pairs
    for name in sections:
        document = by_name[name]
        for lang in (src, tgt):
            if lang not in document.docs:
                raise InputError(f"section {name} has no {lang} document")
        src_doc, ref_doc = document.docs[src], document.docs[tgt]
        section = _prepare(src_doc, ref_doc, direction)
        results: list[ConditionResult] = []
        for condition in conditions:
            run = _run_condition(
                condition,
                document,
                section,
                direction,
                engine,
                pools,
                allow_leakage=allow_leakage,
                metrics=metrics,
            )
            results.append(run.result)
            totals[condition].extend(run.pairs)
            scored.setdefault(name, {})[condition] = run.pairs
        rows.append(
            ExperimentRow(
                section=name, chapter=document.chapter, src_path=src_doc.path, ref_path=ref_doc.path, results=results
            )
        )
        if on_section is not None:
            on_section(name)
    total_scores = [
        AggregateScore(
            name=condition,
            documents=len(sections),
            segments=len(pairs),
            metrics=score_pairs([p.hyp for p in pairs], [p.ref for p in pairs], tokenization, metrics=metrics)
            if pairs
            else [],
        )
        for condition, pairs in totals.items()
    ]
    policy = (
        "own pairs included (opted in): sections were scored with their own chapter's pairs in the parallel data"
        if allow_leakage
        else "leave-one-chapter-out: each section's chapter was removed from the parallel data before it was scored"
    )
    notes = [tokenization.note] if tokenization.note else []
    notes.append(
        "the engine translates each segment's prose (inline math and code kept as written); the translation is "
        "put back into the source markdown and scored on translated words only"
    )
    report = ExperimentReport(
        src_lang=src,
        tgt_lang=tgt,
        tokenize=tokenization.tokenize,
        engine=engine.name,
        leakage_policy=policy,
        conditions=conditions,
        rows=rows,
        totals=total_scores,
        notes=notes,
    )
    comparisons = [(before, after) for _, before, after in report.comparisons]
    deltas = section_deltas(scored, comparisons, metrics=metrics, tokenize=tokenization.tokenize)
    return report.model_copy(update={"deltas": deltas})


def _run_condition(
    condition: str,
    document: BookDocument,
    section: _Section,
    direction: LanguagePair,
    engine: Engine,
    pools: Mapping[Granularity, Sequence[PoolPair]],
    *,
    allow_leakage: bool,
    metrics: Sequence[MetricName],
) -> _SectionRun:
    src, tgt = direction.source, direction.target
    parallel: list[ParallelPair] | None = None
    excluded = 0
    guard: LeakageGuard = "no-parallel-data"
    if condition != CONDITION_NO_ACT:
        pool = pools[_GRANULARITY_OF[condition]]
        if allow_leakage:
            guard = "own-pairs-included"
            parallel = [p.oriented(src, tgt) for p in pool]
        else:
            guard = "leave-one-chapter-out"
            parallel = [p.oriented(src, tgt) for p in pool if p.chapter != document.chapter]
            excluded = len(pool) - len(parallel)
    translations = engine.translate_segments(section.texts, src, tgt, parallel)
    if len(translations) != len(section.texts):
        raise InputError(
            f"engine {engine.name} returned {len(translations)} texts for {len(section.texts)} segments",
            path=section.src_doc.path,
        )
    # The translation goes back into the source markdown, and is scored the way a pipeline output is.
    hyp_markdown = replace_segments(section.src_doc, dict(zip(section.ids, translations, strict=True)))
    hyp_doc = parse(hyp_markdown, path=f"{section.src_doc.path} [{condition}; {engine.name}]")
    hyp_views = segment_views(hyp_doc)
    same_structure = [v.id for v in hyp_views] == [v.id for v in section.src_views]
    pairing = pair_segments(
        hyp_views,
        section.ref_views,
        tgt_lang=tgt,
        aligner=section.align if same_structure else document_aligner(hyp_doc, section.ref_doc, tgt, tgt),
        aligner_strategy="source-aligned" if same_structure else "aligner",
        source_texts={v.id: v.text for v in section.src_views} if same_structure else None,
    )
    scored = pairing.pairs
    result = ConditionResult(
        condition=condition,
        engine=engine.name,
        parallel_pairs=len(parallel) if parallel is not None else 0,
        excluded_pairs=excluded,
        leakage_guard=guard,
        characters=sum(len(text) for text in section.texts),
        engine_usage=engine.usage() if engine.usage is not None else {},
        segments=len(scored),
        metrics=score_pairs([p.hyp for p in scored], [p.ref for p in scored], section.tokenization, metrics=metrics)
        if scored
        else [],
        pairing=pairing.info,
    )
    return _SectionRun(pairs=scored, result=result)


@dataclass
class _Section:
    """A section's source and reference, prepared once for every condition."""

    src_doc: Document
    ref_doc: Document
    src_views: list[SegmentView]
    ref_views: list[SegmentView]
    ids: list[str]
    texts: list[str]
    align: Callable[[], IdGroups | None]
    tokenization: Tokenization


def _prepare(src_doc: Document, ref_doc: Document, direction: LanguagePair) -> _Section:
    src_views = segment_views(src_doc)
    translatable = {v.id for v in src_views if v.translatable}
    to_translate = [segment for segment in segments(src_doc) if segment.id in translatable]
    return _Section(
        src_doc=src_doc,
        ref_doc=ref_doc,
        src_views=src_views,
        ref_views=segment_views(ref_doc),
        ids=[segment.id for segment in to_translate],
        texts=[prose(segment) for segment in to_translate],
        align=cache(document_aligner(src_doc, ref_doc, direction.source, direction.target)),
        tokenization=choose_tokenization(direction.target),
    )


def compare_score_reports(
    without_act: ScoreReport,
    with_act: ScoreReport,
    *,
    src_lang: str,
    engine: str,
    leakage_guard: LeakageGuard,
    parallel_pairs: int = 0,
) -> ExperimentReport:
    """Table 1 from a pipeline run: the baseline job's scores against the ACT job's, chapter by chapter.

    The caller states the leakage guard: a pipeline whose parallel data was built from the same chapters it
    scores must pass ``"own-pairs-included"``, and the report will say that the comparison saw the answer key.
    """
    if without_act.tgt_lang != with_act.tgt_lang:
        raise InputError(f"cannot compare scores for {without_act.tgt_lang} with scores for {with_act.tgt_lang}")
    before = {c.name: c for c in without_act.chapters}
    rows: list[ExperimentRow] = []
    for chapter in with_act.chapters:
        results = []
        for condition, aggregate, pairs, guard in (
            (CONDITION_NO_ACT, before.get(chapter.name), 0, "no-parallel-data"),
            (CONDITION_WITH_ACT, chapter, parallel_pairs, leakage_guard),
        ):
            if aggregate is None:
                continue
            results.append(
                ConditionResult(
                    condition=condition,
                    engine=engine,
                    parallel_pairs=pairs,
                    excluded_pairs=0,
                    leakage_guard=guard,
                    characters=0,
                    segments=aggregate.segments,
                    metrics=aggregate.metrics,
                )
            )
        rows.append(
            ExperimentRow(section=chapter.name, chapter=chapter.name, src_path="", ref_path="", results=results)
        )
    policy = (
        "own pairs included: the parallel data was built from the chapters being scored, so the ACT scores saw "
        "the answer key"
        if leakage_guard == "own-pairs-included"
        else f"{leakage_guard}: the scored chapters' own pairs were not in the parallel data"
    )
    totals = [
        AggregateScore(name=CONDITION_NO_ACT, documents=without_act.run.documents, segments=without_act.run.segments,
                       metrics=without_act.run.metrics),
        AggregateScore(name=CONDITION_WITH_ACT, documents=with_act.run.documents, segments=with_act.run.segments,
                       metrics=with_act.run.metrics),
    ]  # fmt: skip
    return ExperimentReport(
        src_lang=src_lang,
        tgt_lang=with_act.tgt_lang,
        tokenize=with_act.tokenize,
        engine=engine,
        leakage_policy=policy,
        conditions=[CONDITION_NO_ACT, CONDITION_WITH_ACT],
        rows=rows,
        totals=totals,
        notes=[*without_act.notes, *with_act.notes],
    )
