"""Readers for the foreign-markdown tests: what a translator is asked to translate, and the skeleton's problems."""

from __future__ import annotations

from html.parser import HTMLParser

from amts.book import parse, to_html
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
