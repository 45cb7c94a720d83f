"""The parser's lexicon: line splitting and the patterns and tests of single markdown lines (fences, marks,
headings, list items, table cells). Internal to ``amts.book``: the parser modules share these names."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from amts.book.inline import ATTRIBUTES
from amts.book.model import LINE_BREAK

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
