"""Parse d2lbook markdown into blocks with exact source spans, and render them back byte for byte.

The cell split follows d2lbook ``split_markdown`` (fences, then ``:begin_tab:``/``:end_tab:``) and the paragraph
classification follows ``split_text`` (title, equation, image, table, list, text), extended with the constructs
listed in the corpus's DIALECT.md (table captions, directive lines, comments, quotes, Discussions links,
display math in the middle of a paragraph).
"""

from __future__ import annotations

import itertools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amts.book.inline import ATTRIBUTES, find_protected
from amts.book.model import LINE_BREAK, Block, BlockKind, Document, newline_of, walk_blocks
from amts.errors import InputError
from amts.fsio import list_files, read_text

_FENCE = re.compile(r"(`{3,}) *(.*)")  # d2lbook's fence: backticks at column 0
# Fences d2lbook passes through as text and Markdown renders as code: ``~~~``, and indented backticks (in a list).
_TILDE_FENCE = re.compile(r"[ \t]*(~{3,}) *(.*)")
_INDENTED_FENCE = re.compile(r"[ \t]+(`{3,}) *([^`]*)")
# A paragraph indented by four columns, outside a list: an indented code block (CommonMark).
_INDENTED_CODE = re.compile(r"(?: {4}| {0,3}\t)")
_BEGIN_TAB = re.compile(r":begin_tab:(?:`([^`]*)`)?")
_END_TAB = ":end_tab:"
_CELL_TAB = re.compile(r"\s*(?:#@tab|%%tab)\s+([\w\s,.-]+?)\s*$")
_MARK_LINE = re.compile(r":([\w\-./\\]+):(?:`[^`]*`)?")
_INLINE_ROLES = frozenset({"numref", "cite", "citet", "citep", "eqref", "ref", "doc"})
_ROLE_START = re.compile(r":[A-Za-z][\w-]*:`")  # a paragraph may begin with :numref:`…`; a caption may not
_LABEL = re.compile(r":(label|eqlabel):`([^`]*)`")
_HEADING = re.compile(r"(#+)[ \t]*")
# A thematic break, or the underline of a setext heading (``=`` or ``-`` under a paragraph's text).
_RULE = re.compile(r" {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})")
_UNDERLINE = re.compile(r" {0,3}(=+|-+)[ \t]*")
# A footnote definition's label (Pandoc), a link reference definition (CommonMark), a fenced div's line (Pandoc).
_FOOTNOTE_DEF = re.compile(r" {0,3}\[\^([^\]\s]+)\]:[ \t]*")
_LINK_DEFINITION = re.compile(
    r""" {0,3}\[(?!\^)([^\[\]\r\n]*[^\s\[\]][^\[\]\r\n]*)\]:[ \t]*(?:<[^<>\r\n]*>|\S+)"""
    r"""(?:[ \t]+(?:"[^"\r\n]*"|'[^'\r\n]*'|\([^()\r\n]*\)))?[ \t]*"""
)
_DIV_FENCE = re.compile(r":{3,}(?![:`])")
_SHORTCUT_REFERENCE = re.compile(r"\[([^\[\]\r\n]+)\](?![\[(:{])")
# What ends a heading line without being its text: a closing run of ``#`` (CommonMark) and Pandoc attributes.
_HEADING_TAIL = re.compile(rf"(?:[ \t]+#+)?(?:[ \t]+{ATTRIBUTES})?[ \t]*$")
# A list item's marker: ``1)`` is CommonMark's (d2lbook writes ``1.``); a GFM task box ``[ ]``/``[x]`` is markup too.
_LIST_MARKER = re.compile(r"( *)([-*+]|\d+[.)])(?: +\[[ xX]\](?= |$))?(?: +|$)")
_DISCUSSION = re.compile(r"\[[^\]\n]+\]\(https?://discuss\.d2l\.ai/[^)\s]*\)\s*")
_MATH_OPENER = re.compile(r"\s*(?:\(\*\*|\[\*\*)?\$\$")
_INLINE_CODE = re.compile(r"`+[^`]*`+")
_TABLE_RULE = re.compile(r"\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*")
_COMMENT = re.compile(r"<!--[\s\S]*?-->\s*")
# A quote line's markers: ``>`` (nested ``> >`` too) and a list marker inside the quote.
_QUOTE_MARKS = re.compile(r"(?:>[ \t]?)+(?:(?:[-*+]|\d+[.)])[ \t]+)?")
# Raw HTML blocks that run to an end marker, blank lines included (CommonMark HTML blocks 1-5).
_HTML_BLOCK = re.compile(
    r" {0,3}<(?:(?P<raw>pre|script|style|textarea)(?=[\s>]|$)"
    r"|(?P<comment>!--)|(?P<pi>\?)|(?P<cdata>!\[CDATA\[)|(?P<decl>![A-Za-z]))",
    re.IGNORECASE,
)
# First characters of the lines the cell split looks at (fences, raw HTML, tab markers); others are skipped fast.
_REGION_STARTS = frozenset("`~ \t<:")
# First characters of the lines that can end prose (see ``_ends_prose``).
_PROSE_END_STARTS = frozenset("$([ \t-*_=:")
_OTHER_SEPARATORS = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")  # line ends for str.splitlines only
_HTML_BLOCK_END = {"comment": "-->", "pi": "?>", "cdata": "]]>", "decl": ">"}


@dataclass(frozen=True, slots=True)
class _Line:
    start: int  # offset of the first character
    end: int  # offset after the line ending
    content: str  # the line without its line ending


def parse(text: str, *, path: str = "<string>") -> Document:
    """Parse d2lbook markdown. Raises ``InputError`` (with file and line) on malformed input."""
    if "\x00" in text:
        line = len(LINE_BREAK.findall(text, 0, text.index("\x00"))) + 1
        raise InputError("binary data (NUL character), expected UTF-8 text", path=path, line=line)
    body_start = 1 if text.startswith("\ufeff") else 0
    if not text[body_start:].strip():
        raise InputError("empty file: no markdown content", path=path, line=1)
    lines = _split_lines(text, body_start)
    parser = _Parser(text, lines, path)
    blocks, first = parser.front_matter()
    blocks += parser.region(first, len(lines), None)
    parser.check_shortcut_references(blocks)
    return Document(path=path, text=text, blocks=tuple(blocks), body_start=body_start, newline=newline_of(text))


def parse_file(path: str | os.PathLike[str]) -> Document:
    """Read a file strictly as UTF-8 and parse it."""
    return parse(read_text(path), path=str(path))


PROPOSAL_SUFFIX = ".amts-proposal.md"  # a machine translation offered beside a human chapter it could not sync


def proposal_path(chapter: str) -> str:
    """Where the machine translation of a chapter that kept its translation is offered: ``ch/a.md`` ->
    ``ch/a.amts-proposal.md`` (a relative path, a file name or an object key alike)."""
    return (chapter[: -len(".md")] if chapter.endswith(".md") else chapter) + PROPOSAL_SUFFIX


def chapter_of(path: str) -> str:
    """The chapter a translated file belongs to: the file itself, or the chapter a proposal is offered beside
    (``ch/a.amts-proposal.md`` -> ``ch/a.md``); the inverse of ``proposal_path``."""
    return path[: -len(PROPOSAL_SUFFIX)] + ".md" if path.endswith(PROPOSAL_SUFFIX) else path


def markdown_files(root: Path) -> dict[str, Path]:
    """Every chapter (a path named ``*.md``) under ``root`` by its relative POSIX path, sorted: the key that pairs
    a book's files with the same files of another language or version. AMTS proposals are not chapters."""
    return {
        path.relative_to(root).as_posix(): path for path in list_files(root) if not path.name.endswith(PROPOSAL_SUFFIX)
    }


def render(doc: Document) -> str:
    """Render the blocks back to markdown: the concatenation of their source spans."""
    pieces = [doc.text[: doc.body_start]]
    position = doc.body_start
    for block in doc.blocks:
        if block.start != position:
            raise ValueError(f"{doc.path}: blocks do not tile the document at offset {position}")
        pieces.append(doc.text[block.start : block.end])
        position = block.end
    if position != len(doc.text):
        raise ValueError(f"{doc.path}: blocks end at offset {position}, the text at {len(doc.text)}")
    return "".join(pieces)


def _split_lines(text: str, start: int) -> list[_Line]:
    """The lines of ``text`` from ``start``; LF, CRLF and a lone CR (old Mac files) each end a line, as in
    CommonMark and in d2lbook (``str.splitlines``)."""
    lines: list[_Line] = []
    position = start
    if _OTHER_SEPARATORS.search(text, start) is None:  # str.splitlines also ends lines at these: fast when absent
        for chunk in text[start:].splitlines(keepends=True):
            end = position + len(chunk)
            lines.append(_Line(position, end, chunk.rstrip("\r\n")))
            position = end
        return lines
    for match in LINE_BREAK.finditer(text, start):
        lines.append(_Line(position, match.end(), text[position : match.start()]))
        position = match.end()
    if position < len(text):
        lines.append(_Line(position, len(text), text[position:]))
    return lines


def _fence(content: str) -> re.Match[str] | None:
    """A code fence line: group 1 the fence run, group 2 the info string.

    Backtick fences at column 0 are d2lbook's. A ``~~~`` fence, or a backtick fence indented (in a list item), is
    not d2lbook's, but Markdown renders it as code, so it is code here too; like a backtick fence, it is closed by
    the next line with the same run (see ``_Parser.fence_end``).
    """
    if content.startswith("```"):
        return _FENCE.match(content)
    if content[:1] not in (" ", "\t", "~"):
        return None
    stripped = content.lstrip(" \t")
    if stripped.startswith("~~~"):
        return _TILDE_FENCE.match(content)
    if stripped.startswith("```"):
        return _INDENTED_FENCE.fullmatch(content)
    return None


def _is_blank(line: _Line) -> bool:
    return not line.content.strip()


def _is_mark_line(content: str) -> bool:
    """A directive-only line such as ``:label:`x``` or ``:width:`400px```; an inline reference alone on a line
    (``:numref:`fig_x``` starting a sentence) is prose, not a directive."""
    match = _MARK_LINE.fullmatch(content.strip())
    return match is not None and match.group(1) not in _INLINE_ROLES


def _labels(lines: list[_Line]) -> tuple[str, ...]:
    return tuple(match.group(2) for line in lines for match in _LABEL.finditer(line.content))


def _count_display_dollars(content: str) -> int:
    if "$$" not in content:
        return 0
    return _INLINE_CODE.sub("", content).count("$$")


class _Parser:
    def __init__(self, text: str, lines: list[_Line], path: str) -> None:
        self.text = text
        self.lines = lines
        self.path = path
        self.link_labels: dict[str, int] = {}  # link reference definitions: label key -> line
        self.in_list = False  # whether an indented paragraph here would continue a list item

    def check_shortcut_references(self, blocks: list[Block]) -> None:
        """Refuse a shortcut reference link ``[label]`` to a defined label: its text is the label, so translating
        it would cut the link from its definition. ``[text][label]`` and ``[label][]`` are protected instead."""
        if not self.link_labels:
            return
        for block in walk_blocks(blocks):
            ranges = list(block.cells) or ([(block.text_start, block.text_end)] if block.text_start >= 0 else [])
            for start, end in ranges:
                text = self.text[start:end]
                if "[" not in text:
                    continue
                covered = bytearray(len(text))
                for span in find_protected(text):
                    covered[span.start : span.end] = b"\x01" * (span.end - span.start)
                for match in _SHORTCUT_REFERENCE.finditer(text):
                    label = _label_key(match.group(1))
                    if label in self.link_labels and not covered[match.start()] and not covered[match.end() - 1]:
                        line = len(LINE_BREAK.findall(self.text, 0, start + match.start())) + 1
                        raise InputError(
                            f"shortcut reference link {match.group()} (defined on line {self.link_labels[label]}) "
                            f"would be translated and lose its definition: write it as [text]{match.group()}",
                            path=self.path,
                            line=line,
                        )

    def error(self, message: str, index: int) -> InputError:
        return InputError(message, path=self.path, line=index + 1)

    def block(self, kind: BlockKind, first: int, last: int, **extra: Any) -> Block:
        """A block spanning lines ``first``..``last`` inclusive."""
        return Block(kind, self.lines[first].start, self.lines[last].end, first + 1, **extra)

    def front_matter(self) -> tuple[list[Block], int]:
        """A YAML metadata block opening the file (Pandoc, Jekyll): a ``---`` line followed by a non-blank line,
        up to a ``---`` or ``...`` line. Metadata, not prose: kept as it is. A ``---`` followed by a blank line is
        a thematic break. Returns the block (or none) and the index of the line after it."""
        lines = self.lines
        if len(lines) < 2 or lines[0].content.rstrip() != "---" or _is_blank(lines[1]):
            return [], 0
        for index in range(1, len(lines)):
            if lines[index].content.rstrip() in ("---", "..."):
                return [self.block(BlockKind.FRONT_MATTER, 0, index)], index + 1
        raise self.error("unterminated front matter (the --- on this line has no closing --- or ... line)", 0)

    # -- cells: fences and tabs (d2lbook split_markdown) ------------------------------------------------------

    def region(self, lo: int, hi: int, tab: tuple[str, ...] | None) -> list[Block]:
        blocks: list[Block] = []
        index, run_start = lo, lo
        while index < hi:
            content = self.lines[index].content
            if content[:1] not in _REGION_STARTS:
                index += 1
                continue
            fence = _fence(content)
            if fence is not None:
                blocks += self.text_run(run_start, index, tab)
                self.in_list = self.in_list and fence.start(1) > 0  # an indented fence may sit in a list item
                close = self.fence_end(index, hi, fence.group(1))
                cell_tab = tab if tab is not None else self.cell_tab(index + 1, close)
                blocks.append(self.block(BlockKind.CODE, index, close, tab=cell_tab, info=fence.group(2).strip()))
                index = run_start = close + 1
                continue
            raw = self.raw_html(index, hi) if content[:4].lstrip(" ").startswith("<") else None
            if raw is not None:
                blocks += self.text_run(run_start, index, tab)
                self.in_list = False
                blocks.append(self.block(raw[0], index, raw[1], tab=tab))
                index = run_start = raw[1] + 1
                continue
            if content.startswith(":begin_tab:"):
                if tab is not None:
                    raise self.error(
                        "unbalanced :begin_tab: (a tab is already open and not closed by :end_tab:)", index
                    )
                blocks += self.text_run(run_start, index, tab)
                self.in_list = False
                close, explicit = self.tab_end(index, hi)
                blocks.append(self.tab_block(index, close, explicit=explicit))
                index = run_start = close + 1 if explicit else close
                continue
            if content.startswith(_END_TAB):
                raise self.error("unbalanced :end_tab: without a matching :begin_tab:", index)
            index += 1
        blocks += self.text_run(run_start, hi, tab)
        return blocks

    def fence_end(self, opening: int, hi: int, ticks: str) -> int:
        """The line closing the fence opened at ``opening``: the next with the same run. A d2lbook cell (backticks at
        column 0) is closed at column 0 only, so an indented fence line inside its code stays code."""
        d2lbook_cell = self.lines[opening].content.startswith("`")
        for index in range(opening + 1, hi):
            content = self.lines[index].content
            if ticks in content:
                fence = _fence(content)
                if fence is not None and fence.group(1) == ticks and (fence.start(1) == 0 or not d2lbook_cell):
                    return index
        raise self.unclosed_fence(opening, ticks)

    def unclosed_fence(self, opening: int, ticks: str) -> InputError:
        """The error for a fence with no closing line, at the fence really left open.

        Fences pair in order, so a fence forgotten early on makes a later, correct one look unclosed. A closing
        fence with an info string (```` ```python ````) is an opening fence taken for a closing one: the fence
        it was paired with is the one left open.
        """
        open_at, run = -1, ""
        for index, line in enumerate(self.lines[:opening]):
            fence = _fence(line.content)
            if fence is None:
                continue
            if open_at < 0:
                open_at, run = index, fence.group(1)
            elif fence.group(1) == run:
                if fence.group(2).strip():
                    return self.error(
                        f"unterminated code fence {run} (no closing {run} line before the cell that line "
                        f"{index + 1} opens)",
                        open_at,
                    )
                open_at = -1
        return self.error(f"unterminated code fence {ticks} (no closing {ticks} line)", opening)

    def raw_html(self, index: int, hi: int) -> tuple[BlockKind, int] | None:
        """Raw HTML opening on line ``index`` that runs to an end marker, blank lines included: its kind and the
        index of its last line, or None.

        ``<pre>``, ``<script>``, ``<style>``, ``<textarea>``, ``<?…?>``, ``<!…>`` and CDATA are kept whole and
        never translated (their content is not markdown). A comment is a block of its own only when it holds a
        blank line, a fence or a tab marker (which would otherwise cut it); a shorter one is left to its paragraph,
        where it is a protected span. Either left open is an error at the line where it opens.
        """
        line = self.lines[index]
        opener = _HTML_BLOCK.match(line.content)
        if opener is None:
            return None
        kind = opener.lastgroup or "raw"
        if kind == "raw":
            end = f"</{opener.group('raw').lower()}>"
            found = self.text.lower().find(end, line.start + opener.end(), self.lines[hi - 1].end)
        else:
            end = _HTML_BLOCK_END[kind]
            found = self.text.find(end, line.start + opener.end(), self.lines[hi - 1].end)
        if found < 0:
            shown = f"<{opener.group('raw').lower()}>" if kind == "raw" else opener.group().strip()
            what = "HTML comment <!--" if kind == "comment" else f"raw HTML block {shown}"
            raise self.error(f"unterminated {what} (no closing {end})", index)
        close = index
        while self.lines[close].end <= found:
            close += 1
        if kind != "comment":
            return BlockKind.HTML, close
        if not any(
            _is_blank(inner) or _fence(inner.content) or inner.content.startswith((":begin_tab:", _END_TAB))
            for inner in self.lines[index + 1 : close + 1]
        ):
            return None
        if self.text[found + len(end) : self.lines[close].start + len(self.lines[close].content)].strip():
            raise self.error(
                "text after the --> closing an HTML comment that holds blank lines would not be translated: "
                "start it on a new line",
                close,
            )
        return BlockKind.COMMENT, close

    def cell_tab(self, first: int, close: int) -> tuple[str, ...] | None:
        """The frameworks named by a code cell's ``#@tab``/``%%tab`` first line (None: the default tab)."""
        if first >= close:
            return None
        marker = _CELL_TAB.match(self.lines[first].content)
        if marker is None:
            return None
        return tuple(name.strip() for name in marker.group(1).split(",") if name.strip())

    def tab_end(self, opening: int, hi: int) -> tuple[int, bool]:
        """The ``:end_tab:`` line closing the tab opened at ``opening`` (explicit), or the next ``:begin_tab:``.

        d2lbook lets a new ``:begin_tab:`` end the open tab; a tab still open at the end is an error.
        """
        index = opening + 1
        while index < hi:
            content = self.lines[index].content
            fence = _fence(content)
            if fence is not None:
                index = self.fence_end(index, hi, fence.group(1)) + 1
                continue
            raw = self.raw_html(index, hi) if content[:4].lstrip(" ").startswith("<") else None
            if raw is not None:
                index = raw[1] + 1
                continue
            if content.startswith(_END_TAB):
                return index, True
            if content.startswith(":begin_tab:"):
                return index, False  # that tab is checked in turn, so a chain must still end with :end_tab:
            index += 1
        raise self.error("unbalanced :begin_tab: without a matching :end_tab:", opening)

    def tab_block(self, opening: int, close: int, *, explicit: bool) -> Block:
        marker = _BEGIN_TAB.match(self.lines[opening].content)
        names_text = marker.group(1) if marker is not None and marker.group(1) is not None else ""
        names = tuple(name.strip() for name in names_text.split(",") if name.strip())
        children = [self.block(BlockKind.TAB_MARKER, opening, opening, tab=names, info=":begin_tab:")]
        children += self.region(opening + 1, close, names)
        if not explicit:  # closed by the next :begin_tab:, which is not part of this block
            return self.block(BlockKind.TAB, opening, close - 1, tab=names, children=tuple(children), info=names_text)
        children.append(self.block(BlockKind.TAB_MARKER, close, close, tab=names, info=":end_tab:"))
        return self.block(BlockKind.TAB, opening, close, tab=names, children=tuple(children), info=names_text)

    # -- paragraphs (d2lbook split_text) ----------------------------------------------------------------------

    def text_run(self, lo: int, hi: int, tab: tuple[str, ...] | None) -> list[Block]:
        """Blocks for markdown lines ``lo``..``hi`` (exclusive): blank runs and paragraphs."""
        blocks: list[Block] = []
        index = lo
        while index < hi:
            if _is_blank(self.lines[index]):
                first = index
                while index < hi and _is_blank(self.lines[index]):
                    index += 1
                blocks.append(self.block(BlockKind.BLANK, first, index - 1, tab=tab))
                continue
            first = index
            indented = _INDENTED_CODE.match(self.lines[first].content) is not None
            if indented and not self.in_list:
                while index < hi and not _is_blank(self.lines[index]):
                    index += 1
                blocks.append(self.block(BlockKind.CODE, first, index - 1, tab=tab))
                continue
            dollars = 0
            while index < hi:
                line = self.lines[index]
                if _is_blank(line) and dollars % 2 == 0:
                    break
                dollars += _count_display_dollars(line.content)
                index += 1
            if dollars % 2:
                raise self.error("unterminated $$ display math (no closing $$)", self.unclosed_math(first, index))
            parts = self.paragraph(first, index, tab)
            # An indented paragraph after a list continues its last item; else it is an indented code block.
            self.in_list = parts[-1].kind in (BlockKind.LIST, BlockKind.FOOTNOTE) or (indented and self.in_list)
            if len(parts) == 1:
                blocks.append(parts[0])
            else:
                blocks.append(self.block(BlockKind.MIXED, first, index - 1, tab=tab, children=tuple(parts)))
        return blocks

    def unclosed_math(self, lo: int, hi: int) -> int:
        """The line of the ``$$`` left open in lines ``lo``..``hi`` (exclusive), which hold an odd number of them.

        Display math may hold blank lines, so the paragraph went on looking for a closing ``$$`` and pairing them
        in order would blame whichever comes last. Read blank-line-separated part by part instead: a part that
        starts with ``$$`` while math is open opens new math, so the math opened before is the one left open.
        """
        open_at = -1
        index = lo
        while index < hi:
            if _is_blank(self.lines[index]):
                index += 1
                continue
            if open_at >= 0 and _MATH_OPENER.match(self.lines[index].content):
                return open_at
            dollars = 1 if open_at >= 0 else 0
            while index < hi and not _is_blank(self.lines[index]):
                count = _count_display_dollars(self.lines[index].content)
                if count % 2 and dollars % 2 == 0:
                    open_at = index
                dollars += count
                index += 1
            if dollars % 2 == 0:
                open_at = -1
        return open_at if open_at >= 0 else lo

    def paragraph(self, lo: int, hi: int, tab: tuple[str, ...] | None) -> list[Block]:
        """Classify one blank-line-separated paragraph; it may hold several parts (prose, math, ...)."""
        parts: list[Block] = []
        index = lo
        while index < hi:
            index = self.part(index, hi, tab, parts, first_of_paragraph=index == lo)
        return parts

    def marks_after(self, index: int, hi: int) -> int:
        """The index after the run of directive-only lines starting at ``index``."""
        while index < hi and _is_mark_line(self.lines[index].content):
            index += 1
        return index

    def part(
        self, index: int, hi: int, tab: tuple[str, ...] | None, parts: list[Block], *, first_of_paragraph: bool
    ) -> int:
        line = self.lines[index]
        content = line.content
        if content.startswith("#"):
            return self.heading(index, hi, tab, parts)
        if _RULE.fullmatch(content):
            parts.append(self.block(BlockKind.RULE, index, index, tab=tab))
            return index + 1
        if _MATH_OPENER.match(content):
            return self.math(index, hi, tab, parts)
        if content.startswith("!["):
            figure = self.figure(index, hi, tab, parts)
            if figure is not None:
                return figure
        if content.startswith("|") or ("|" in content and self.delimiter_row(index + 1, hi)):
            return self.table(index, hi, tab, parts)
        if content.startswith(":::") and _DIV_FENCE.match(content):
            parts.append(self.block(BlockKind.DIV, index, index, tab=tab))
            return index + 1
        if content[:4].lstrip(" ").startswith("[") and _LINK_DEFINITION.fullmatch(content):
            end = index + 1
            while end < hi and _LINK_DEFINITION.fullmatch(self.lines[end].content):
                end += 1
            for number in range(index, end):
                definition = _LINK_DEFINITION.fullmatch(self.lines[number].content)
                assert definition is not None
                self.link_labels.setdefault(_label_key(definition.group(1)), number + 1)
            parts.append(self.block(BlockKind.DEFINITION, index, end - 1, tab=tab))
            return end
        if content.startswith(":") and not _is_mark_line(content) and not _ROLE_START.match(content):
            end = self.marks_after(index + 1, hi)
            text_start = line.start + 1
            parts.append(
                self.block(
                    BlockKind.TABLE_CAPTION,
                    index,
                    end - 1,
                    tab=tab,
                    labels=_labels(self.lines[index:end]),
                    text_start=text_start,
                    text_end=line.start + len(content.rstrip()),
                )
            )
            return end
        if _is_mark_line(content):
            end = self.marks_after(index, hi)
            parts.append(
                self.block(BlockKind.DIRECTIVE, index, end - 1, tab=tab, labels=_labels(self.lines[index:end]))
            )
            return end
        if first_of_paragraph and content.lstrip().startswith("<!--"):
            joined = self.text[line.start : self.lines[hi - 1].end]
            if _COMMENT.fullmatch(joined.lstrip()):
                parts.append(self.block(BlockKind.COMMENT, index, hi - 1, tab=tab))
                return hi
        if _DISCUSSION.fullmatch(content):
            parts.append(self.block(BlockKind.DISCUSSION, index, index, tab=tab))
            return index + 1
        if content.startswith(">"):
            return self.quote(index, hi, tab, parts)
        return self.prose(index, hi, tab, parts)

    def heading(self, index: int, hi: int, tab: tuple[str, ...] | None, parts: list[Block]) -> int:
        line = self.lines[index]
        prefix = _HEADING.match(line.content)
        assert prefix is not None  # the line starts with "#"
        end = self.marks_after(index + 1, hi)
        parts.append(
            self.block(
                BlockKind.HEADING,
                index,
                end - 1,
                tab=tab,
                level=len(prefix.group(1)),
                labels=_labels(self.lines[index + 1 : end]),
                text_start=line.start + prefix.end(),
                text_end=line.start + _heading_text_end(line.content, prefix.end()),
            )
        )
        return end

    def math(self, index: int, hi: int, tab: tuple[str, ...] | None, parts: list[Block]) -> int:
        dollars = 0
        last = index
        while last < hi:
            dollars += _count_display_dollars(self.lines[last].content)
            if dollars >= 2 and dollars % 2 == 0:
                break
            last += 1
        last = min(last, hi - 1)
        end = self.marks_after(last + 1, hi)
        parts.append(self.block(BlockKind.MATH, index, end - 1, tab=tab, labels=_labels(self.lines[last + 1 : end])))
        return end

    def figure(self, index: int, hi: int, tab: tuple[str, ...] | None, parts: list[Block]) -> int | None:
        """``![caption](target)`` (the caption may wrap over lines) and its ``:width:``/``:label:`` lines."""
        line = self.lines[index]
        paragraph = self.text[line.start : self.lines[hi - 1].end]
        close = _matching_bracket(paragraph, 1)
        if close < 0 or not paragraph.startswith("](", close):
            return None
        last = index
        while last + 1 < hi and self.lines[last + 1].start <= line.start + close:
            last += 1  # the line holding the caption's closing bracket
        tail = self.lines[last]
        stripped = tail.content.rstrip()
        target_start = line.start + close + 2
        if not stripped.endswith(")") or target_start > tail.start + len(stripped) - 1:
            return None
        target = self.text[target_start : tail.start + len(stripped) - 1].strip()
        if not target or LINE_BREAK.search(target):
            return None
        if " " in target:
            target = target.split(" ", 1)[0]
        end = self.marks_after(last + 1, hi)
        file_name = target.rsplit("/", 1)[-1]
        parts.append(
            self.block(
                BlockKind.FIGURE,
                index,
                end - 1,
                tab=tab,
                target=target,
                labels=(*_labels(self.lines[last + 1 : end]), file_name),
                text_start=line.start + 2,
                text_end=line.start + close,
            )
        )
        return end

    def table(self, index: int, hi: int, tab: tuple[str, ...] | None, parts: list[Block]) -> int:
        """A pipe table: rows starting with ``|`` (d2lbook), or rows holding a ``|`` under a first row followed by
        a delimiter row (a GFM table without leading pipes)."""
        last = index
        framed = self.lines[index].content.startswith("|")
        while last + 1 < hi and (
            self.lines[last + 1].content.startswith("|")
            if framed
            else "|" in self.lines[last + 1].content and not _is_blank(self.lines[last + 1])
        ):
            last += 1
        end = self.marks_after(last + 1, hi)
        cells: list[tuple[int, int]] = []
        for line in self.lines[index : last + 1]:
            if _TABLE_RULE.fullmatch(line.content):
                continue
            cells += _table_cells(line)
        parts.append(
            self.block(
                BlockKind.TABLE,
                index,
                end - 1,
                tab=tab,
                labels=_labels(self.lines[last + 1 : end]),
                cells=tuple(cells),
            )
        )
        return end

    def delimiter_row(self, index: int, hi: int) -> bool:
        """Whether line ``index`` is a table's delimiter row with a pipe (``--- | :---:``)."""
        if index >= hi:
            return False
        content = self.lines[index].content
        return "|" in content and "-" in content and _TABLE_RULE.fullmatch(content) is not None

    def quote(self, index: int, hi: int, tab: tuple[str, ...] | None, parts: list[Block]) -> int:
        last = index
        while last + 1 < hi and self.lines[last + 1].content.startswith(">"):
            last += 1
        children = []
        for position in range(index, last + 1):
            line = self.lines[position]
            marks = _QUOTE_MARKS.match(line.content)
            marker = marks.end() if marks is not None else 1
            children.append(
                self.block(
                    BlockKind.QUOTE_LINE,
                    position,
                    position,
                    tab=tab,
                    text_start=line.start + marker,
                    text_end=line.start + len(line.content.rstrip()),
                )
            )
        parts.append(self.block(BlockKind.QUOTE, index, last, tab=tab, children=tuple(children)))
        return last + 1

    def prose(self, index: int, hi: int, tab: tuple[str, ...] | None, parts: list[Block]) -> int:
        """Prose and list items up to the next display-math line or thematic break (which start a new part).

        Prose underlined with ``===`` or ``---`` is a setext heading (CommonMark; d2lbook's books use ``#``).
        """
        end = index + 1
        while end < hi and not _ends_prose(self.lines[end].content):
            end += 1
        if end < hi and not _LIST_MARKER.match(self.lines[index].content):
            underline = _UNDERLINE.fullmatch(self.lines[end].content)
            if underline is not None and not any(_LIST_MARKER.match(line.content) for line in self.lines[index:end]):
                return self.setext_heading(index, end, hi, tab, parts, level=1 if underline.group(1)[0] == "=" else 2)
        items: list[Block] = []
        position = index
        while position < end:
            marker = _LIST_MARKER.match(self.lines[position].content)
            note = _FOOTNOTE_DEF.match(self.lines[position].content) if marker is None else None
            stop = position + 1
            while stop < end and not _starts_item(self.lines[stop].content):
                stop += 1
            if note is not None:
                items.append(self.text_block(BlockKind.FOOTNOTE, position, stop, tab, note.end(), info=note.group(1)))
            elif marker is None:
                items.append(self.text_block(BlockKind.PARAGRAPH, position, stop, tab, 0))
            else:
                items.append(
                    self.text_block(
                        BlockKind.LIST_ITEM,
                        position,
                        stop,
                        tab,
                        marker.end(),
                        level=len(marker.group(1)),
                        info=marker.group(2),
                    )
                )
            position = stop
        if len(items) == 1 and items[0].kind in (BlockKind.PARAGRAPH, BlockKind.FOOTNOTE):
            parts.append(items[0])
        else:
            parts.append(self.block(BlockKind.LIST, index, end - 1, tab=tab, children=tuple(items)))
        return end

    def setext_heading(
        self, index: int, underline: int, hi: int, tab: tuple[str, ...] | None, parts: list[Block], *, level: int
    ) -> int:
        first, last = self.lines[index], self.lines[underline - 1]
        end = self.marks_after(underline + 1, hi)
        parts.append(
            self.block(
                BlockKind.HEADING,
                index,
                end - 1,
                tab=tab,
                level=level,
                labels=_labels(self.lines[underline + 1 : end]),
                text_start=first.start + len(first.content) - len(first.content.lstrip()),
                text_end=last.start + len(last.content.rstrip()),
            )
        )
        return end

    def text_block(
        self,
        kind: BlockKind,
        lo: int,
        hi: int,
        tab: tuple[str, ...] | None,
        skip: int,
        *,
        level: int = 0,
        info: str = "",
    ) -> Block:
        first, last = self.lines[lo], self.lines[hi - 1]
        if kind is BlockKind.PARAGRAPH:
            skip = len(first.content) - len(first.content.lstrip())
        return self.block(
            kind,
            lo,
            hi - 1,
            tab=tab,
            level=level,
            info=info,
            text_start=first.start + skip,
            text_end=last.start + len(last.content.rstrip()),
        )


def _ends_prose(content: str) -> bool:
    """Whether a line ends the prose before it: display math, a thematic break, a setext underline or a fenced
    div's line."""
    if content[:1] not in _PROSE_END_STARTS:
        return False
    return (
        _MATH_OPENER.match(content) is not None
        or (
            content[:4].strip()[:1] in ("-", "*", "_", "=")
            and (_RULE.fullmatch(content) is not None or _UNDERLINE.fullmatch(content) is not None)
        )
        or (content.startswith(":::") and _DIV_FENCE.match(content) is not None)
    )


def _starts_item(content: str) -> bool:
    """Whether a line starts a list item or a footnote definition (ending the item or paragraph before it)."""
    return _LIST_MARKER.match(content) is not None or ("[^" in content[:6] and _FOOTNOTE_DEF.match(content) is not None)


def _label_key(label: str) -> str:
    """A link label as CommonMark matches it: case-insensitive, whitespace collapsed."""
    return " ".join(label.split()).casefold()


def _heading_text_end(content: str, start: int) -> int:
    """Where a heading's text ends: before its closing ``#`` run and its attributes (``## Title ## {#sec}``)."""
    tail = _HEADING_TAIL.search(content, start)
    return tail.start() if tail is not None else len(content.rstrip())


def _matching_bracket(content: str, opening: int) -> int:
    """The index of the ``]`` closing the ``[`` at ``opening`` (skipping inline code), or -1."""
    depth = 0
    index = opening
    size = len(content)
    while index < size:
        char = content[index]
        if char == "`":
            close = content.find("`", index + 1)
            index = size if close < 0 else close + 1
            continue
        if char == "\\":
            index += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def _table_cells(line: _Line) -> list[tuple[int, int]]:
    """Text ranges of a table row's non-empty cells; pipes inside code or math or escaped do not split."""
    content = line.content
    cuts: list[int] = []
    in_code = in_math = False
    index = 0
    while index < len(content):
        char = content[index]
        if char == "\\":
            index += 2
            continue
        if char == "`" and not in_math:
            in_code = not in_code
        elif char == "$" and not in_code:
            in_math = not in_math
        elif char == "|" and not in_code and not in_math:
            cuts.append(index)
        index += 1
    if not cuts or cuts[0] != 0:
        cuts.insert(0, -1)
    if cuts[-1] != len(content.rstrip()) - 1:
        cuts.append(len(content.rstrip()))
    cells: list[tuple[int, int]] = []
    for left, right in itertools.pairwise(cuts):
        raw = content[left + 1 : right]
        stripped = raw.strip()
        if stripped:
            begin = left + 1 + (len(raw) - len(raw.lstrip()))
            cells.append((line.start + begin, line.start + begin + len(stripped)))
    return cells
