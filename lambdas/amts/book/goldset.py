"""Sentence-segmentation quality on a gold set stored as character offsets into corpus files (no copied text)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from amts.book.model import Segment
from amts.book.parser import parse
from amts.book.segments import segments
from amts.book.sentences import segment_sentences, split_sentences
from amts.errors import InputError
from amts.fsio import read_text


@dataclass(frozen=True, slots=True)
class GoldParagraph:
    """One annotated segment: ``boundaries`` are file offsets where a sentence ends (the last one excluded)."""

    path: str
    lang: str
    start: int
    end: int
    boundaries: frozenset[int]


@dataclass
class SegmentationScore:
    """Boundary precision/recall per language and overall, plus the paragraphs the segmenter got wrong."""

    true_positives: dict[str, int] = field(default_factory=dict)
    false_positives: dict[str, int] = field(default_factory=dict)
    false_negatives: dict[str, int] = field(default_factory=dict)
    paragraphs: dict[str, int] = field(default_factory=dict)
    exact: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def figures(self, lang: str | None = None) -> dict[str, float]:
        langs = [lang] if lang else sorted(self.paragraphs)
        tp = sum(self.true_positives.get(code, 0) for code in langs)
        fp = sum(self.false_positives.get(code, 0) for code in langs)
        fn = sum(self.false_negatives.get(code, 0) for code in langs)
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        paragraphs = sum(self.paragraphs.get(code, 0) for code in langs)
        exact = sum(self.exact.get(code, 0) for code in langs)
        return {
            "paragraphs": paragraphs,
            "gold_boundaries": tp + fn,
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "paragraph_accuracy": round(exact / paragraphs, 4) if paragraphs else 1.0,
        }


def load_gold(path: str | Path) -> list[GoldParagraph]:
    """Read the gold TSV (path, lang, start, end, comma-separated boundary offsets)."""
    text = read_text(path)
    rows = list(csv.DictReader(text.splitlines(), delimiter="\t"))
    gold: list[GoldParagraph] = []
    for number, row in enumerate(rows, start=2):
        try:
            boundaries = frozenset(int(item) for item in row["boundaries"].split(",") if item)
            gold.append(GoldParagraph(row["path"], row["lang"], int(row["start"]), int(row["end"]), boundaries))
        except (KeyError, ValueError, AttributeError) as exc:
            raise InputError(f"bad gold row ({exc})", path=str(path), line=number) from None
    return gold


def score_segmentation(gold: list[GoldParagraph], corpus_dir: str | Path) -> SegmentationScore:
    """Compare ``split``/``segment_sentences`` boundaries with the gold boundaries."""
    score = SegmentationScore()
    documents: dict[str, tuple[str, dict[tuple[int, int], Segment]]] = {}
    for item in gold:
        if item.path not in documents:
            text = read_text(Path(corpus_dir) / item.path)
            doc = parse(text, path=item.path)
            documents[item.path] = (text, {(segment.start, segment.end): segment for segment in segments(doc)})
        text, by_span = documents[item.path]
        segment = by_span.get((item.start, item.end))
        if segment is not None:
            ends = [item.start + sentence.end for sentence in segment_sentences(segment, item.lang)]
        else:  # the parser no longer yields this exact segment: score the raw slice
            raw = text[item.start : item.end]
            ends, position = [], 0
            for sentence in split_sentences(raw, item.lang):
                position = raw.index(sentence, position) + len(sentence)
                ends.append(item.start + position)
        predicted = set(ends[:-1])
        tp = len(predicted & item.boundaries)
        for name, value in (
            ("true_positives", tp),
            ("false_positives", len(predicted - item.boundaries)),
            ("false_negatives", len(item.boundaries - predicted)),
            ("paragraphs", 1),
            ("exact", int(predicted == item.boundaries)),
        ):
            table: dict[str, int] = getattr(score, name)
            table[item.lang] = table.get(item.lang, 0) + value
        if predicted != item.boundaries:
            extra = sorted(predicted - item.boundaries)
            missed = sorted(item.boundaries - predicted)
            score.errors.append(f"{item.path}:{item.start}: extra cuts {extra}, missed {missed}")
    return score
