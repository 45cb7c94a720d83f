"""Sentence segmentation measured on the hand-annotated gold set (offsets into the corpus)."""

from __future__ import annotations

from pathlib import Path

import pytest
from amts.book.goldset import load_gold, score_segmentation
from amts.errors import InputError

GOLD_DIR = Path(__file__).resolve().parents[2] / "data" / "segmentation"


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["dev.tsv", "heldout.tsv"])
def test_segmentation_quality_on_the_gold_set(corpus_dir: Path, name: str) -> None:
    score = score_segmentation(load_gold(GOLD_DIR / name), corpus_dir)
    for lang in ("en", "zh"):
        figures = score.figures(lang)
        assert figures["paragraphs"] >= 10
        assert figures["precision"] >= 0.97, score.errors
        assert figures["recall"] >= 0.97, score.errors


def test_scoring_counts_missed_and_extra_boundaries(tmp_path: Path) -> None:
    text = "# T\n\nOne two. Three e.g. four. Five.\n"
    (tmp_path / "a.md").write_text(text)
    start = text.index("One")
    end = text.index("Five.") + len("Five.")
    first, second = text.index("two.") + 4, text.index("four.") + 5
    gold = tmp_path / "gold.tsv"
    gold.write_text(f"path\tlang\tstart\tend\tboundaries\na.md\ten\t{start}\t{end}\t{first},{start + 17}\n")
    score = score_segmentation(load_gold(gold), tmp_path)
    assert score.figures("en") == {
        "paragraphs": 1,
        "gold_boundaries": 2,
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
        "paragraph_accuracy": 0.0,
    }
    assert score.errors == [f"a.md:{start}: extra cuts [{second}], missed [{start + 17}]"]


def test_bad_gold_row_names_file_and_line(tmp_path: Path) -> None:
    gold = tmp_path / "gold.tsv"
    gold.write_text("path\tlang\tstart\tend\tboundaries\na.md\ten\tzero\t9\t\n")
    with pytest.raises(InputError) as caught:
        load_gold(gold)
    assert caught.value.line == 2


@pytest.mark.corpus
def test_segmentation_quality_on_every_d2l_language(multi_corpus_dir: Path) -> None:
    # Given paragraphs of the real ja, ko, pt, tr, vi and zh-TW translations annotated by hand (multi.tsv)
    score = score_segmentation(load_gold(GOLD_DIR / "multi.tsv"), multi_corpus_dir)
    # Then every language has its paragraphs and the profile's rules find (nearly) every boundary
    for lang in ("ja", "ko", "pt", "tr", "vi", "zh-TW"):
        figures = score.figures(lang)
        assert figures["paragraphs"] >= 5
        assert figures["recall"] >= 0.97, score.errors
        assert figures["precision"] >= 0.94, score.errors
