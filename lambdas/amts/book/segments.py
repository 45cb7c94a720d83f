"""Translatable segments of a document, their plain prose, and markdown with segments replaced."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Mapping

from amts.book.inline import find_protected
from amts.book.model import Block, BlockKind, Document, ProtectedSpan, Segment, SpanKind
from amts.errors import InputError

_SEGMENT_KIND: dict[BlockKind, str] = {
    BlockKind.HEADING: "heading",
    BlockKind.PARAGRAPH: "paragraph",
    BlockKind.LIST_ITEM: "list-item",
    BlockKind.FIGURE: "caption",
    BlockKind.TABLE_CAPTION: "table-caption",
    BlockKind.QUOTE_LINE: "quote",
    BlockKind.FOOTNOTE: "footnote",
}

# Letters of any script (not digits or underscore): a segment without one has nothing to translate.
_LETTER = re.compile(r"[^\W\d_]")
_CJK = "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_CJK_PUNCTUATION = re.compile("[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]")
_LINE_BREAK = re.compile(r"[ \t]*(?:\r\n?|\n)[ \t>]*")
_SPACES = re.compile(r"\s+")


def segments(doc: Document) -> list[Segment]:
    """The translatable segments of ``doc`` in document order, with ids ``s0001``, ``s0002``, ...

    The list is computed once per document; callers get a fresh list (segments themselves are immutable).
    """
    cached = doc.cache.get("segments")
    if cached is None:
        cached = doc.cache["segments"] = tuple(_find_segments(doc))
    assert isinstance(cached, tuple)
    return list(cached)


def _find_segments(doc: Document) -> list[Segment]:
    found: list[Segment] = []
    for path, block in _walk(doc.blocks, ()):
        for start, end, kind in _text_ranges(block):
            text = doc.text[start:end]
            protected = find_protected(text)
            if not _has_translatable_text(text, protected):
                continue
            labels = block.labels
            found.append(
                Segment(
                    id=f"s{len(found) + 1:04d}",
                    kind=kind,
                    start=start,
                    end=end,
                    text=text,
                    protected=protected,
                    tab=block.tab,
                    block_path=path,
                    labels=labels,
                    level=block.level if block.kind is BlockKind.HEADING else 0,
                    line=doc.line_of(start),
                )
            )
    return found


def _walk(blocks: tuple[Block, ...], path: tuple[int, ...]) -> Iterator[tuple[tuple[int, ...], Block]]:
    for index, block in enumerate(blocks):
        here = (*path, index)
        yield here, block
        if block.children:
            yield from _walk(block.children, here)


def _text_ranges(block: Block) -> list[tuple[int, int, str]]:
    if block.kind is BlockKind.TABLE:
        return [(start, end, "table-cell") for start, end in block.cells]
    kind = _SEGMENT_KIND.get(block.kind)
    if kind is None or block.text_start < 0 or block.text_end <= block.text_start:
        return []
    return [(block.text_start, block.text_end, kind)]


def _has_translatable_text(text: str, protected: tuple[ProtectedSpan, ...]) -> bool:
    """Whether any letter lies outside the protected spans (else there is nothing to translate)."""
    position = 0
    for span in protected:
        if _LETTER.search(text, position, span.start):
            return True
        position = span.end
    return _LETTER.search(text, position) is not None


def join_lines(text: str) -> str:
    """Join wrapped lines: no space between CJK characters (or next to full-width punctuation), else one space."""

    def joiner(match: re.Match[str]) -> str:
        before = text[match.start() - 1] if match.start() > 0 else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if before and after and _CJK_CHAR.match(before) and _CJK_CHAR.match(after):
            return ""
        if _CJK_PUNCTUATION.match(before) or _CJK_PUNCTUATION.match(after):
            return ""  # full-width punctuation carries its own spacing
        return " "

    return _SPACES.sub(" ", _LINE_BREAK.sub(joiner, text)).strip()


def prose(segment: Segment) -> str:
    """Plain text of a segment for alignment and scoring.

    Slide marks are unwrapped, slides-only ``[~~…~~]`` text is deleted, HTML entities are unescaped, wrapped
    lines are joined (no space between CJK characters) and whitespace is collapsed; other protected spans
    (code, math, roles, links) are kept as written.
    """
    return join_lines(unwrapped_text(segment, lambda span: span.text))


def unwrapped_text(segment: Segment, protected_text: Callable[[ProtectedSpan], str]) -> str:
    """A segment's text with slide marks unwrapped, slides-only ``[~~…~~]`` text deleted and HTML entities
    unescaped; every other protected span becomes ``protected_text(span)``. Wrapped lines are left as they are.

    ``prose`` keeps the other spans as written; evaluation's scoring text blanks them out.
    """
    pieces: list[str] = []
    position = 0
    text = segment.text
    for span in segment.protected:
        pieces.append(text[position : span.start])
        if span.kind is SpanKind.ENTITY:
            pieces.append(html.unescape(span.text))
        elif span.kind not in (SpanKind.SLIDE_OPEN, SpanKind.SLIDE_CLOSE):
            pieces.append(protected_text(span))
        else:
            pieces.append("\x01" if "~" in span.text else "")
        position = span.end
    pieces.append(text[position:])
    joined = "".join(pieces)
    if "\x01" in joined:
        joined = re.sub(r"\x01[\s\S]*?\x01", "", joined).replace("\x01", "")
    return joined


def replace_segments(doc: Document, replacements: Mapping[str, str]) -> str:
    """Markdown with the given segments' texts replaced and every other byte unchanged.

    Replacement text is fitted to its block so that it cannot change the document's structure: a heading,
    caption or table cell stays on one line, a paragraph gets no blank line, and continuation lines of a list
    item or quote keep their indentation.
    """
    all_segments = segments(doc)
    by_id = {segment.id: segment for segment in all_segments}
    unknown = sorted(set(replacements) - set(by_id))
    if unknown:
        raise InputError(f"unknown segment ids {', '.join(unknown[:5])}", path=doc.path)
    pieces: list[str] = []
    position = 0
    for segment in all_segments:
        if segment.id not in replacements:
            continue
        pieces.append(doc.text[position : segment.start])
        pieces.append(_fit(doc, segment, replacements[segment.id]))
        position = segment.end
    pieces.append(doc.text[position:])
    return "".join(pieces)


_STRUCTURAL_START = re.compile(
    r"(?:#|```|~~~|\$\$|:begin_tab:|:end_tab:|:::|\||>|!\[|[-*+] |\d+[.)] |\[\^?[^\]\r\n]+\]:"
    r"|[-=*_][-=*_ \t]*(?:[\r\n]|$))"
)
_LINE_BREAKS = re.compile(r"[ \t]*(?:(?:\r\n?|\n)[ \t]*)+")


def _fit(doc: Document, segment: Segment, text: str) -> str:
    if text == segment.text:
        return text
    text = text.strip()
    if segment.kind in ("heading", "caption", "table-cell", "table-caption", "quote"):
        one_line: str = _LINE_BREAKS.sub(" ", text)
        return _escape_pipes(one_line) if segment.kind == "table-cell" else one_line
    indent = ""
    if segment.kind in ("list-item", "footnote"):
        line_start = max(doc.text.rfind("\n", 0, segment.start), doc.text.rfind("\r", 0, segment.start)) + 1
        indent = " " * (segment.start - line_start)
    spans = find_protected(text)
    pieces: list[str] = []
    position = 0
    for match in _LINE_BREAKS.finditer(text):
        if any(span.start < match.start() < span.end for span in spans):
            continue  # a line break inside code or math is content, not layout
        pieces.append(text[position : match.start()])
        # A line that would start a new block (heading, list item, fence...) is joined to the previous one.
        pieces.append(" " if _STRUCTURAL_START.match(text, match.end()) else doc.newline + indent)
        position = match.end()
    pieces.append(text[position:])
    fitted = "".join(pieces)
    if segment.kind != "paragraph" or _escape_block_start(segment.text) != segment.text:
        return fitted  # the source itself starts that way and is a paragraph: keep the translation as written
    return _escape_block_start(fitted)


def _escape_pipes(text: str) -> str:
    """Escape a ``|`` that a translated table cell brings in (outside code and math), so the row keeps its cells."""
    if "|" not in text:
        return text
    spans = find_protected(text)
    return "".join(
        "\\|" if char == "|" and not any(span.start <= index < span.end for span in spans) else char
        for index, char in enumerate(text)
    )


_NUMBERED_START = re.compile(r"\d+(?=[.)] )")
_ROLE_AT_START = re.compile(r":[A-Za-z][\w-]*:`")


def _escape_block_start(text: str) -> str:
    """Backslash-escape a translated paragraph's first character when it would make the paragraph another block
    (a heading, quote, table, list item, fence or table caption); the rendered text is unchanged."""
    numbered = _NUMBERED_START.match(text)
    if numbered:
        return f"{text[: numbered.end()]}\\{text[numbered.end() :]}"
    if text[:1] in "#>|" or text.startswith(("- ", "* ", "+ ", "```", "~~~")):
        return "\\" + text
    if text.startswith(":") and not _ROLE_AT_START.match(text):
        return "\\" + text
    return text
