"""Real book text through the parallel data writer: every file it writes passes the validator.

The pairs are paragraph i of an ``origin/en`` evaluation section with paragraph i of its Chinese file: real
markup and lengths (not a real alignment; `amts pairs` gives those), which is what the writer's rules are about.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from amts.book import parse_file, prose, segments
from amts.translate.parallel_data import MAX_FIELD_BYTES, build_parallel_data
from amts.translate.parallel_data_reading import parse_parallel_data


@pytest.mark.corpus
@pytest.mark.parametrize("fmt", ["CSV", "TSV", "TMX"])
def test_book_paragraphs_make_valid_parallel_data(corpus_dir: Path, fmt: str) -> None:
    with (corpus_dir / "EVAL_SECTIONS.tsv").open(encoding="utf-8") as handle:
        sections = list(csv.DictReader(handle, delimiter="\t"))
    pairs: list[tuple[str, str]] = []
    for section in sections:
        en_path = corpus_dir / "origin" / "en" / section["zh_path"]
        zh_path = corpus_dir / "origin" / "zh" / section["zh_path"]
        en = [prose(s) for s in segments(parse_file(en_path)) if s.kind == "paragraph"]
        zh = [prose(s) for s in segments(parse_file(zh_path)) if s.kind == "paragraph"]
        pairs.extend(zip(en, zh, strict=False))
    assert len(pairs) > 50
    data, stats = build_parallel_data(pairs, "en", "zh", fmt)
    parsed = parse_parallel_data(data, fmt=fmt)
    assert [p for p in parsed.problems if p.severity == "error"] == []
    assert len(parsed.records) == stats.written_records
    assert stats.written_records > 0.7 * len(pairs)
    for _, row in parsed.records:
        assert len(row.src.encode()) <= MAX_FIELD_BYTES
        assert "\n" not in row.src
        assert row.src[0] not in "+-=@"
