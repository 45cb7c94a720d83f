"""Markdown that is not d2lbook's own but that Markdown renders (CommonMark, Pandoc): protected, or refused.

Every construct here is either kept byte for byte and never sent as translatable text, with a translation that
changes it detected, or refused with one line naming the file, the line and the problem. None is translated
silently. The samples are written for these tests.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from amts.book import BlockKind, from_html, parse, render, segments, to_html
from amts.book.roundtrip import check_text
from amts.book.skeleton import check_skeleton
from amts.errors import InputError


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


# -- raw HTML ------------------------------------------------------------------------------------------------

HTML = """\
# Kite Knots

<div class="warning" id="knot-box">
Never fly a kite near power lines.
</div>

Tie the <span class="term">bowline</span> first, as drawn here:
<img src="../img/bowline.svg" alt="bowline" width="200">.

<pre>
  loop   -->  over
  under  -->  through

  pull tight
</pre>

<!-- Reviewer: the figure below

```python
draw_knot('reef')
```
comes later. -->

<script type="text/javascript">
showKnot("reef");
</script>

A reef knot joins two lines of equal thickness.
"""


def test_raw_html_is_kept_out_of_translation() -> None:
    """Given a chapter with a styled box around prose, inline tags with attributes, a <pre> block holding blank
    lines, a comment holding a blank line and a code cell, and a <script> block
    When it is segmented and its Translate HTML is built
    Then the prose is sent, no tag attribute and nothing of the pre, comment or script content is, and the file
    round-trips byte for byte."""
    doc = parse(HTML, path="knots.md")

    sent = translatable(HTML)

    assert "Never fly a kite near power lines." in sent
    assert "bowline" in sent  # the word between <span …> and </span> is prose
    for markup in ("class=", "warning", "knot-box", "term", "src=", "bowline.svg", "width", "loop", "pull tight"):
        assert markup not in sent
    for hidden in ("pull tight", "Reviewer", "draw_knot", "showKnot"):
        assert hidden not in to_html(doc)
    kinds = [block.kind for block in doc.blocks if block.kind is not BlockKind.BLANK]
    assert kinds[-4:] == [BlockKind.HTML, BlockKind.COMMENT, BlockKind.HTML, BlockKind.PARAGRAPH]
    assert render(doc) == HTML
    assert check_text(HTML, "knots.md").failures == []


def test_a_translation_that_changes_an_html_attribute_is_detected_or_repaired() -> None:
    """Given the chapter's Translate HTML, translated three ways: the tag left in its protected span but its
    class translated; the tag taken out of its span and rewritten as text; the markdown translated by hand with
    the class changed
    When each is read back or checked
    Then the first comes back with the source's tag byte for byte, the second is reported and keeps its source
    text, and the third is a skeleton difference naming the tag's line."""
    doc = parse(HTML, path="knots.md")
    box = next(s for s in segments(doc) if "power lines" in s.text)
    html = to_html(doc)
    protected_tag = '<span translate="no" data-p="0">&lt;div class="warning" id="knot-box"&gt;</span>'
    assert protected_tag in html

    inside = from_html(doc, html.replace('class="warning"', 'class="Warnung"'))
    outside = from_html(doc, html.replace(protected_tag, '&lt;div class="Warnung" id="knot-box"&gt;'))
    by_hand = HTML.replace('class="warning"', 'class="Warnung"')

    assert inside.issues == []
    assert inside.markdown(doc) == HTML
    assert [(issue.segment_id, issue.problem) for issue in outside.issues] == [(box.id, "dropped-span")]
    assert box.id in outside.untranslated
    assert skeleton_problems(by_hand, HTML) == [
        'zh.md:3: extra html: <div class="Warnung" id="knot-box">',
        'zh.md:3: missing html: <div class="warning" id="knot-box"> (source line 3)',
    ]


def test_text_after_a_comment_that_holds_blank_lines_is_refused() -> None:
    """Given a comment that holds a blank line and has prose after its --> on the same line
    When the file is parsed
    Then it is refused in one line naming that line (the prose would be hidden from translation)."""
    with pytest.raises(InputError) as caught:
        parse("# T\n\n<!-- a note\n\nstill the note --> Visible words.\n", path="note.md")

    assert str(caught.value).startswith("note.md:5: text after the --> closing an HTML comment")


# -- footnotes, reference links, Pandoc attributes and fenced divs --------------------------------------------

NOTES = """\
# Bread Ovens

A brick oven keeps its heat for hours[^heat] after the fire is out.
See [the baking guide][guide] or the [Oven Notes][] for the timings.

![A domed oven.](../img/oven.svg){width=60%}

::: {.tip}
Bake the [darkest loaves]{.smallcaps} last, using `cool_down()`{.python}.
:::

[^heat]: Thick walls store the warmth
    and give it back slowly.

[guide]: https://example.org/baking "Baking guide"
[oven notes]: https://example.org/notes
"""


def test_footnotes_reference_links_attributes_and_divs_are_kept_out_of_translation() -> None:
    """Given a chapter with a footnote reference and its definition, a full and a collapsed reference link with
    their definitions, Pandoc attributes after an image, a span and inline code, and a fenced div
    When it is segmented and its Translate HTML is built
    Then the prose and the link texts are sent, but no footnote label, link label, definition, attribute or div
    fence is; the footnote's text is a segment of its own; the file round-trips byte for byte."""
    doc = parse(NOTES, path="ovens.md")

    sent = translatable(NOTES)

    assert "the baking guide" in sent
    assert "darkest loaves" in sent
    assert [(s.kind, s.text) for s in segments(doc) if s.kind == "footnote"] == [
        ("footnote", "Thick walls store the warmth\n    and give it back slowly.")
    ]
    for markup in ("[^heat]", "heat]", "guide]", "Oven Notes", "example.org", "width=", ".smallcaps", ".python"):
        assert markup not in sent
    assert ":::" not in to_html(doc)
    assert render(doc) == NOTES
    assert check_text(NOTES, "ovens.md").failures == []


def test_a_translation_that_changes_a_footnote_label_or_an_attribute_is_detected() -> None:
    """Given the chapter's Translate HTML with the footnote reference's label changed inside its protected span,
    and with it taken out of the span; and a hand translation that renumbers the footnote and drops an attribute
    When each is read back or checked
    Then the first keeps the source's label byte for byte, the second is reported and keeps its source text, and
    the hand translation's changes are skeleton differences with their lines."""
    doc = parse(NOTES, path="ovens.md")
    oven = next(s for s in segments(doc) if "brick oven" in s.text)
    html = to_html(doc)
    label_span = '<span translate="no" data-p="0">[^heat]</span>'
    assert label_span in html

    inside = from_html(doc, html.replace(label_span, '<span translate="no" data-p="0">[^Hitze]</span>'))
    outside = from_html(doc, html.replace(label_span, "[^Hitze]"))
    by_hand = NOTES.replace("[^heat]", "[^1]").replace("{.smallcaps}", "")

    assert inside.issues == []
    assert inside.markdown(doc) == NOTES
    assert [(issue.segment_id, issue.problem) for issue in outside.issues] == [(oven.id, "dropped-span")]
    assert skeleton_problems(by_hand, NOTES) == [
        "zh.md:3: extra footnote: [^1]",
        "zh.md:3: missing footnote: [^heat] (source line 3)",
        "zh.md:9: missing attributes: ]{.smallcaps} (source line 9)",
        "zh.md:12: extra footnote: [^1]:",
        "zh.md:12: missing footnote: [^heat]: (source line 12)",
    ]


def test_a_shortcut_reference_link_is_refused() -> None:
    """Given a chapter that links with a shortcut reference ``[guide]``, whose text is the label of a definition
    When it is parsed
    Then it is refused in one line naming the line of the link, the definition's line, and how to write it
    (translating the label would cut the link from its definition)."""
    text = "# Ovens\n\nRead the [guide] first.\n\n[guide]: https://example.org/baking\n"

    with pytest.raises(InputError) as caught:
        parse(text, path="ovens.md")

    assert str(caught.value) == (
        "ovens.md:3: shortcut reference link [guide] (defined on line 5) would be translated and lose its "
        "definition: write it as [text][guide]"
    )


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
