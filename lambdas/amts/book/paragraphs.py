"""The parser's second pass, after d2lbook ``split_text``: the paragraphs between regions (headings, display math,
figures, tables, quotes, lists, prose), with the DIALECT.md extensions."""

from __future__ import annotations

from amts.book.lines import (
    _COMMENT,
    _DISCUSSION,
    _DIV_FENCE,
    _FOOTNOTE_DEF,
    _HEADING,
    _INDENTED_CODE,
    _LINK_DEFINITION,
    _LIST_MARKER,
    _MATH_OPENER,
    _QUOTE_MARKS,
    _ROLE_START,
    _RULE,
    _TABLE_RULE,
    _UNDERLINE,
    _count_display_dollars,
    _ends_prose,
    _heading_text_end,
    _is_blank,
    _is_mark_line,
    _label_key,
    _labels,
    _matching_bracket,
    _starts_item,
    _table_cells,
)
from amts.book.model import LINE_BREAK, Block, BlockKind
from amts.book.regions import RegionParser


class BlockParser(RegionParser):
    """The whole parser: regions, then the paragraphs between them."""

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
        text_start = line.start + prefix.end()
        text_end = line.start + _heading_text_end(line.content, prefix.end())
        return self.heading_block(index, index, hi, tab, parts, len(prefix.group(1)), (text_start, text_end))

    def heading_block(
        self,
        index: int,
        last: int,
        hi: int,
        tab: tuple[str, ...] | None,
        parts: list[Block],
        level: int,
        text: tuple[int, int],
    ) -> int:
        """Append the heading on lines ``index..last`` (its ``text`` span) with the label marks after it."""
        end = self.marks_after(last + 1, hi)
        labels = _labels(self.lines[last + 1 : end])
        text_start, text_end = text
        parts.append(
            self.block(
                BlockKind.HEADING,
                index,
                end - 1,
                tab=tab,
                level=level,
                labels=labels,
                text_start=text_start,
                text_end=text_end,
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
        text_start = first.start + len(first.content) - len(first.content.lstrip())
        text_end = last.start + len(last.content.rstrip())
        return self.heading_block(index, underline, hi, tab, parts, level, (text_start, text_end))

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
