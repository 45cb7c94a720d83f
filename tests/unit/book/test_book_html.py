"""Translate-ready HTML and the way back, with damage detection."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from amts.book import from_html, parse, render, segments, to_html
from amts.book.roundtrip import check_text, hostile_translate
from amts.errors import InputError

from .test_book_parser import SAMPLE

DOC_TEXT = "# Title\n\nSee `f(x)` and $y$ in :numref:`fig_a`.\n\n```python\nsecret_code()\n```\n\nPlain words.\n"


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.protected: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        element_id = attributes.get("id")
        if element_id:
            self.ids.append(element_id)
        if tag == "span" and attributes.get("translate") == "no":
            self.protected.append(attributes.get("data-p") or "")


def test_html_has_one_element_per_segment_and_protected_spans() -> None:
    doc = parse(DOC_TEXT)
    html = to_html(doc)
    elements = _Elements()
    elements.feed(html)
    assert elements.ids == ["s0001", "s0002", "s0003"]
    assert elements.protected == ["0", "1", "2"]
    assert '<h1 id="s0001">Title</h1>' in html
    assert "secret_code" not in html  # non-translatable blocks are left out entirely
    assert '<meta charset="utf-8">' in html


def test_html_escapes_text_and_protected_tokens() -> None:
    doc = parse("Tokens <pad> and &lt;eos&gt; & more < less.\n")
    html = to_html(doc)
    assert '<span translate="no" data-p="0">&lt;pad&gt;</span>' in html
    assert '<span translate="no" data-p="1">&amp;lt;</span>' in html
    assert "&amp; more &lt; less." in html


def test_html_for_a_subset_of_segments() -> None:
    doc = parse(DOC_TEXT)
    html = to_html(doc, ["s0003"])
    assert 'id="s0003"' in html
    assert 'id="s0001"' not in html
    with pytest.raises(InputError, match="unknown segment ids s0999"):
        to_html(doc, ["s0999"])


def test_identity_translation_gives_back_the_same_markdown() -> None:
    doc = parse(SAMPLE)
    rebuilt = from_html(doc, to_html(doc))
    assert rebuilt.issues == []
    assert rebuilt.untranslated == []
    assert rebuilt.markdown(doc) == SAMPLE


def test_translation_restores_protected_spans_byte_identical() -> None:
    doc = parse(DOC_TEXT)
    html = to_html(doc).replace("See ", "Siehe ").replace(" and ", " und ").replace("Plain words.", "Einfach.")
    # A translation engine may alter the content of a protected span: the source bytes come back anyway.
    html = html.replace(">$y$<", "> $ y $ <")
    rebuilt = from_html(doc, html)
    assert rebuilt.issues == []
    out = rebuilt.markdown(doc)
    assert "Siehe `f(x)` und $y$ in :numref:`fig_a`." in out
    assert "```python\nsecret_code()\n```" in out
    assert render(parse(out)) == out


def _damage(pattern: str, replacement: str) -> tuple[str, list[str], str]:
    doc = parse(DOC_TEXT, path="book/a.md")
    html = re.sub(pattern, replacement, to_html(doc), count=1)
    rebuilt = from_html(doc, html)
    return rebuilt.markdown(doc), [issue.problem for issue in rebuilt.issues], str(rebuilt.issues[0])


def test_dropped_span_is_reported_and_the_source_is_kept() -> None:
    out, problems, message = _damage(r'<span translate="no" data-p="1">\$y\$</span>', "")
    assert problems == ["dropped-span"]
    assert message == "book/a.md: segment s0002 span '$y$': dropped-span: missing from the translation"
    assert out == DOC_TEXT


def test_duplicated_span_is_reported() -> None:
    span = '<span translate="no" data-p="0">`f(x)`</span>'
    _, problems, _ = _damage(re.escape(span), span + " " + span)
    assert problems == ["duplicated-span"]


def test_reordered_code_and_math_spans_are_accepted() -> None:
    doc = parse(DOC_TEXT)
    first = '<span translate="no" data-p="0">`f(x)`</span>'
    second = '<span translate="no" data-p="1">$y$</span>'
    html = to_html(doc).replace(first, "@@").replace(second, first).replace("@@", second)
    rebuilt = from_html(doc, html)
    assert rebuilt.issues == []
    assert rebuilt.untranslated == []
    assert "See $y$ and `f(x)` in" in rebuilt.markdown(doc)


def test_link_brackets_must_keep_their_order() -> None:
    doc = parse("Read [the docs](https://d2l.ai) now.\n")
    html = to_html(doc)
    opener = '<span translate="no" data-p="0">[</span>'
    target = '<span translate="no" data-p="1">](https://d2l.ai)</span>'
    swapped = html.replace(opener, "@@").replace(target, opener).replace("@@", target)
    rebuilt = from_html(doc, swapped)
    assert [issue.problem for issue in rebuilt.issues] == ["reordered-spans"]


def test_lost_segment_id_is_reported() -> None:
    out, problems, message = _damage(r' id="s0003"', "")
    assert problems == ["missing-segment"]
    assert "segment s0003" in message
    assert out == DOC_TEXT


def test_lost_span_attribute_is_matched_by_content() -> None:
    doc = parse(DOC_TEXT)
    html = to_html(doc).replace(' data-p="1"', "")
    rebuilt = from_html(doc, html)
    assert rebuilt.issues == []


def test_translation_that_creates_markup_is_rejected() -> None:
    out, problems, _ = _damage(r"Plain words\.", "Plain `words` here.")
    assert problems == ["markup-changed"]
    assert out == DOC_TEXT


def test_empty_translation_is_rejected() -> None:
    _, problems, _ = _damage(r"Plain words\.", "   ")
    assert problems == ["empty-translation"]


def test_subset_round_trip_only_expects_the_sent_segments() -> None:
    doc = parse(DOC_TEXT)
    html = to_html(doc, ["s0003"]).replace("Plain words.", "Einfach.")
    rebuilt = from_html(doc, html, ["s0003"])
    assert rebuilt.issues == []
    assert rebuilt.markdown(doc) == DOC_TEXT.replace("Plain words.", "Einfach.")


def test_duplicated_segment_element_is_reported() -> None:
    doc = parse(DOC_TEXT)
    html = to_html(doc).replace("</body>", '<p id="s0003">Again.</p></body>')
    assert [issue.problem for issue in from_html(doc, html).issues] == ["duplicated-segment"]


def test_hostile_translation_rewrites_words_but_keeps_protected_content() -> None:
    doc = parse(SAMPLE)
    hostile = hostile_translate(to_html(doc))
    assert "ΩemoS" in hostile
    rebuilt = from_html(doc, hostile)
    assert rebuilt.issues == []
    out = rebuilt.markdown(doc)
    assert "ΩemoS" in out  # "Some" was rewritten
    assert "```{.python .input}\n%%tab pytorch\nx = 1  # comment\n```" in out
    assert len(segments(parse(out))) == len(segments(doc))


def test_check_text_reports_all_three_round_trips_ok() -> None:
    check = check_text(SAMPLE, "sample.md")
    assert check.ok, check.failures
    assert check.segments == len(segments(parse(SAMPLE)))
