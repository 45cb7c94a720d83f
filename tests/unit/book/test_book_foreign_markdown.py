"""Markdown that is not d2lbook's own but that Markdown renders (CommonMark, Pandoc): protected, or refused.

Every construct here is either kept byte for byte and never sent as translatable text, with a translation that
changes it detected, or refused with one line naming the file, the line and the problem. None is translated
silently. The samples are written for these tests.
"""

from __future__ import annotations

import pytest
from amts.book import BlockKind, from_html, parse, render, segments, to_html
from amts.book.roundtrip import check_text
from amts.errors import InputError

from tests.unit.book.foreign import skeleton_problems, translatable

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


# -- front matter, heading attributes and closing hashes, setext headings, thematic breaks ---------------------

FRONT = """\
---
title: Harbour Lights
tags: [lamps, ships]
---

# Harbour Lights {#sec-lights .unnumbered}

Every harbour keeps a light for ships at night.

## Red and Green ##

Red marks the left side of the channel.

Lamp Colours
------------

Green marks the right side.

***

The keepers trim the wicks each evening.
"""


def test_front_matter_heading_attributes_and_underlines_are_kept_out_of_translation() -> None:
    """Given a chapter with YAML front matter, a heading with Pandoc attributes, one with closing hashes, a setext
    heading and a thematic break
    When it is segmented and its Translate HTML is built
    Then none of that markup is sent: the front matter is not in the HTML, the headings' texts are just their
    words, and the file round-trips byte for byte, through a hostile translation too."""
    doc = parse(FRONT, path="lights.md")

    sent = translatable(FRONT)

    assert [block.kind for block in doc.blocks][:2] == [BlockKind.FRONT_MATTER, BlockKind.BLANK]
    assert [(s.kind, s.level, s.text) for s in segments(doc) if s.kind == "heading"] == [
        ("heading", 1, "Harbour Lights"),
        ("heading", 2, "Red and Green"),
        ("heading", 2, "Lamp Colours"),
    ]
    for markup in ("title:", "lamps", "{#sec-lights", ".unnumbered", "##", "---", "***"):
        assert markup not in sent
    assert "title:" not in to_html(doc)
    assert render(doc) == FRONT
    assert check_text(FRONT, "lights.md").failures == []


def test_a_translation_that_changes_front_matter_or_heading_attributes_is_detected() -> None:
    """Given the chapter and a translation that retitles its front matter and drops a heading's attributes
    When the translation's skeleton is checked against the source
    Then both changes are reported with their lines."""
    translation = FRONT.replace("title: Harbour Lights", "title: Hafenlichter").replace(
        "# Harbour Lights {#sec-lights .unnumbered}", "# Hafenlichter"
    )

    assert skeleton_problems(translation, FRONT) == [
        "zh.md:1: extra front matter: --- title: Hafenlichter tags: [lamps, ships] ---",
        "zh.md:1: missing front matter: --- title: Harbour Lights tags: [lamps, ships] --- (source line 1)",
        "zh.md:10: missing attributes: {#sec-lights .unnumbered} (source line 6)",
    ]


def test_a_translated_heading_keeps_its_attributes_hashes_and_underline() -> None:
    """Given the chapter's Translate HTML with every heading translated
    When it is read back into markdown
    Then each heading has its new words and its source markup, and the result has the source's skeleton."""
    doc = parse(FRONT, path="lights.md")
    html = (
        to_html(doc)
        .replace(">Harbour Lights<", ">Hafenlichter<")
        .replace(">Red and Green<", ">Rot und Grün<")
        .replace(">Lamp Colours<", ">Lampenfarben<")
    )

    out = from_html(doc, html).markdown(doc)

    assert "# Hafenlichter {#sec-lights .unnumbered}\n" in out
    assert "## Rot und Grün ##\n" in out
    assert "Lampenfarben\n------------\n" in out
    assert skeleton_problems(out, FRONT) == []


def test_an_open_front_matter_is_refused_and_a_leading_rule_is_not_front_matter() -> None:
    """Given a file whose front matter is never closed, and one that starts with a thematic break
    When each is parsed
    Then the first is refused in one line naming its first line; the second is a rule followed by prose."""
    with pytest.raises(InputError) as caught:
        parse("---\ntitle: Open\n\n# Title\n\nWords.\n", path="open.md")
    doc = parse("---\n\nWords after a rule.\n", path="rule.md")

    assert str(caught.value) == (
        "open.md:1: unterminated front matter (the --- on this line has no closing --- or ... line)"
    )
    assert [block.kind for block in doc.blocks] == [BlockKind.RULE, BlockKind.BLANK, BlockKind.PARAGRAPH]


# -- indented code, indented fences, tables without outer pipes, other list and quote markers, autolinks -------

LAYOUT = """\
# Rope Making

Twist three strands together:

    rope = twist(strands, turns=3)
    print('rope ready')

1) Soak the fibres.

    Soaking makes them supple.

   ```python
   soak(fibres)

   dry(fibres)
   ```
2) Comb them straight.

Fibre | Strength
--- | ---:
Hemp | high
Cotton | low

> > Tight twists hold better.
> - A loose rope frays.

Ask <ropes@example.org> or see <ftp://example.org/ropes>.
"""


def test_indented_code_fences_in_lists_and_tables_without_outer_pipes_are_recognised() -> None:
    """Given a chapter with an indented code block, a list with ``1)`` markers holding a continuation paragraph
    and an indented fence whose code has a blank line, a table without outer pipes, a nested quote holding a
    list marker, and autolinks to an e-mail address and an FTP site
    When it is segmented and its Translate HTML is built
    Then no line of code, no pipe, marker or address is sent; the continuation paragraph, the cells, the items
    and the quotes are; and the file round-trips byte for byte."""
    doc = parse(LAYOUT, path="ropes.md")

    sent = translatable(LAYOUT)

    for code in ("twist(", "rope ready", "soak(", "dry(", "|", "---", "> ", "1)", "2)", "@example", "ftp:"):
        assert code not in sent
    assert [(s.kind, s.text) for s in segments(doc)][2:] == [
        ("list-item", "Soak the fibres."),
        ("paragraph", "Soaking makes them supple."),
        ("list-item", "Comb them straight."),
        ("table-cell", "Fibre"),
        ("table-cell", "Strength"),
        ("table-cell", "Hemp"),
        ("table-cell", "high"),
        ("table-cell", "Cotton"),
        ("table-cell", "low"),
        ("quote", "Tight twists hold better."),
        ("quote", "A loose rope frays."),
        ("paragraph", "Ask <ropes@example.org> or see <ftp://example.org/ropes>."),
    ]
    assert render(doc) == LAYOUT
    assert check_text(LAYOUT, "ropes.md").failures == []


def test_a_translation_that_changes_indented_code_or_a_table_shape_is_detected() -> None:
    """Given the chapter and a translation whose indented code calls another function and whose table lost a row
    When the translation's skeleton is checked against the source
    Then both are reported with their lines."""
    translation = LAYOUT.replace("turns=3", "turns=4").replace("Cotton | low\n", "")

    assert skeleton_problems(translation, LAYOUT) == [
        "zh.md:5: extra code: rope = twist(strands, turns=4) print('rope ready')",
        "zh.md:5: missing code: rope = twist(strands, turns=3) print('rope ready') (source line 5)",
        "zh.md:19: extra table: table of 3x2 (rows x columns)",
        "zh.md:19: missing table: table of 4x2 (rows x columns) (source line 19)",
    ]


def test_task_list_boxes_are_markup() -> None:
    """Given a task list with an open and a done box
    When it is segmented and translated back
    Then the boxes are not sent, each item's words are, and the boxes come back as they were."""
    text = "* [ ] Sand the hull.\n* [x] Mend the sail.\n"
    doc = parse(text, path="tasks.md")
    html = to_html(doc).replace("Sand the hull.", "Rumpf schleifen.").replace("Mend the sail.", "Segel flicken.")

    out = from_html(doc, html).markdown(doc)

    assert [s.text for s in segments(doc)] == ["Sand the hull.", "Mend the sail."]
    assert "[" not in translatable(text)
    assert out == "* [ ] Rumpf schleifen.\n* [x] Segel flicken.\n"
