"""MT units staged as one document: a unit that is not a paragraph on its own never breaks the others."""

from __future__ import annotations

from amts.book import segments
from amts.sync.stage import stage_units


def test_a_unit_that_opens_a_code_fence_is_left_out_and_the_others_stay_paragraphs() -> None:
    # Given units of changed headings and paragraphs, one of which starts like a code fence
    texts = ["A first sentence.", "``` Gradient Descent", "$$ x", "A last sentence."]
    # When they are staged for MT
    staged = stage_units(texts)
    # Then the two that would open a fence or display math are left out (they get the fallback), and the
    # others are paragraphs of their own
    assert staged.segment_of_unit[1] is None
    assert staged.segment_of_unit[2] is None
    by_id = {segment.id: segment.text for segment in segments(staged.document)}
    assert [by_id[staged.segment_of_unit[k] or ""] for k in (0, 3)] == ["A first sentence.", "A last sentence."]


def test_when_no_unit_is_a_paragraph_the_document_has_no_segment() -> None:
    staged = stage_units(["``` open", "# a heading"])
    assert staged.segment_of_unit == [None, None]
    assert segments(staged.document) == []
