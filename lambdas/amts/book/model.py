"""The book model: a parsed d2lbook markdown file as blocks with exact spans, and its translatable segments."""

from __future__ import annotations

import bisect
import enum
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

# A line ending as CommonMark counts them: CRLF, a lone CR (classic Mac files) or LF.
LINE_BREAK = re.compile(r"\r\n|\r|\n")
NEWLINES = ("\n", "\r\n", "\r")


def newline_of(text: str) -> str:
    """The line ending most used in ``text`` ("\n" when it has none; CRLF wins a tie with LF, LF one with CR)."""
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    cr = text.count("\r") - crlf
    if crlf and crlf >= lf and crlf >= cr:
        return "\r\n"
    return "\r" if cr > lf else "\n"


def with_newlines(text: str, newline: str) -> str:
    """``text`` with every line ending (LF, CRLF or a lone CR) written as ``newline``."""
    if newline not in NEWLINES:
        raise ValueError(f"not a line ending: {newline!r}")
    return LINE_BREAK.sub(newline, text) if "\r" in text or newline != "\n" else text


class BlockKind(enum.StrEnum):
    """What a block is; only some kinds carry translatable text (see ``TRANSLATABLE_KINDS``)."""

    BLANK = "blank"  # one or more blank lines between blocks
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST = "list"  # a blank-line-separated paragraph made of list items (children)
    LIST_ITEM = "list-item"
    FIGURE = "figure"
    MATH = "math"  # display math ``$$…$$`` (maybe with ``:eqlabel:``)
    CODE = "code"  # a fenced cell: code, bash, toc, eval_rst, text
    TAB = "tab"  # ``:begin_tab:`…``` … ``:end_tab:`` with inner blocks as children
    TAB_MARKER = "tab-marker"  # the ``:begin_tab:`` or ``:end_tab:`` line itself
    TABLE = "table"
    TABLE_CAPTION = "table-caption"
    DIRECTIVE = "directive"  # lines made only of ``:name:`value``` marks (``:label:``, ``:bibliography:``...)
    COMMENT = "comment"  # a paragraph that is one HTML comment, or a comment holding blank lines
    DISCUSSION = "discussion"  # ``[Discussions](https://discuss.d2l.ai/t/…)``: not translated
    QUOTE = "quote"  # ``>`` block quote; each line is a child QUOTE_LINE
    QUOTE_LINE = "quote-line"
    MIXED = "mixed"  # a paragraph mixing prose and display math: children are PARAGRAPH / MATH / LIST parts
    # Markdown that is not d2lbook's own but that Markdown renders (CommonMark, Pandoc); kept, never translated:
    FRONT_MATTER = "front-matter"  # a YAML block ``---`` … ``---`` (or ``...``) opening the file
    RULE = "rule"  # a thematic break (``---``, ``***``, ``___``)
    HTML = "html"  # raw HTML whose content is not markdown: ``<pre>``, ``<script>``, ``<style>``, ``<?…?>``…
    FOOTNOTE = "footnote"  # ``[^label]: text``: the label is kept, the text translated (Pandoc)
    DEFINITION = "definition"  # link reference definitions ``[label]: url "title"``, one or more lines
    DIV = "div"  # a fenced div's ``::: {.note}`` or ``:::`` line (Pandoc)


class SpanKind(enum.StrEnum):
    """Inline content that must reach the translated file byte-identical."""

    CODE = "code"
    MATH = "math"
    ROLE = "role"  # :numref:`…`, :cite:`…`, :eqref:`…`, :ref:`…`, :label:`…` ...
    LINK_OPEN = "link-open"  # the ``[`` or ``![`` of a link or image; its text stays translatable
    LINK_TARGET = "link-target"  # ``](url "title")``
    URL = "url"  # a bare http(s) URL
    TOKEN = "token"  # ``<pad>``, ``<eos>``, other tag-like tokens
    ENTITY = "entity"  # ``&lt;`` ...
    SLIDE_OPEN = "slide-open"  # ``[**``, ``(**``, ``[~~``, ``(~~``
    SLIDE_CLOSE = "slide-close"  # ``**]``, ``**)``, ``~~]``, ``~~)``
    COMMENT = "comment"  # ``<!-- … -->``
    STRUCTURE = "structure"  # markup that belongs to the block, e.g. a quote's ``>`` inside the text
    HTML = "html"  # a raw HTML tag with attributes (``<img src="…">``), ``<?…?>``, ``<!…>``, CDATA
    FOOTNOTE = "footnote"  # a footnote reference ``[^label]``
    ATTRIBUTES = "attributes"  # Pandoc ``{#id .class key=value}`` after a link, image, code or ``[span]``


@dataclass(frozen=True, slots=True)
class Block:
    """One block of the document; ``start``/``end`` are offsets into ``Document.text``.

    Top-level blocks tile the document body exactly; children tile their parent's inner range
    (for a tab: the text between the marker lines, which are TAB_MARKER children themselves).
    """

    kind: BlockKind
    start: int
    end: int
    line: int  # 1-based line of ``start``
    children: tuple[Block, ...] = ()
    tab: tuple[str, ...] | None = None  # tab names when inside ``:begin_tab:``
    level: int = 0  # heading level, or list-item indentation (spaces)
    info: str = ""  # code info string, list marker, or tab marker text
    target: str = ""  # figure image path
    labels: tuple[str, ...] = ()  # ``:label:`` / ``:eqlabel:`` ids attached to the block
    text_start: int = -1  # translatable text range, -1 when the block has none
    text_end: int = -1
    cells: tuple[tuple[int, int], ...] = ()  # table cells (text ranges), in row order


def walk_blocks(blocks: Iterable[Block]) -> Iterator[Block]:
    """Every block of ``blocks`` and, after each, its children and theirs: document order."""
    for block in blocks:
        yield block
        yield from walk_blocks(block.children)


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed markdown file. ``render(doc) == doc.text`` byte for byte."""

    path: str
    text: str
    blocks: tuple[Block, ...]
    body_start: int = 0  # 1 when the file starts with a UTF-8 BOM
    newline: str = "\n"  # the line ending most used in the file: "\n", "\r\n" or "\r" (see ``newline_of``)
    # Derived values computed once per document (the segment list); not part of its identity.
    cache: dict[str, object] = field(default_factory=dict, compare=False, repr=False, hash=False)

    @property
    def bom(self) -> bool:
        """Whether the file starts with a UTF-8 byte-order mark."""
        return self.body_start > 0

    def line_of(self, offset: int) -> int:
        """The 1-based line number of ``offset`` in ``text`` (LF, CRLF and lone CR all end a line)."""
        starts = self.cache.get("line_starts")
        if starts is None:
            starts = self.cache["line_starts"] = [match.end() for match in LINE_BREAK.finditer(self.text)]
        assert isinstance(starts, list)
        return bisect.bisect_right(starts, offset) + 1

    def with_convention(self, text: str) -> str:
        """``text`` written the way this file is: its line ending on every line, its byte-order mark (added or
        removed). For outputs assembled from pieces of several files."""
        body = with_newlines(text.removeprefix("\ufeff"), self.newline)
        return "\ufeff" + body if self.bom else body


@dataclass(frozen=True, slots=True)
class ProtectedSpan:
    """A span of a segment's text that must not be translated; offsets are relative to ``Segment.text``."""

    kind: SpanKind
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Segment:
    """A translatable unit of text, in document order, with a deterministic id such as ``s0012``."""

    id: str
    kind: str  # heading, paragraph, list-item, caption, table-caption, table-cell, quote
    start: int
    end: int
    text: str
    protected: tuple[ProtectedSpan, ...]
    tab: tuple[str, ...] | None = None
    block_path: tuple[int, ...] = ()  # indices from the top-level block list down to the owning block
    labels: tuple[str, ...] = ()  # anchors: ``:label:`` ids, figure file name
    level: int = 0  # heading level (0 otherwise)
    line: int = 0  # 1-based line of ``start``


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a segment: ``start``/``end`` are offsets into ``Segment.text``."""

    start: int
    end: int
    text: str
