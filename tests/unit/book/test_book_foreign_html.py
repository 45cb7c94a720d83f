"""Raw HTML, footnotes, reference links, Pandoc attributes and fenced divs: protected, or refused.

The second half of the foreign-markdown tests (``test_book_foreign_markdown`` has the first): each construct is
kept byte for byte and never sent as translatable text, with a translation that changes it detected, or refused
with one line naming the file, the line and the problem. The samples are written for these tests.
"""

from __future__ import annotations

import pytest
from amts.book import BlockKind, from_html, parse, render, segments, to_html
from amts.book.roundtrip import check_text
from amts.errors import InputError

from tests.unit.book.foreign import skeleton_problems, translatable

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
