"""The one glossary reader: the markdown and CSV/TSV dialects give the same rows, with one set of rules."""

from __future__ import annotations

import pytest
from amts.errors import InputError
from amts.glossary import Dialect, parse_glossary

MARKDOWN = (
    "# 术语\n\n> 说明\n<!-- x -->\n- 编码器，encoder\n* 词元\ttoken\n| 层 | layer |\n|---|---|\n注意力, attention\n"
)


def test_markdown_dialect_reads_bullets_tabs_table_rows_and_skips_the_rest() -> None:
    table = parse_glossary(MARKDOWN, path="TERMS.zh-en.md", what="glossary")
    assert table.languages == ("zh", "en")
    assert table.rows == (
        (5, ("编码器", "encoder")),
        (6, ("词元", "token")),
        (7, ("层", "layer")),
        (9, ("注意力", "attention")),
    )


def test_csv_and_tsv_give_the_same_rows_as_markdown() -> None:
    csv_table = parse_glossary("zh,en\n编码器,encoder\n词元,token\n", path="terms.csv", what="glossary")
    tsv_table = parse_glossary("zh\ten\n编码器\tencoder\n词元\ttoken\n", path="terms.txt.tsv", what="glossary")
    markdown = parse_glossary("编码器，encoder\n词元，token\n", path="t.zh-en.md", what="glossary")
    assert [cells for _, cells in csv_table.rows] == [cells for _, cells in tsv_table.rows]
    assert [cells for _, cells in csv_table.rows] == [cells for _, cells in markdown.rows]
    assert csv_table.languages == tsv_table.languages == markdown.languages == ("zh", "en")


def test_the_dialect_can_be_named_and_the_file_languages_come_first() -> None:
    table = parse_glossary(
        "编码器，encoder\n", path="notes.zh-en.dat", languages=["en", "zh"], dialect=Dialect.MARKDOWN, what="lexicon"
    )
    assert table.languages == ("zh", "en")  # the name says zh-en; the caller's languages are only a fallback
    headerless = parse_glossary("layer,capa\n", path="t.csv", languages=["en", "es"], what="glossary")
    assert headerless.languages == ("en", "es")


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        ("a，b\n", "terms.md", "terms.md: cannot tell the glossary's languages"),
        ("编码器，encoder\n一个词\n", "t.zh-en.md", "t.zh-en.md:2: expected a term pair"),
        ("en,zh\na,b,c\n", "t.csv", "t.csv:2: 3 fields, header has 2"),
        ("en,zh\na,\n", "t.csv", "t.csv:2: expected two non-empty terms on this row"),
        ("a,b\n", "t.csv", "t.csv:1: cannot tell the glossary's languages"),
        ("en,zh\n", "t.csv", "t.csv: the glossary has no term pairs"),
        ("en,en\na,b\n", "t.csv", "t.csv: expected different language codes"),
    ],
)
def test_bad_glossaries_are_one_line_naming_file_and_line(text: str, path: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_glossary(text, path=path, what="glossary")
    assert str(caught.value).startswith(message)
