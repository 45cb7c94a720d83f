"""Property tests: parse and render never crash and always round-trip on generated d2lbook-like documents."""

from __future__ import annotations

from amts.book import find_protected, from_html, parse, render, segments, split_sentences, to_html
from amts.book.model import LINE_BREAK
from amts.book.roundtrip import check_text
from amts.errors import InputError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

WORDS = st.sampled_from(
    [
        "the",
        "Model",
        "data",
        "e.g.",
        "i.e.,",
        "Fig.",
        "3.14",
        "v1.0",
        "词元",
        "数据集",
        "模型。",
        "。",
        "！",
        "？",
        "(a)",
    ]
)
INLINE = st.one_of(
    WORDS,
    WORDS,
    WORDS,
    st.sampled_from(
        [
            "`x = f(a)`",
            "$\\alpha$",
            "$10$",
            ":numref:`fig_a`",
            ":cite:`A.B.2020`",
            ":eqref:`eq_b`",
            "[link text](https://d2l.ai/x)",
            "[**slide text**]",
            "(**more**)",
            "[~~gone~~]",
            "&lt;eos&gt;",
            "<pad>",
            "*emph*",
            "**bold**",
            "https://d2l.ai",
            "<!-- note -->",
            "[^n1]",
            '<span class="k">',
            "</span>",
            "[a ref][r1]",
            "`x`{.py}",
            "<mailto:a@b.org>",
            ".",
            ",",
            "?",
        ]
    ),
)


@st.composite
def prose_lines(draw: st.DrawFn, max_lines: int = 3) -> list[str]:
    lines = []
    for _ in range(draw(st.integers(1, max_lines))):
        words = draw(st.lists(INLINE, min_size=1, max_size=8))
        lines.append(" ".join(words))
    return lines


@st.composite
def blocks(draw: st.DrawFn) -> str:
    kind = draw(
        st.sampled_from(["heading", "prose", "list", "figure", "math", "code", "tab", "table", "misc", "foreign"])
    )
    if kind == "heading":
        label = draw(st.sampled_from(["", "\n:label:`sec_x`"]))
        return (
            "#" * draw(st.integers(1, 4)) + draw(st.sampled_from([" ", "  "])) + " ".join(draw(prose_lines(1))) + label
        )
    if kind == "prose":
        lines = draw(prose_lines())
        if draw(st.booleans()):
            lines.insert(draw(st.integers(0, len(lines))), "$$x = \\frac{1}{2}$$")
        return "\n".join(lines)
    if kind == "list":
        items = []
        for _ in range(draw(st.integers(1, 3))):
            marker = draw(st.sampled_from(["* ", "1. ", "    * "]))
            lines = draw(prose_lines(2))
            items.append(marker + "\n  ".join(lines))
        return "\n".join(items)
    if kind == "figure":
        caption = " ".join(draw(prose_lines(1))).replace("](", " ")
        return f"![{caption}](../img/a.svg)" + draw(st.sampled_from(["", "\n:width:`400px`", "\n:label:`fig_a`"]))
    if kind == "math":
        return draw(st.sampled_from(["$$a = b$$", "$$\\begin{aligned}\n    a &= b\n\\end{aligned}$$\n:eqlabel:`eq_a`"]))
    if kind == "code":
        return "```{.python .input}\n#@tab pytorch\nx = '$$ [**'\n# :begin_tab:\n```"
    if kind == "tab":
        inner = "\n".join(draw(prose_lines(2)))
        return f":begin_tab:`mxnet, pytorch`\n{inner}\n\n```python\nprint(1)\n```\n:end_tab:"
    if kind == "table":
        cells = [" ".join(draw(prose_lines(1))).replace("|", " ") for _ in range(2)]
        return f":Caption text\n:label:`tab_a`\n\n| {cells[0]} | b |\n|:--|--:|\n| {cells[1]} | $1$ |"
    if kind == "foreign":  # CommonMark and Pandoc markup that d2lbook passes through
        words = " ".join(draw(prose_lines(1))).replace("[", " ").replace("]", " ")
        return draw(
            st.sampled_from(
                [
                    "~~~python\nx = 1\n\ny = 2\n~~~",
                    f"{words}\n=====",
                    f"## {words} {{#sec-a .unnumbered}}",
                    "***",
                    f'<div class="box">\n{words}\n</div>',
                    "<pre>\n  a\n\n  b\n</pre>",
                    f"[^n1]: {words}",
                    '[r1]: https://example.org "Title"',
                    f"::: {{.note}}\n{words}\n:::",
                    f"{words} | b\n--- | ---\n1 | 2",
                    f"1) {words}\n2) {words}",
                    f"> > {words}",
                ]
            )
        )
    return draw(
        st.sampled_from(
            ["[Discussions](https://discuss.d2l.ai/t/1)", "<!-- comment -->", "> Premise: text.", ":label:`x`"]
        )
    )


@st.composite
def documents(draw: st.DrawFn) -> str:
    parts = draw(st.lists(blocks(), min_size=1, max_size=8))
    separators = [draw(st.sampled_from(["\n\n", "\n\n\n", "\n  \n"])) for _ in parts]
    text = "".join(part + separator for part, separator in zip(parts, separators, strict=True))
    if draw(st.booleans()):
        text = text.rstrip("\n")
    text = text.replace("\n", draw(st.sampled_from(["\n", "\r\n", "\r"])))
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_generated_documents_round_trip_through_markdown_html_and_hostile_translation(text: str) -> None:
    check = check_text(text, "generated.md")
    assert check.ok, check.failures


FUZZ_PIECES = [
    *"#*-1. $`|:[]()!>\n\r\tab中。~&<",
    "```",
    "$$",
    ":begin_tab:`a`",
    ":end_tab:",
    "\n\n",
    "![",
    "](x.svg)",
    ":label:`l`",
    ":numref:`n`",
    "(**",
    "**]",
    "<!--",
    "-->",
    "\ufeff",
    "~~~",
    "---",
    "===",
    "    ",
    "[^1]",
    "[^1]: ",
    "[a]: x",
    "[a]",
    "<pre>",
    "</pre>",
    '<b class="c">',
    "{#i}",
    ":::",
    "\r",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(FUZZ_PIECES),
        max_size=60,
    ).map("".join)
)
def test_arbitrary_text_either_round_trips_or_is_a_clear_input_error(text: str) -> None:
    try:
        doc = parse(text, path="fuzz.md")
    except InputError as exc:
        error = exc
        doc = None
    if doc is None:
        assert error.path == "fuzz.md"
        assert error.line is not None
        assert error.line >= 1
        assert not LINE_BREAK.search(str(error))  # one line
        return
    assert render(doc) == text
    for segment in segments(doc):
        assert text[segment.start : segment.end] == segment.text
    assert from_html(doc, to_html(doc)).markdown(doc) == text


@settings(max_examples=200, deadline=None)
@given(st.lists(INLINE, max_size=30).map(" ".join), st.sampled_from(["en", "zh", "es", "fr"]))
def test_sentences_cover_the_text_and_never_cut_protected_spans(text: str, lang: str) -> None:
    sentences = split_sentences(text, lang)
    assert "".join(sentences).replace(" ", "") == text.replace(" ", "")
    position = 0
    cuts = []
    for sentence in sentences:
        position = text.index(sentence, position)
        cuts.append(position)
        position += len(sentence)
    for span in find_protected(text):
        assert not any(span.start < cut < span.end for cut in cuts)
