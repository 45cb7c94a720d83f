"""Translatable segments, their protected spans, prose, and replacing segment texts."""

from __future__ import annotations

import pytest
from amts.book import SpanKind, parse, prose, replace_segments, segments, without_slide_marks
from amts.book.inline import find_protected
from amts.errors import InputError

from .test_book_parser import SAMPLE


def spans(text: str) -> list[tuple[SpanKind, str]]:
    return [(span.kind, span.text) for span in find_protected(text)]


def test_segments_have_stable_ids_kinds_and_exact_text() -> None:
    doc = parse(SAMPLE)
    found = segments(doc)
    assert [segment.id for segment in found] == [f"s{number:04d}" for number in range(1, len(found) + 1)]
    assert segments(parse(SAMPLE)) == found  # deterministic for an unchanged document
    for segment in found:
        assert doc.text[segment.start : segment.end] == segment.text
    texts = {segment.text: segment.kind for segment in found}
    assert texts["A Small Chapter"] == "heading"
    assert texts["first bullet\n  continues here"] == "list-item"
    assert texts["nested bullet"] == "list-item"
    assert texts["A caption with $\\alpha$."] == "caption"
    assert texts["Caption of the table"] == "table-caption"
    assert texts["Name"] == "table-cell"
    assert texts["Premise: a quote line."] == "quote"
    assert texts["Tab prose goes here."] == "paragraph"
    assert texts["Before math"] == "paragraph"
    assert texts["after math."] == "paragraph"


def test_non_translatable_blocks_yield_no_segment() -> None:
    texts = " ".join(segment.text for segment in segments(parse(SAMPLE)))
    for absent in ("print(1)", "nested fence", "y = \\sum", "Discussions", "lonely comment", "bibliography", "$1$"):
        assert absent not in texts


def test_segment_metadata_tab_labels_level() -> None:
    found = {segment.text: segment for segment in segments(parse(SAMPLE))}
    assert found["Tab prose goes here."].tab == ("mxnet", "pytorch")
    assert found["A Small Chapter"].labels == ("chap_small",)
    assert found["A Small Chapter"].level == 1
    assert "pic.svg" in found["A caption with $\\alpha$."].labels
    assert found["Section with $n$-grams"].line == 7


@pytest.mark.parametrize(
    ("text", "kinds", "protected"),
    [
        pytest.param(
            "Use `a$b` and ``x ` y`` for $f(x)$, see :numref:`fig_a` and :cite:`A.B.2020,C.2021`, :eqref:`eq`.",
            [SpanKind.CODE, SpanKind.CODE, SpanKind.MATH, SpanKind.ROLE, SpanKind.ROLE, SpanKind.ROLE],
            ["`a$b`", "``x ` y``", "$f(x)$", ":numref:`fig_a`", ":cite:`A.B.2020,C.2021`", ":eqref:`eq`"],
            id="inline-code-math-and-roles",
        ),
        pytest.param(
            "词表$\\mathcal{V}$中前$10$个，共$100,000$",
            [SpanKind.MATH, SpanKind.MATH, SpanKind.MATH],
            ["$\\mathcal{V}$", "$10$", "$100,000$"],
            id="math-glued-to-hanzi-and-numbers-in-math",
        ),
        pytest.param(
            "with $[\\![x]\\!]$ here",
            [SpanKind.MATH],
            ["$[\\![x]\\!]$"],
            id="iverson-brackets-in-math-are-not-an-image",
        ),
        pytest.param(
            "See [the `d2l` docs](https://d2l.ai/x_(y)) and ![icon](../img/a.svg).",
            [SpanKind.LINK_OPEN, SpanKind.CODE, SpanKind.LINK_TARGET, SpanKind.LINK_OPEN, SpanKind.LINK_TARGET],
            ["[", "`d2l`", "](https://d2l.ai/x_(y))", "![", "](../img/a.svg)"],
            id="links-keep-their-text-translatable",
        ),
        pytest.param(
            "[**Mark <pad> &lt;eos&gt;**] and (~~slides~~) <!-- c --> at https://d2l.ai.",
            [
                SpanKind.SLIDE_OPEN,
                SpanKind.TOKEN,
                SpanKind.ENTITY,
                SpanKind.ENTITY,
                SpanKind.SLIDE_CLOSE,
                SpanKind.SLIDE_OPEN,
                SpanKind.SLIDE_CLOSE,
                SpanKind.COMMENT,
                SpanKind.URL,
            ],
            ["[**", "<pad>", "&lt;", "&gt;", "**]", "(~~", "~~)", "<!-- c -->", "https://d2l.ai"],
            id="tokens-entities-slide-marks-comments-and-urls",
        ),
        pytest.param("costs 5 $ and 6 $ total", [], [], id="dollar-amounts-with-spaces-are-not-math"),
    ],
)
def test_protected_spans(text: str, kinds: list[SpanKind], protected: list[str]) -> None:
    """The protected spans of ``text``: their kinds and texts, in order."""
    assert spans(text) == list(zip(kinds, protected, strict=True))


def test_segment_made_only_of_protected_content_is_skipped() -> None:
    doc = parse(":numref:`fig_x`, $x$.\n\nReal text.\n")
    assert [segment.text for segment in segments(doc)] == ["Real text."]


def test_prose_unwraps_slide_marks_deletes_slide_only_text_and_unescapes() -> None:
    doc = parse("We [**build a vocab**] of\n&lt;unk&gt; tokens [~~slides only~~] and (**more**).\n")
    (segment,) = segments(doc)
    assert prose(segment) == "We build a vocab of <unk> tokens and more."


def test_prose_joins_hanzi_lines_without_space_and_keeps_protected_spans() -> None:
    doc = parse("我们在 :numref:`sec_a`中\n评估了 `code`   工具，\nand English\nwords.\n")
    (segment,) = segments(doc)
    assert prose(segment) == "我们在 :numref:`sec_a`中评估了 `code` 工具，and English words."


def test_replace_segments_changes_only_those_segments() -> None:
    doc = parse(SAMPLE)
    found = {segment.text: segment for segment in segments(doc)}
    target = found["Some prose that wraps\nover two lines, with $x$ and `code`."]
    out = replace_segments(doc, {target.id: "Texto con $x$ y `code`."})
    assert out == SAMPLE.replace(target.text, "Texto con $x$ y `code`.")


def test_replace_segments_keeps_structure_of_one_line_and_list_segments() -> None:
    doc = parse("# Title\n\n* item\n  more\n\n| a |\n|---|\n")
    heading, item, cell = segments(doc)
    out = replace_segments(
        doc,
        {heading.id: "Neuer\nTitel", item.id: "Punkt\n\neins\n# not a heading", cell.id: "b\nc"},
    )
    assert out == "# Neuer Titel\n\n* Punkt\n  eins # not a heading\n\n| b c |\n|---|\n"
    assert render_ok(out)


def render_ok(text: str) -> bool:
    from amts.book import render

    return render(parse(text)) == text


def test_replace_segments_uses_crlf_in_crlf_files() -> None:
    doc = parse("Line one\r\nline two.\r\n")
    (segment,) = segments(doc)
    assert replace_segments(doc, {segment.id: "uno\ndos"}) == "uno\r\ndos\r\n"


def test_replace_segments_rejects_unknown_ids() -> None:
    doc = parse("Text.\n", path="a.md")
    with pytest.raises(InputError, match="unknown segment ids s0099"):
        replace_segments(doc, {"s0099": "x"})


def test_a_bare_url_stops_before_hanzi_and_full_width_punctuation() -> None:
    assert spans("访问https://d2l.ai/a_b获取代码，见https://x.org。") == [
        (SpanKind.URL, "https://d2l.ai/a_b"),
        (SpanKind.URL, "https://x.org"),
    ]


@pytest.mark.parametrize(
    ("translation", "written"),
    [
        ("# not a heading", "\\# not a heading"),
        ("2019. A year.", "2019\\. A year."),
        ("- not a bullet", "\\- not a bullet"),
        (":not a caption", "\\:not a caption"),
        (":numref:`fig_a` shows it.", ":numref:`fig_a` shows it."),
        ("> not a quote", "\\> not a quote"),
    ],
)
def test_a_translated_paragraph_cannot_turn_into_another_block(translation: str, written: str) -> None:
    doc = parse("# Title\n\nSome text.\n")
    paragraph = segments(doc)[1]
    out = replace_segments(doc, {paragraph.id: translation})
    assert out == f"# Title\n\n{written}\n"
    reparsed = segments(parse(out))
    assert [segment.kind for segment in reparsed] == ["heading", "paragraph"]


def test_a_pipe_in_a_translated_table_cell_is_escaped_outside_math() -> None:
    doc = parse("| a | b |\n|---|---|\n| c | d |\n")
    cell = segments(doc)[0]
    out = replace_segments(doc, {cell.id: "x | y $|z|$"})
    assert out.startswith("| x \\| y $|z|$ | b |\n")
    assert len(segments(parse(out))) == 4


def test_a_text_without_its_slide_marks() -> None:
    """Given a sentence with a slide mark around its start, a slides-only aside and a formula
    When it is read without its slide marks
    Then the marks and the aside are gone, and the formula comes as a protected span."""
    pieces = list(without_slide_marks("[**Scale $x$**] first[~~, as slides say~~]. Then stop."))

    assert [(text, span.kind.value if span else None) for text, span in pieces] == [
        ("Scale ", None),
        ("$x$", "math"),
        (" first", None),
        (". Then stop.", None),
    ]
