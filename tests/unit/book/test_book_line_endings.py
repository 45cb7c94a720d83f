"""Line endings and the byte-order mark: LF, CRLF and lone-CR files are read alike, and written back their own way."""

from __future__ import annotations

from pathlib import Path

import pytest
from amts.book import from_html, parse, render, segments, to_html
from amts.book.model import LINE_BREAK, newline_of, with_newlines
from amts.book.roundtrip import check_text
from amts.errors import InputError
from amts.fsio import read_text

# A small chapter written for these tests, with LF line endings; the tests give it the other conventions.
CHAPTER = """\
# Counting Pebbles
:label:`sec_pebbles`

A heap of pebbles is counted
one pebble at a time, see `count_all`.

```{.python .input}
total = count_all(heap)
print('pebbles counted')
```

* first the small ones
  then the large ones
* last the broken ones

$$n = \\sum_i p_i$$
"""

CONVENTIONS = [
    pytest.param("\n", "", id="LF"),
    pytest.param("\r\n", "", id="CRLF"),
    pytest.param("\r", "", id="CR"),
    pytest.param("\r\n", "\ufeff", id="BOM+CRLF"),
    pytest.param("\r", "\ufeff", id="BOM+CR"),
]


def written(newline: str, bom: str = "") -> str:
    return bom + CHAPTER.replace("\n", newline)


def endings(text: str) -> set[str]:
    return {match.group() for match in LINE_BREAK.finditer(text)}


@pytest.mark.parametrize(("newline", "bom"), CONVENTIONS)
def test_every_line_ending_gives_the_same_segments(newline: str, bom: str) -> None:
    """Given the same chapter saved with LF, CRLF or lone-CR line endings, with or without a byte-order mark
    When each is parsed
    Then each has the prose segments of the LF file, on the same lines; the code never reaches the HTML;
    the file's convention and mark are exposed, and rendering gives the bytes back."""
    reference = [(s.kind, s.line, s.text) for s in segments(parse(CHAPTER))]

    doc = parse(written(newline, bom), path="pebbles.md")

    assert [(s.kind, s.line, with_newlines(s.text, "\n")) for s in segments(doc)] == reference
    assert [s.kind for s in segments(doc)] == ["heading", "paragraph", "list-item", "list-item"]
    assert "count_all(heap)" not in to_html(doc)
    assert doc.newline == newline
    assert doc.bom is bool(bom)
    assert render(doc) == written(newline, bom)


@pytest.mark.parametrize(("newline", "bom"), CONVENTIONS)
def test_a_translation_keeps_the_line_endings_of_its_file(newline: str, bom: str) -> None:
    """Given a chapter in some line-ending convention, and its translation returned with LF line breaks only
    (as a translation service may return it), wrapped paragraphs included
    When the translation is read back into markdown
    Then every line of the result ends the way the file's lines do, the mark is kept, and it parses again."""
    doc = parse(written(newline, bom), path="pebbles.md")
    html = with_newlines(to_html(doc), "\n").replace("A heap of pebbles is counted", "Ein Haufen Kiesel wird")
    html = html.replace("then the large ones", "dann die großen")

    out = from_html(doc, html).markdown(doc)

    assert "Ein Haufen Kiesel wird" in out
    assert endings(out) == {newline}
    assert out.startswith(bom + "# ")
    assert render(parse(out)) == out
    assert check_text(written(newline, bom), "pebbles.md").failures == []


def test_the_document_writes_any_text_its_own_way() -> None:
    """Given a CRLF file with a byte-order mark, and a text that mixes LF, CRLF and lone CR
    When the text is written with the file's convention
    Then every line ends with CRLF and the text starts with one mark; a file without a mark removes one."""
    marked = parse("\ufeff# T\r\n\r\nBody.\r\n")
    plain = parse("# T\r\rBody.\r")

    assert marked.with_convention("a\nb\r\nc\rd") == "\ufeffa\r\nb\r\nc\r\nd"
    assert plain.with_convention("\ufeffa\nb\r\nc") == "a\rb\rc"
    assert newline_of("a\rb\rc\nd") == "\r"
    assert newline_of("a\r\nb\nc") == "\r\n"
    assert newline_of("no line ending") == "\n"


def test_errors_in_a_lone_cr_file_name_the_right_line(tmp_path: Path) -> None:
    """Given files whose lines end with a lone CR: one with a code fence left open on line 3, one with a byte
    that is not UTF-8 on line 2
    When each is read and parsed
    Then each error names its file and that line."""
    with pytest.raises(InputError) as fence:
        parse("# T\r\r```python\rx = 1\r", path="open.md")
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"# T\r\xff\r")
    with pytest.raises(InputError) as encoding:
        read_text(bad)

    assert str(fence.value) == "open.md:3: unterminated code fence ``` (no closing ``` line)"
    assert str(encoding.value).startswith(f"{bad}:2: invalid UTF-8")
