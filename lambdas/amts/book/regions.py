"""The parser's first pass, after d2lbook ``split_markdown``: a document's regions (front matter, fences, raw HTML,
``:begin_tab:`` blocks), each checked for being closed."""

from __future__ import annotations

from typing import Any

from amts.book.inline import find_protected
from amts.book.lines import (
    _BEGIN_TAB,
    _CELL_TAB,
    _END_TAB,
    _HTML_BLOCK,
    _HTML_BLOCK_END,
    _REGION_STARTS,
    _SHORTCUT_REFERENCE,
    _fence,
    _is_blank,
    _label_key,
    _Line,
)
from amts.book.model import LINE_BREAK, Block, BlockKind, walk_blocks
from amts.errors import InputError


class RegionParser:
    """Regions of a document: front matter, fenced code and math, raw HTML, ``:begin_tab:`` blocks; the
    paragraphs between them are read by the subclass (``text_run``)."""

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

    def text_run(self, lo: int, hi: int, tab: tuple[str, ...] | None) -> list[Block]:
        """Blocks for markdown lines ``lo``..``hi`` (exclusive) between regions: paragraphs, in the subclass."""
        raise NotImplementedError
