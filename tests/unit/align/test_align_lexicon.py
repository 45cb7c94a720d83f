"""Bilingual lexicons: the d2l glossary format, CSV/TSV with a language header, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from amts.align.lexicon import TermMatcher, load_lexicon, parse_lexicon
from amts.errors import InputError

GLOSSARY = "## 术语\n\n编码器，encoder\n\n长短期记忆网络，long short-term memory (LSTM)\n\n实例/示例，instance\n"


def test_glossary_languages_come_from_the_file_name() -> None:
    lexicon = parse_lexicon(GLOSSARY, path="TERMS.zh-en.md")
    assert (lexicon.lang_a, lexicon.lang_b) == ("zh", "en")
    assert lexicon.entries[1] == (("长短期记忆网络",), ("long short-term memory", "LSTM"))
    assert lexicon.entries[2][0] == ("实例", "示例")


def test_orientation_follows_the_alignment_direction() -> None:
    lexicon = parse_lexicon(GLOSSARY, path="TERMS.zh-en.md")
    assert lexicon.oriented("en", "zh")[0] == (("encoder",), ("编码器",))
    with pytest.raises(InputError, match="lexicon is zh-en"):
        lexicon.oriented("en", "es")


def test_csv_with_language_header(tmp_path: Path) -> None:
    path = tmp_path / "terms.csv"
    path.write_text('en,es\nlayer,capa\n"learning rate",tasa de aprendizaje\n', encoding="utf-8")
    lexicon = load_lexicon(path)
    assert (lexicon.lang_a, lexicon.lang_b) == ("en", "es")
    assert lexicon.entries[1] == (("learning rate",), ("tasa de aprendizaje",))


def test_unknown_languages_and_bad_lines_are_named() -> None:
    with pytest.raises(InputError, match="cannot tell the lexicon's languages"):
        parse_lexicon("编码器，encoder\n", path="terms.md")
    with pytest.raises(InputError) as caught:
        parse_lexicon("编码器，encoder\nonly one term here\n", path="t.zh-en.md")
    assert "t.zh-en.md:2" in str(caught.value)


def test_matcher_finds_plurals_and_chinese_substrings() -> None:
    lexicon = parse_lexicon(GLOSSARY, path="TERMS.zh-en.md")
    entries = lexicon.oriented("en", "zh")
    english = TermMatcher([a for a, _ in entries])
    chinese = TermMatcher([b for _, b in entries])
    assert english.find("Two encoders and an LSTM.") == ["lex:0", "lex:1"]
    assert chinese.find("两个编码器和一个长短期记忆网络。") == ["lex:0", "lex:1"]


def test_a_lexicon_row_is_named_by_the_line_it_is_on() -> None:
    """Given a CSV lexicon whose first term's quoted cell holds a line break (lines 2-3), then a row without its
    second term on line 4
    When it is parsed
    Then the error names line 4, where that row is in the file."""
    with pytest.raises(InputError) as caught:
        parse_lexicon('en,zh\n"paper\nboat",纸船\nkite\n', path="terms.csv")

    assert str(caught.value) == "terms.csv:4: expected two non-empty terms on this row"
