"""Parallel data writer and filters: one test per rule of Amazon Translate's input files."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest
from amts.errors import InputError
from amts.translate.parallel_data import (
    MAX_FIELD_BYTES,
    FilterConfig,
    build_parallel_data,
    fix_leading_character,
    is_code_or_math_only,
    normalize_field,
)
from amts.translate.parallel_data_reading import validate_parallel_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def naive_splitter(text: str, lang: str) -> list[str]:
    """Test splitter: one sentence per full stop (the product uses amts.book.split_sentences)."""
    marks = "。" if lang == "zh" else "."
    pieces, current = [], ""
    for char in text:
        current += char
        if char in marks:
            pieces.append(current.strip())
            current = ""
    if current.strip():
        pieces.append(current.strip())
    return pieces


@dataclass
class FakeTextPair:
    """The align area's TextPair shape: any object with src and tgt."""

    src: str
    tgt: str
    src_ref: str = ""
    tgt_ref: str = ""


def test_header_holds_language_codes_and_file_is_utf8_without_bom() -> None:
    data, stats = build_parallel_data([("Hello world, again.", "你好，世界。")], "en", "zh")
    assert data.startswith(b"en,zh\n")
    assert not data.startswith(b"\xef\xbb\xbf")
    assert rows_of(data)[1] == ["Hello world, again.", "你好，世界。"]
    assert stats.written_records == 1
    assert validate_parallel_data(data) == []


def test_quotes_are_doubled_and_commas_quoted() -> None:
    data, _ = build_parallel_data([('A 34" monitor, wide.', "一台 34 英寸的“显示器”。")], "en", "zh")
    assert b'"A 34"" monitor, wide."' in data
    assert rows_of(data)[1][0] == 'A 34" monitor, wide.'


def test_no_field_spans_lines_and_hanzi_lines_join_without_space() -> None:
    data, stats = build_parallel_data([("First line\nsecond line.", "第一行\n第二行。")], "en", "zh")
    assert rows_of(data)[1] == ["First line second line.", "第一行第二行。"]
    assert data.count(b"\n") == 2
    assert stats.rewritten["line_breaks_joined"] == 2


def test_leading_marker_followed_by_space_is_removed_and_counted() -> None:
    data, stats = build_parallel_data([("- a list item here", "- 列表项")], "en", "zh")
    assert rows_of(data)[1] == ["a list item here", "列表项"]
    assert stats.rewritten["leading_marker_removed"] == 2


@pytest.mark.parametrize("source", ["-1 is negative here", "+x is positive", "=SUM(A1) cell", "@property decorator"])
def test_meaningful_leading_character_drops_the_record(source: str) -> None:
    data, stats = build_parallel_data([(source, "某个翻译结果"), ("Keep this one please.", "保留这一条。")], "en", "zh")
    assert source not in data.decode()
    assert stats.dropped["leading_forbidden_character"] == 1


def test_fix_leading_character_rules() -> None:
    assert fix_leading_character("= x") == ("x", "leading_marker_removed")
    assert fix_leading_character("@home") == (None, "leading_forbidden_character")
    assert fix_leading_character("plain") == ("plain", None)


def test_untranslated_identical_pairs_are_dropped() -> None:
    _, stats = build_parallel_data([("Same text here", "Same text here"), ("Good day.", "日安。")], "en", "zh")
    assert stats.dropped["untranslated_identical"] == 1
    assert stats.written_records == 1


@pytest.mark.parametrize("text", ["`x = torch.ones(3)`", "$x^2 + y^2$", "$$\\sum_i x_i$$", "x = torch.ones(3)", "42."])
def test_code_or_math_only_segments_are_recognised(text: str) -> None:
    assert is_code_or_math_only(text)


def test_prose_with_code_is_kept() -> None:
    assert not is_code_or_math_only("The function `f` returns $x$ squared.")
    _, stats = build_parallel_data([("`x = 1`", "`x = 1`"), ("We call `f` here.", "我们在这里调用 `f`。")], "en", "zh")
    assert stats.dropped["code_or_math_only"] == 1
    assert stats.written_records == 1


def test_length_ratio_outlier_is_dropped_with_default_ratio() -> None:
    good = ("The model is trained on a large corpus.", "模型在大型语料库上训练。")
    bad = ("Short heading text", "这是一段非常长的中文文本，" * 12)
    _, stats = build_parallel_data([good, bad], "en", "zh")
    assert stats.dropped["length_ratio_outlier"] == 1
    assert stats.written_records == 1


def test_ratio_filter_learns_the_expected_ratio_from_enough_data() -> None:
    pairs = [(f"Sentence number {i} is about training.", f"第{i}句话是关于训练的。") for i in range(40)]
    _, stats = build_parallel_data(pairs, "en", "zh", config=FilterConfig(min_pairs_for_data_ratio=30))
    assert 0.2 < stats.expected_ratio["zh"] < 0.6
    assert stats.written_records == 40


def test_duplicates_keep_one_deterministically_most_frequent_then_first() -> None:
    pairs = [
        ("The cat sat.", "猫坐着。"),
        ("The cat sat.", "那只猫坐下了。"),
        ("The cat sat.", "那只猫坐下了。"),
        ("A dog ran.", "狗跑了。"),
        ("A dog ran.", "狗跑了。"),
    ]
    data, stats = build_parallel_data(pairs, "en", "zh")
    assert rows_of(data)[1:] == [["The cat sat.", "那只猫坐下了。"], ["A dog ran.", "狗跑了。"]]
    assert stats.dropped["duplicate"] == 2
    assert stats.dropped["conflicting_duplicate"] == 1
    again, _ = build_parallel_data(list(reversed(pairs)), "en", "zh")
    assert sorted(rows_of(again)[1:]) == sorted(rows_of(data)[1:])


def test_long_pairs_are_resplit_at_sentence_level_when_counts_match() -> None:
    src = " ".join(f"This is English sentence number {i} with some padding words." for i in range(30))
    tgt = "".join(f"这是第{i}个中文句子，带有一些填充词。" for i in range(30))
    assert len(src.encode()) > MAX_FIELD_BYTES
    data, stats = build_parallel_data([(src, tgt)], "en", "zh", splitter=naive_splitter)
    assert stats.resplit_records == 1
    assert stats.written_records == 30
    assert all(len(f.encode()) <= MAX_FIELD_BYTES for row in rows_of(data) for f in row)
    assert rows_of(data)[1] == [
        "This is English sentence number 0 with some padding words.",
        "这是第0个中文句子，带有一些填充词。",
    ]


def test_long_pairs_with_mismatched_sentence_counts_are_dropped() -> None:
    src = " ".join(f"English sentence {i} goes on and on." for i in range(40))
    tgt = "".join(f"中文句子{i}" for i in range(40)) + "。"
    _, stats = build_parallel_data([(src, tgt), ("Short one.", "短句。")], "en", "zh", splitter=naive_splitter)
    assert stats.dropped["too_long_unsplittable"] == 1
    assert stats.written_records == 1


def test_every_written_field_is_within_1000_bytes_even_with_one_long_sentence() -> None:
    src = "word " * 250 + "end. Second sentence."
    tgt = "词" * 400 + "。第二句。"
    data, stats = build_parallel_data([(src, tgt)], "en", "zh", splitter=naive_splitter)
    assert stats.dropped["too_long_after_split"] == 1
    assert all(len(f.encode()) <= MAX_FIELD_BYTES for row in rows_of(data) for f in row)


def test_accepts_textpair_like_objects() -> None:
    data, _ = build_parallel_data([FakeTextPair("Good morning.", "早上好。")], "en", "zh")
    assert rows_of(data)[1] == ["Good morning.", "早上好。"]


def test_multiple_targets_blank_only_the_bad_field() -> None:
    pairs = [("Good morning.", "早上好。", "Buenos días."), ("Hello there.", "你好。", "Hello there.")]
    data, stats = build_parallel_data(pairs, "en", ["zh", "es"])
    assert rows_of(data) == [
        ["en", "zh", "es"],
        ["Good morning.", "早上好。", "Buenos días."],
        ["Hello there.", "你好。", ""],
    ]
    assert stats.target_fields_dropped["untranslated_identical"] == 1


def test_tmx_output_is_valid_tmx_14b() -> None:
    data, _ = build_parallel_data([("Fish & chips <b>.", "鱼和薯条 <b>。")], "en", "zh", "TMX")
    text = data.decode()
    assert '<tmx version="1.4">' in text
    assert 'srclang="en"' in text
    assert "Fish &amp; chips &lt;b&gt;." in text
    assert validate_parallel_data(data, fmt="TMX") == []


def test_bad_inputs_are_clear_errors() -> None:
    with pytest.raises(InputError, match="expected 2 strings"):
        build_parallel_data([("only source",)], "en", "zh")
    with pytest.raises(InputError, match="unknown target language"):
        build_parallel_data([("a", "b")], "en", "xx")
    with pytest.raises(InputError, match="no usable pairs"):
        build_parallel_data([("same", "same")], "en", "zh")


def test_stats_report_names_every_reason() -> None:
    _, stats = build_parallel_data([("-1 is odd", "-1 是奇数"), ("Fine text.", "好文本。")], "en", "zh")
    report = stats.to_dict()
    assert report["input_pairs"] == 2
    assert report["written_records"] == 1
    assert report["dropped"] == {"leading_forbidden_character": 1}
    assert "leading_forbidden_character=1" in stats.render()


def test_normalize_field_removes_control_characters() -> None:
    assert normalize_field("a\x00b\tc\u2028d") == "ab c d"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.text(min_size=1, max_size=300), st.text(min_size=1, max_size=300)), min_size=1))
def test_any_text_becomes_a_file_the_validator_accepts(pairs: list[tuple[str, str]]) -> None:
    for fmt in ("CSV", "TSV", "TMX"):
        try:
            data, stats = build_parallel_data(pairs, "en", "zh", fmt)  # type: ignore[arg-type]
        except InputError:
            continue  # nothing usable left: a clear error, not a bad file
        errors = [p for p in validate_parallel_data(data, fmt=fmt) if p.severity == "error"]
        assert errors == [], (fmt, errors)
        assert stats.written_records >= 1
