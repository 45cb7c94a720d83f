"""Sentences of a book document, with offsets into the file, as the aligner and the gold set see them.

A tiny adapter over the book model: ``segment_sentences`` gives offsets inside a segment, and ``prose`` of a
segment cut down to one sentence gives its plain text (slide marks unwrapped, entities unescaped, lines joined).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from amts.book import Document, Segment, prose, segment_sentences


@dataclass(frozen=True)
class SentenceRef:
    """One sentence: its plain text, its [start, end) character offsets in the file, and its segment id."""

    text: str
    start: int
    end: int
    segment_id: str


def sentence_prose(segment: Segment, start: int, end: int) -> str:
    """Plain text of ``segment.text[start:end]``, normalised exactly like ``prose`` normalises a segment."""
    spans = tuple(
        dataclasses.replace(span, start=span.start - start, end=span.end - start)
        for span in segment.protected
        if span.start >= start and span.end <= end
    )
    return prose(dataclasses.replace(segment, text=segment.text[start:end], protected=spans))


def segment_sentence_refs(segment: Segment, lang: str) -> list[SentenceRef]:
    refs = []
    for sentence in segment_sentences(segment, lang):
        text = sentence_prose(segment, sentence.start, sentence.end)
        if text:
            refs.append(SentenceRef(text, segment.start + sentence.start, segment.start + sentence.end, segment.id))
    return refs


def document_sentences(
    doc: Document, segs: Sequence[Segment], lang: str, *, keep: Callable[[Segment], bool] | None = None
) -> list[SentenceRef]:
    """All sentences of the given segments, in document order."""
    refs: list[SentenceRef] = []
    for segment in segs:
        if keep is None or keep(segment):
            refs.extend(segment_sentence_refs(segment, lang))
    return refs
