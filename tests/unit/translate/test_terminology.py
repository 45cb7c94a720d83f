"""Glossary import to a custom terminology file, and the term-consistency check."""

from __future__ import annotations

from pathlib import Path

import pytest
from amts.errors import InputError
from amts.translate.terminology import (
    Glossary,
    TermEntry,
    check_term_consistency,
    load_glossary,
    parse_terminology_file,
    to_terminology_file,
)

from amts_local.cli import main

MARKDOWN_GLOSSARY = (
    "## 英汉术语对照\n\n编码器，encoder\n\n词元，token\n\n词向量，word vector\n\n"
    "长短期记忆网络，long short-term memory (LSTM)\n"
)


@pytest.fixture
def glossary_md(tmp_path: Path) -> Path:
    path = tmp_path / "TERMINOLOGY.zh-en.md"
    path.write_text(MARKDOWN_GLOSSARY, encoding="utf-8")
    return path


def test_markdown_glossary_is_read_and_oriented(glossary_md: Path) -> None:
    glossary = load_glossary(glossary_md, src_lang="en", tgt_lang="zh")
    assert (glossary.source_language, glossary.target_language) == ("en", "zh")
    assert [(e.src, e.tgt) for e in glossary.entries][:2] == [("encoder", "编码器"), ("token", "词元")]
    lstm = glossary.entries[3]
    assert lstm.src == "long short-term memory"
    assert "LSTM" in lstm.note
    assert lstm.line == 9


def test_markdown_glossary_keeps_its_own_direction_by_default(glossary_md: Path) -> None:
    glossary = load_glossary(glossary_md)
    assert glossary.source_language == "zh"
    assert glossary.entries[0].src == "编码器"


def test_csv_and_tsv_glossaries(tmp_path: Path) -> None:
    csv_path = tmp_path / "terms.csv"
    csv_path.write_text("en,es\nencoder,codificador\n", encoding="utf-8")
    assert load_glossary(csv_path).entries == [TermEntry("encoder", "codificador", 2)]
    tsv_path = tmp_path / "terms.tsv"
    tsv_path.write_text("encoder\tcodificador\n", encoding="utf-8")
    assert load_glossary(tsv_path, src_lang="en", tgt_lang="es").entries[0].tgt == "codificador"


def test_bad_glossaries_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "TERMS.zh-en.md"
    path.write_text("编码器，encoder\n没有逗号的行\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_glossary(path)
    assert info.value.line == 2
    unnamed = tmp_path / "terms.md"
    unnamed.write_text("a，b\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot tell the glossary's languages"):
        load_glossary(unnamed)
    wrong = tmp_path / "t.csv"
    wrong.write_text("en,zh\na,b\n", encoding="utf-8")
    with pytest.raises(InputError, match="not en-es"):
        load_glossary(wrong, src_lang="en", tgt_lang="es")


def test_terminology_file_respects_limits_and_counts_drops() -> None:
    entries = [
        TermEntry("encoder", "编码器", 1),
        TermEntry("encoder", "编码模块", 2),
        TermEntry("x" * 201, "长", 3),
        TermEntry("-1", "负一", 4),
        TermEntry("token", "词元", 5),
    ]
    data, stats = to_terminology_file(Glossary("en", "zh", entries))
    languages, rows = parse_terminology_file(data)
    assert languages == ["en", "zh"]
    assert rows == [("encoder", "编码器"), ("token", "词元")]
    assert stats.dropped == {"conflicting_translation": 1, "term_over_200_bytes": 1, "leading_forbidden_character": 1}
    assert stats.terms_written == 2


def test_terminology_file_over_10_mb_is_refused() -> None:
    entries = [TermEntry(f"term{i:07d}" + "x" * 150, "词" * 60, i) for i in range(40_000)]
    with pytest.raises(InputError, match="over the 10 MB limit"):
        to_terminology_file(Glossary("en", "zh", entries))


def test_term_consistency_reports_found_missing_and_longest_match() -> None:
    glossary = Glossary(
        "en",
        "zh",
        [TermEntry("word vector", "词向量", 1), TermEntry("vector", "向量", 2), TermEntry("token", "词元", 3)],
    )
    report = check_term_consistency(
        glossary,
        [
            ("Each token becomes a word vector.", "每个词元变成一个词向量。"),
            ("Tokens are counted.", "标记被计数。"),
            ("A vector.", "一个矢量。"),
        ],
    )
    by_term = {t.src: t for t in report.terms}
    assert by_term["word vector"].status == "ok"
    assert by_term["token"].source_occurrences == 2
    assert by_term["token"].found_in_output == 1
    assert by_term["token"].segments_missing == [1]
    assert by_term["token"].status == "partial"
    assert by_term["vector"].status == "missing"
    assert by_term["vector"].source_occurrences == 1
    assert report.occurrences == 4
    assert report.consistent == 2
    assert "[missing] vector -> 向量" in report.render()


def test_cli_import_terminology_and_check_terms(
    glossary_md: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "terms.csv"
    assert main(["import-terminology", str(glossary_md), "--pair", "en-zh", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").splitlines()[:2] == ["en,zh", "encoder,编码器"]
    source = tmp_path / "src.md"
    source.write_text("The encoder reads a token.\n", encoding="utf-8")
    output = tmp_path / "out.md"
    output.write_text("编码器读取一个标记。\n", encoding="utf-8")
    report = tmp_path / "report.json"
    args = ["check-terms", str(glossary_md), str(source), str(output), "--pair", "en-zh", "--report", str(report)]
    assert main([*args, "--min-consistency", "0.9"]) == 1
    assert "[missing] token -> 词元" in capsys.readouterr().out
    assert '"consistency": 0.5' in report.read_text(encoding="utf-8")
    assert main(args) == 0


# A CSV glossary written for these tests: a term whose quoted cell holds a line break (lines 2-3), a spreadsheet
# formula (line 4), a term with its short form (line 5), and a row with a stray field (line 6).
MULTILINE_CSV = (
    'en,zh\n"paper\nboat",纸船\n=SUM(A1:A2),求和\nlong short-term memory (LSTM),长短期记忆\nkite,风筝,extra\n'
)


def test_glossary_lines_count_the_lines_of_multi_line_terms(tmp_path: Path) -> None:
    """Given a CSV glossary whose second record spans two lines (a quoted line break) and whose last row has a
    stray field
    When it is read
    Then the error names the line the bad row is on in the file (6), not its record number (5)."""
    path = tmp_path / "terms.csv"
    path.write_text(MULTILINE_CSV, encoding="utf-8")

    with pytest.raises(InputError) as caught:
        load_glossary(path)

    assert str(caught.value) == f"{path}:6: 3 fields, header has 2"


def test_dropped_terms_are_shown_as_written_on_their_own_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Given the glossary without its bad row
    When it becomes a custom terminology
    Then the formula is dropped and shown whole with its line (4), and only a real short form after a space is
    taken off a term."""
    path = tmp_path / "terms.csv"
    path.write_text(MULTILINE_CSV.replace("kite,风筝,extra\n", ""), encoding="utf-8")
    out = tmp_path / "terminology.csv"

    glossary = load_glossary(path)
    assert main(["import-terminology", str(path), "--pair", "en-zh", "-o", str(out)]) == 0

    assert [(entry.line, entry.src) for entry in glossary.entries] == [
        (2, "paper\nboat"),
        (4, "=SUM(A1:A2)"),
        (5, "long short-term memory"),
    ]
    assert f"{path}:4: dropped '=SUM(A1:A2)': leading_forbidden_character" in capsys.readouterr().out
    assert out.read_text(encoding="utf-8") == "en,zh\npaper boat,纸船\nlong short-term memory,长短期记忆\n"


def test_a_markdown_glossary_without_languages_in_its_name_is_refused_even_with_a_direction(tmp_path: Path) -> None:
    """Given a markdown glossary named without its languages (its column order unknown)
    When it is loaded for en->zh
    Then it is refused, not read the wrong way round (the direction names columns only for a headerless CSV)."""
    path = tmp_path / "glossary.md"
    path.write_text("损失函数，loss function\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot tell the glossary's languages"):
        load_glossary(path, src_lang="en", tgt_lang="zh")
