"""The book model: parse d2lbook markdown, render it back byte for byte, and cut it into translatable segments.

Public API (see docs/module-map.md, section ``amts.book``)::

    doc = parse_file("chapter/section.md")
    assert render(doc) == doc.text
    for segment in segments(doc):
        print(segment.id, prose(segment), split_sentences(segment.text, "en"))
    html = to_html(doc)                        # for an Amazon Translate batch job (text/html)
    rebuilt = from_html(doc, translated_html)  # issues are reported, the source is kept for those segments
    markdown = rebuilt.markdown(doc)
"""

from amts.book.html import HtmlRebuild, SegmentIssue, from_html, to_html
from amts.book.inline import find_protected, without_slide_marks
from amts.book.model import (
    Block,
    BlockKind,
    Document,
    ProtectedSpan,
    Segment,
    Sentence,
    SpanKind,
    walk_blocks,
)
from amts.book.parser import PROPOSAL_SUFFIX, chapter_of, markdown_files, parse, parse_file, proposal_path, render
from amts.book.segments import join_lines, prose, replace_segments, segments, unwrapped_text
from amts.book.sentences import segment_sentences, split_sentences

__all__ = [
    "PROPOSAL_SUFFIX",
    "Block",
    "BlockKind",
    "Document",
    "HtmlRebuild",
    "ProtectedSpan",
    "Segment",
    "SegmentIssue",
    "Sentence",
    "SpanKind",
    "chapter_of",
    "find_protected",
    "from_html",
    "join_lines",
    "markdown_files",
    "parse",
    "parse_file",
    "proposal_path",
    "prose",
    "render",
    "replace_segments",
    "segment_sentences",
    "segments",
    "split_sentences",
    "to_html",
    "unwrapped_text",
    "walk_blocks",
    "without_slide_marks",
]
