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

from amts.book.model import Block, BlockKind, Document
from amts.errors import InputError
from amts.fsio import list_files, read_text

_FENCE = re.compile(r"(`{3,}) *(.*)")
_BEGIN_TAB = re.compile(r":begin_tab:(?:`([^`]*)`)?")
_END_TAB = ":end_tab:"
_CELL_TAB = re.compile(r"\s*(?:#@tab|%%tab)\s+([\w\s,.-]+?)\s*$")
_MARK_LINE = re.compile(r":([\w\-./\\]+):(?:`[^`]*`)?")
_INLINE_ROLES = frozenset({"numref", "cite", "citet", "citep", "eqref", "ref", "doc"})
_ROLE_START = re.compile(r":[A-Za-z][\w-]*:`")  # a paragraph may begin with :numref:`…`; a caption may not
_LABEL = re.compile(r":(label|eqlabel):`([^`]*)`")
_HEADING = re.compile(r"(#+)[ \t]*")
_LIST_MARKER = re.compile(r"( *)([-*+]|\d+\.)(?: +|$)")
_DISCUSSION = re.compile(r"\[[^\]\n]+\]\(https?://discuss\.d2l\.ai/[^)\s]*\)\s*")
_MATH_OPENER = re.compile(r"\s*(?:\(\*\*|\[\*\*)?\$\$")
_INLINE_CODE = re.compile(r"`+[^`]*`+")
_TABLE_RULE = re.compile(r"\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*")
_COMMENT = re.compile(r"<!--[\s\S]*?-->\s*")


@dataclass(frozen=True, slots=True)
class _Line:
    start: int  # offset of the first character
    end: int  # offset after the line ending
    content: str  # the line without its line ending


def parse(text: str, *, path: str = "<string>") -> Document:
    """Parse d2lbook markdown. Raises ``InputError`` (with file and line) on malformed input."""
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InputError("binary data (NUL character), expected UTF-8 text", path=path, line=line)
    body_start = 1 if text.startswith("\ufeff") else 0
    if not text[body_start:].strip():
        raise InputError("empty file: no markdown content", path=path, line=1)
    lines = _split_lines(text, body_start)
    parser = _Parser(text, lines, path)
    blocks = parser.region(0, len(lines), None)
    crlf = text.count("\r\n")
    newline = "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"
    return Document(path=path, text=text, blocks=tuple(blocks), body_start=body_start, newline=newline)


def parse_file(path: str | os.PathLike[str]) -> Document:
    """Read a file strictly as UTF-8 and parse it."""
    return parse(read_text(path), path=str(path))


PROPOSAL_SUFFIX = ".amts-proposal.md"  # a machine translation offered beside a human chapter it could not sync


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
    lines: list[_Line] = []
    position, size = start, len(text)
    while position < size:
        newline = text.find("\n", position)
        end = size if newline < 0 else newline + 1
        content_end = end - 1 if newline >= 0 else end
        if content_end > position and text[content_end - 1] == "\r":
            content_end -= 1
        lines.append(_Line(position, end, text[position:content_end]))
        position = end
    return lines


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

    def error(self, message: str, index: int) -> InputError:
        return InputError(message, path=self.path, line=index + 1)

    def block(self, kind: BlockKind, first: int, last: int, **extra: Any) -> Block:
        """A block spanning lines ``first``..``last`` inclusive."""
        return Block(kind, self.lines[first].start, self.lines[last].end, first + 1, **extra)

    # -- cells: fences and tabs (d2lbook split_markdown) ------------------------------------------------------

    def region(self, lo: int, hi: int, tab: tuple[str, ...] | None) -> list[Block]:
        blocks: list[Block] = []
        index, run_start = lo, lo
        while index < hi:
            content = self.lines[index].content
            fence = _FENCE.match(content) if content.startswith("```") else None
            if fence is not None:
                blocks += self.text_run(run_start, index, tab)
                close = self.fence_end(index, hi, fence.group(1))
                cell_tab = tab if tab is not None else self.cell_tab(index + 1, close)
                blocks.append(self.block(BlockKind.CODE, index, close, tab=cell_tab, info=fence.group(2).strip()))
                index = run_start = close + 1
                continue
            if content.startswith(":begin_tab:"):
                if tab is not None:
                    raise self.error(
                        "unbalanced :begin_tab: (a tab is already open and not closed by :end_tab:)", index
                    )
                blocks += self.text_run(run_start, index, tab)
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
        for index in range(opening + 1, hi):
            content = self.lines[index].content
            if content.startswith(ticks):
                fence = _FENCE.match(content)
                if fence is not None and fence.group(1) == ticks:
                    return index
        raise self.error(f"unterminated code fence {ticks} (no closing {ticks} line)", opening)

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
            if content.startswith("```"):
                fence = _FENCE.match(content)
                if fence is not None:
                    index = self.fence_end(index, hi, fence.group(1)) + 1
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
            dollars, opener = 0, -1
            while index < hi:
                line = self.lines[index]
                if _is_blank(line) and dollars % 2 == 0:
                    break
                count = _count_display_dollars(line.content)
                if count % 2 and dollars % 2 == 0:
                    opener = index
                dollars += count
                index += 1
            if dollars % 2:
                raise self.error("unterminated $$ display math (no closing $$)", opener)
            parts = self.paragraph(first, index, tab)
            if len(parts) == 1:
                blocks.append(parts[0])
            else:
                blocks.append(self.block(BlockKind.MIXED, first, index - 1, tab=tab, children=tuple(parts)))
        return blocks

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
        if _MATH_OPENER.match(content):
            return self.math(index, hi, tab, parts)
        if content.startswith("!["):
            figure = self.figure(index, hi, tab, parts)
            if figure is not None:
                return figure
        if content.startswith("|"):
            return self.table(index, hi, tab, parts)
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
                text_end=line.start + len(line.content.rstrip()),
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
        if not target or "\n" in target:
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
        last = index
        while last + 1 < hi and self.lines[last + 1].content.startswith("|"):
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

    def quote(self, index: int, hi: int, tab: tuple[str, ...] | None, parts: list[Block]) -> int:
        last = index
        while last + 1 < hi and self.lines[last + 1].content.startswith(">"):
            last += 1
        children = []
        for position in range(index, last + 1):
            line = self.lines[position]
            marker = len(line.content) - len(line.content[1:].lstrip()) if len(line.content) > 1 else 1
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
        """Prose and list items up to the next display-math line (which starts a new part)."""
        end = index + 1
        while end < hi and not _MATH_OPENER.match(self.lines[end].content):
            end += 1
        items: list[Block] = []
        position = index
        while position < end:
            marker = _LIST_MARKER.match(self.lines[position].content)
            stop = position + 1
            if marker is None:
                while stop < end and not _LIST_MARKER.match(self.lines[stop].content):
                    stop += 1
                items.append(self.text_block(BlockKind.PARAGRAPH, position, stop, tab, 0))
            else:
                while stop < end and not _LIST_MARKER.match(self.lines[stop].content):
                    stop += 1
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
        if len(items) == 1 and items[0].kind is BlockKind.PARAGRAPH:
            parts.append(items[0])
        else:
            parts.append(self.block(BlockKind.LIST, index, end - 1, tab=tab, children=tuple(items)))
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
