"""Parsing d2lbook markdown into blocks with exact spans, and rendering it back byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest
from amts.book import Block, BlockKind, Document, parse, parse_file, proposal_path, render, walk_blocks
from amts.errors import InputError

SAMPLE = """\
# A Small Chapter
:label:`chap_small`

Some prose that wraps
over two lines, with $x$ and `code`.

## Section with $n$-grams

* first bullet
  continues here
    * nested bullet
* second bullet

1. numbered one
1. numbered two

![A caption with $\\alpha$.](../img/pic.svg)
:width:`400px`
:label:`fig_pic`

$$y = \\sum_i x_i.$$
:eqlabel:`eq_sum`

$$\\begin{aligned}
    a &= b \\\\
    c &= d
\\end{aligned}$$

Before math
$$z = 1$$
after math.

```{.python .input}
%%tab pytorch
x = 1  # comment
```

````bash
```text
nested fence
```
````

:begin_tab:`mxnet, pytorch`
Tab prose goes here.

```python
print(1)
```
:end_tab:

:Caption of the table
:label:`tab_small`

| Name | Value |
|:-----|------:|
| a | $1$ |

<!-- a lonely comment -->

> Premise: a quote line.

:bibliography:`../d2l.bib`

[Discussions](https://discuss.d2l.ai/t/123)
"""


def flatten(blocks: tuple[Block, ...]) -> list[Block]:
    out: list[Block] = []
    for block in blocks:
        out.append(block)
        out += flatten(block.children)
    return out


def kinds(doc: Document) -> list[BlockKind]:
    return [block.kind for block in flatten(doc.blocks) if block.kind is not BlockKind.BLANK]


def test_render_gives_back_every_byte() -> None:
    # Given a document using every construct, When parsed and rendered, Then nothing changes
    doc = parse(SAMPLE, path="sample.md")
    assert render(doc) == SAMPLE


def test_top_level_blocks_tile_the_text_and_children_tile_their_parent() -> None:
    doc = parse(SAMPLE)
    position = 0
    for block in doc.blocks:
        assert block.start == position
        position = block.end
        if block.children:
            assert block.children[0].start == block.start
            assert block.children[-1].end == block.end
            for left, right in zip(block.children, block.children[1:], strict=False):
                assert left.end == right.start
    assert position == len(SAMPLE)


def test_each_construct_is_classified() -> None:
    found = kinds(parse(SAMPLE))
    for kind in (
        BlockKind.HEADING,
        BlockKind.PARAGRAPH,
        BlockKind.LIST,
        BlockKind.LIST_ITEM,
        BlockKind.FIGURE,
        BlockKind.MATH,
        BlockKind.MIXED,
        BlockKind.CODE,
        BlockKind.TAB,
        BlockKind.TAB_MARKER,
        BlockKind.TABLE,
        BlockKind.TABLE_CAPTION,
        BlockKind.COMMENT,
        BlockKind.QUOTE,
        BlockKind.QUOTE_LINE,
        BlockKind.DIRECTIVE,
        BlockKind.DISCUSSION,
    ):
        assert kind in found, kind


def test_heading_level_text_and_label() -> None:
    doc = parse("##  Two spaces\n:label:`sec_two`\n")
    (heading,) = doc.blocks
    assert heading.kind is BlockKind.HEADING
    assert heading.level == 2
    assert heading.labels == ("sec_two",)
    assert doc.text[heading.text_start : heading.text_end] == "Two spaces"


def test_figure_keeps_target_width_and_label_out_of_the_caption() -> None:
    doc = parse("![Offsets [matter].](../img/a-b.svg)  \n:label:`fig_ab`\n:width:`300px`\n")
    (figure,) = doc.blocks
    assert figure.kind is BlockKind.FIGURE
    assert figure.target == "../img/a-b.svg"
    assert "fig_ab" in figure.labels
    assert "a-b.svg" in figure.labels
    assert doc.text[figure.text_start : figure.text_end] == "Offsets [matter]."


def test_display_math_with_eqlabel_and_indented_lines_is_one_block() -> None:
    text = "$$\\begin{aligned}\n    a &= b\n\\end{aligned}$$\n:eqlabel:`eq_ab`\n"
    (math,) = parse(text).blocks
    assert math.kind is BlockKind.MATH
    assert math.labels == ("eq_ab",)
    assert math.end == len(text)


def test_display_math_inside_a_paragraph_splits_it_into_parts() -> None:
    doc = parse("We have\n$$a = b,$$\n:eqlabel:`eq_x`\nwhere $a$ is new.\n")
    (mixed,) = doc.blocks
    assert [child.kind for child in mixed.children] == [BlockKind.PARAGRAPH, BlockKind.MATH, BlockKind.PARAGRAPH]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        pytest.param("(**$$f'(x) = 1$$**)\n", BlockKind.MATH, id="slide-marked-display-math-is-math"),
        pytest.param(
            "```toc\n:maxdepth: 2\n\n# not a heading\n:begin_tab:`x`\n```\n",
            BlockKind.CODE,
            id="markdown-inside-code-is-not-parsed",
        ),
        pytest.param("*Tokens* are units.\n", BlockKind.PARAGRAPH, id="prose-starting-with-emphasis-is-not-a-list"),
    ],
)
def test_a_lone_block_is_read_as_its_kind(text: str, kind: BlockKind) -> None:
    (block,) = parse(text).blocks
    assert block.kind is kind


def test_display_math_may_contain_a_blank_line() -> None:
    text = "$$\na = b\n\nc = d\n$$\n\nAfter.\n"
    doc = parse(text)
    assert doc.blocks[0].kind is BlockKind.MATH
    assert render(doc) == text


def test_code_cells_keep_info_string_and_tab_and_nested_fences() -> None:
    text = "```{.python .input  n=3}\n#@tab mxnet, pytorch\nx = 1\n```\n\n````bash\n```\ninner\n```\n````\n"
    doc = parse(text)
    code = [block for block in doc.blocks if block.kind is BlockKind.CODE]
    assert [block.info for block in code] == ["{.python .input  n=3}", "bash"]
    assert code[1].end == len(text)


def test_tab_block_holds_its_inner_blocks_with_tab_names() -> None:
    doc = parse(":begin_tab:`mxnet, pytorch`\nProse.\n\n```python\nx\n```\n:end_tab:\n")
    (tab,) = doc.blocks
    assert tab.kind is BlockKind.TAB
    assert tab.tab == ("mxnet", "pytorch")
    inner = [child.kind for child in tab.children]
    assert inner[0] is BlockKind.TAB_MARKER
    assert inner[-1] is BlockKind.TAB_MARKER
    assert BlockKind.PARAGRAPH in inner
    assert BlockKind.CODE in inner
    assert all(child.tab == ("mxnet", "pytorch") for child in tab.children)


def test_a_new_begin_tab_closes_the_open_tab_as_in_d2lbook() -> None:
    text = ":begin_tab:`a`\nA.\n\n:begin_tab:`b`\nB.\n:end_tab:\n"
    doc = parse(text)
    assert [block.tab for block in doc.blocks if block.kind is BlockKind.TAB] == [("a",), ("b",)]
    assert render(doc) == text


def test_table_cells_exclude_the_rule_row_and_pipes_inside_math() -> None:
    text = "| Name | $|x|$ |\n|:--|--:|\n| a b | `c|d` |\n:label:`tab_x`\n"
    (table,) = parse(text).blocks
    assert table.kind is BlockKind.TABLE
    assert [text[start:end] for start, end in table.cells] == ["Name", "$|x|$", "a b", "`c|d`"]
    assert table.labels == ("tab_x",)


def test_list_items_record_marker_and_indentation() -> None:
    text = "* top\n  wrapped\n    * nested\n1. number\n"
    (block,) = parse(text).blocks
    assert block.kind is BlockKind.LIST
    items = block.children
    assert [(item.info, item.level) for item in items] == [("*", 0), ("*", 4), ("1.", 0)]
    assert text[items[0].text_start : items[0].text_end] == "top\n  wrapped"


def test_bom_and_crlf_are_preserved() -> None:
    text = "\ufeff# Title\r\n\r\nLine one\r\nline two.\r\n"
    doc = parse(text)
    assert doc.body_start == 1
    assert doc.newline == "\r\n"
    assert render(doc) == text
    heading = doc.blocks[0]
    assert text[heading.text_start : heading.text_end] == "Title"


def test_a_file_without_final_newline_round_trips() -> None:
    text = "# T\n\nNo newline at the end."
    assert render(parse(text)) == text


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("# T\n\n```python\nx = 1\n", 3, "unterminated code fence"),
        ("# T\n\nText\n$$x = 1\n\nmore\n", 4, "unterminated $$"),
        ("# T\n:begin_tab:`pytorch`\nText\n", 2, "unbalanced :begin_tab:"),
        ("Text\n\n:end_tab:\n", 3, "unbalanced :end_tab:"),
        ("", 1, "empty file"),
        ("\ufeff  \n\n", 1, "empty file"),
        ("# T\n\nA\x00B\n", 3, "binary data"),
    ],
)
def test_bad_input_names_the_file_and_line(text: str, line: int, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse(text, path="bad.md")
    assert caught.value.path == "bad.md"
    assert caught.value.line == line
    assert message in caught.value.message


def test_parse_file_rejects_invalid_utf8_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"# T\n\ncaf\xe9\n")
    with pytest.raises(InputError) as caught:
        parse_file(bad)
    assert caught.value.line == 3
    assert "UTF-8" in caught.value.message


def test_parse_file_reads_bom_and_crlf_exactly(tmp_path: Path) -> None:
    path = tmp_path / "bom.md"
    data = "\ufeff# T\r\n\r\nBody.\r\n".encode()
    path.write_bytes(data)
    doc = parse_file(path)
    assert render(doc).encode() == data
    assert doc.path == str(path)


def test_code_cells_record_their_framework_tab() -> None:
    text = (
        "```{.python .input}\n#@tab mxnet, pytorch\nx\n```\n\n"
        "```{.python .input}\n%%tab jax\ny\n```\n\n"
        "```python\nz\n```\n"
    )
    assert [block.tab for block in parse(text).blocks if block.kind is BlockKind.CODE] == [
        ("mxnet", "pytorch"),
        ("jax",),
        None,
    ]


def test_a_long_chain_of_tabs_closed_by_one_end_tab_is_linear() -> None:
    text = "".join(f":begin_tab:`t{number}`\nText {number}.\n\n" for number in range(3000)) + ":end_tab:\n"
    doc = parse(text)
    assert len([block for block in doc.blocks if block.kind is BlockKind.TAB]) == 3000
    assert render(doc) == text


def test_a_paragraph_starting_with_a_reference_line_is_prose() -> None:
    text = "![Arch.](../img/a.svg)\n:label:`fig_a`\n\n:numref:`fig_a`\nillustrates the model.\n"
    doc = parse(text)
    assert [block.kind for block in doc.blocks] == [BlockKind.FIGURE, BlockKind.BLANK, BlockKind.PARAGRAPH]


def test_figure_caption_may_wrap_over_lines() -> None:
    text = "![The caption wraps\nover two lines.](../img/b.svg)\n:label:`fig_b`\n"
    (figure,) = parse(text).blocks
    assert figure.kind is BlockKind.FIGURE
    assert figure.target == "../img/b.svg"
    assert figure.labels == ("fig_b", "b.svg")
    assert text[figure.text_start : figure.text_end] == "The caption wraps\nover two lines."


def test_blocks_are_walked_in_document_order_and_proposals_are_named_beside_their_chapter() -> None:
    """Given a section with a framework tab holding a code cell
    When its blocks are walked
    Then each block comes before its children, in document order; and a chapter's proposal sits beside it."""
    doc = parse("# T\n\n:begin_tab:`pytorch`\nText.\n\n```python\nx = 1\n```\n:end_tab:\n", path="a.md")

    kinds = [block.kind for block in walk_blocks(doc.blocks) if block.kind is not BlockKind.BLANK]

    assert kinds.index(BlockKind.TAB) < kinds.index(BlockKind.PARAGRAPH) < kinds.index(BlockKind.CODE)
    assert [block.start for block in walk_blocks(doc.blocks)] == sorted(b.start for b in walk_blocks(doc.blocks))
    assert proposal_path("ch/a.md") == "ch/a.amts-proposal.md"
