"""Markdown that is not d2lbook's own but that Markdown renders (CommonMark, Pandoc): protected, or refused.

Every construct here is either kept byte for byte and never sent as translatable text, with a translation that
changes it detected, or refused with one line naming the file, the line and the problem. None is translated
silently. The samples are written for these tests.
"""

from __future__ import annotations

from html.parser import HTMLParser

from amts.book import BlockKind, parse, render, segments, to_html
from amts.book.roundtrip import check_text
from amts.book.skeleton import check_skeleton


class _Translatable(HTMLParser):
    """The text of Translate-ready HTML that a translator may change: the body outside ``translate="no"``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside a translate="no" element
        self.in_body = False
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.in_body = True
        elif self.depth or dict(attrs).get("translate") == "no":
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.in_body and not self.depth:
            self.text.append(data)


def translatable(markdown: str) -> str:
    """What a translator is asked to translate in ``markdown``: the HTML text outside protected spans."""
    reader = _Translatable()
    reader.feed(to_html(parse(markdown, path="sample.md")))
    return "\n".join(reader.text)


def skeleton_problems(translation: str, source: str) -> list[str]:
    check = check_skeleton(parse(translation, path="zh.md"), parse(source, path="en.md"))
    return [str(difference) for difference in check.differences]


# -- code fenced with tildes ----------------------------------------------------------------------------------

TILDE = """\
# Sorting Shells

Shells are sorted by size first.

~~~python
shells.sort(key=size)
print('size order done')
~~~

1. Then by colour:

   ~~~
   shells.sort(key=colour)
   ~~~

~~~~text
~~~
a fence inside a longer fence is code
~~~
~~~~

And that is all.
"""


def test_tilde_fenced_code_is_code() -> None:
    """Given a chapter with code fenced by ``~~~`` (one inside a list item, one holding a shorter fence)
    When it is parsed and its Translate HTML is built
    Then every fence is a code block, no line of code is sent to translation, the prose is, and the file
    round-trips byte for byte."""
    doc = parse(TILDE, path="shells.md")

    sent = translatable(TILDE)

    assert [block.info for block in doc.blocks if block.kind is BlockKind.CODE] == ["python", "", "text"]
    for code in ("shells.sort", "size order done", "a fence inside", "~~~"):
        assert code not in to_html(doc)
    assert "Shells are sorted by size first." in sent
    assert "Then by colour:" in sent
    assert [segment.kind for segment in segments(doc)] == ["heading", "paragraph", "list-item", "paragraph"]
    assert render(doc) == TILDE
    assert check_text(TILDE, "shells.md").failures == []


def test_a_translation_that_changes_tilde_fenced_code_is_detected() -> None:
    """Given a chapter with a ``~~~`` code cell and a translation whose copy of the cell calls another function
    When the translation's skeleton is checked against the source
    Then the changed code cell is reported with its line."""
    translation = TILDE.replace("shells.sort(key=size)", "shells.sort(key=weight)")

    assert skeleton_problems(translation, TILDE) == [
        "zh.md:5: extra code: shells.sort(key=weight) print('size order done')",
        "zh.md:5: missing code: shells.sort(key=size) print('size order done') (source line 5)",
    ]
