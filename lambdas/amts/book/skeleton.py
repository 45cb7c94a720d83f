"""The skeleton of a book file: the structure a translation must share with its source, and the check of it.

A translation keeps the source's structure and changes only its prose. The elements compared, in document order:
headings (by level), code cells per framework tab (code compared without comments, docstrings and prose
strings, which translators translate), display equations (without slide marks), ``:label:``/``:eqlabel:`` ids,
figures (by image path), tables (by shape), ``:begin_tab:`` blocks, and the targets of ``:numref:``, ``:eqref:``,
``:ref:`` and ``:cite:``/``:citet:``/``:citep:`` (one element per cited key).

Frameworks that only the translation has (the Chinese book's ``paddle`` cells and tabs) are the translators' own
work: their elements are left out of the comparison and counted apart.
"""

from __future__ import annotations

import difflib
import enum
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from amts.book.inline import ATTRIBUTES, find_protected
from amts.book.model import Block, BlockKind, Document, SpanKind, walk_blocks

_DIRECTIVE_LABEL = re.compile(r"^[ \t]*:(label|eqlabel):`([^`]*)`", re.MULTILINE)
# A reference role: its targets are skeleton elements (``:cite:`a,b``` cites two keys).
REF_ROLE = re.compile(r":(numref|eqref|ref|cite|citet|citep):`+([^`]*)`+")
_CELL_TAB = re.compile(r"^[ \t]*(?:#@tab|%%tab)\s+(.+?)\s*$", re.MULTILINE)
# A code cell's framework line (``#@tab pytorch``, ``%%tab all``); d2lbook reads it on the cell's first line.
TAB_MARKER_LINE = re.compile(r"^[ \t]*(?:#@tab|%%tab)\b.*$", re.MULTILINE)
_EXECUTION_COUNT = re.compile(r"\s*\bn=\d+\b")
_SLIDE_MARK = re.compile(r"\[\*\*|\*\*\]|\(\*\*|\*\*\)")
# Python comments (not ``#@tab``/``#@save`` markers), docstrings and string literals, scanned left to right so
# that a ``#`` inside a string is not a comment and quotes inside a comment do not open a string.
_PY_TOKEN = re.compile(
    r"""(?P<doc>[rbuRBU]{0,2}(?:\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''))"""
    r"""|(?P<str>[rbfuRBFU]{0,2}(?:"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'))"""
    r"""|(?P<comment>#(?!@)[^\n]*)"""
)
_PROSE_STRING = re.compile(r"\s|[^\x00-\x7f]")
_HEADING = re.compile(r"(#+)")
_LONE_CR = re.compile(r"\r(?!\n)")
_ATTRIBUTES = re.compile(ATTRIBUTES)
DEFAULT_TAB = "default"
# Frameworks every book has: the unmarked cell's, and d2lbook's ``all`` (the cell serves every framework). A cell or
# tab in one of them is never the translators' own, even where the source names other frameworks only.
COMMON_TABS = frozenset({DEFAULT_TAB, "all"})


class ElementKind(enum.StrEnum):
    HEADING = "heading"
    CODE = "code"
    MATH = "equation"
    LABEL = "label"
    EQLABEL = "eqlabel"
    FIGURE = "figure"
    TABLE = "table"
    TAB = "tab"
    REF = "reference"
    # Markdown that is not d2lbook's own, kept byte for byte: a translation must keep it too.
    FRONT_MATTER = "front matter"
    HTML = "html"  # a raw HTML block, or a tag with attributes (``<img src="…">``)
    FOOTNOTE = "footnote"  # a footnote's reference ``[^1]`` or definition ``[^1]:``
    ATTRIBUTES = "attributes"  # Pandoc ``{#id .class}`` of a heading, link, image, span or code
    MARKUP = "markup"  # a thematic break, a fenced div's line, a link reference definition


@dataclass(frozen=True, slots=True)
class Element:
    """One structural element: ``key`` is what must be equal between a source and its translation."""

    kind: ElementKind
    key: str
    line: int
    shown: str  # a short excerpt for messages
    tabs: tuple[str, ...] = ()  # frameworks of a code cell or tab block (empty outside tabs)

    @property
    def identity(self) -> str:
        return f"{self.kind}\x00{self.key}"


@dataclass(frozen=True, slots=True)
class SkeletonDifference:
    """A structural difference between a translation and its source, with the lines on both sides."""

    file: str
    line: int  # line in the translation (where the element is, or where a missing one belongs)
    problem: str  # missing, extra, stale, new-missing (with an old source)
    kind: ElementKind
    shown: str
    source_line: int | None = None

    def __str__(self) -> str:
        where = f" (source line {self.source_line})" if self.source_line is not None else ""
        return f"{self.file}:{self.line}: {self.problem} {self.kind}: {self.shown}{where}"


@dataclass
class SkeletonCheck:
    """The result of comparing a translation's skeleton with its source's."""

    file: str
    differences: list[SkeletonDifference] = field(default_factory=list)
    translator_only: int = 0  # elements in frameworks only the translation has (kept, not compared)
    source_elements: int = 0

    @property
    def ok(self) -> bool:
        return not self.differences

    def counts(self) -> dict[str, int]:
        return dict(Counter(f"{d.problem} {d.kind}" for d in self.differences))


def code_key(code: str) -> str:
    """A code cell as its source and translation share it: comments, docstrings and prose strings (with spaces or
    non-ASCII letters, which translators translate) removed, the framework marker line and the execution count
    dropped (the element's tabs say which frameworks), whitespace collapsed."""

    def blank(match: re.Match[str]) -> str:
        if match.group("comment") is not None or match.group("doc") is not None:
            return ""
        literal = match.group("str")
        return '""' if _PROSE_STRING.search(literal) else literal

    lines = _LONE_CR.sub("\n", code).split("\n")
    fence, body = lines[0], "\n".join(lines[1:])
    body = _PY_TOKEN.sub(blank, TAB_MARKER_LINE.sub("", body))
    head = " ".join(_EXECUTION_COUNT.sub("", fence).split())
    return " ".join([head, *body.split()])


def math_key(text: str) -> str:
    """A display equation without its slide marks, ``:eqlabel:`` line and whitespace."""
    body = _DIRECTIVE_LABEL.sub("", text)
    return "".join(_SLIDE_MARK.sub("", body).split())


def cell_tabs(code: str, enclosing: tuple[str, ...] | None) -> tuple[str, ...]:
    """The frameworks a code cell belongs to: its enclosing tab block, its ``#@tab``/``%%tab`` line, or default."""
    if enclosing:
        return tuple(sorted(name.strip() for name in enclosing))
    marker = _CELL_TAB.search("\n".join(code.split("\n")[1:3]))
    if marker is None:
        return (DEFAULT_TAB,)
    return tuple(sorted(name.strip() for name in marker.group(1).split(",") if name.strip()))


def _lf_lines(text: str) -> str:
    """``text`` with each lone CR (an old Mac line ending) read as LF: the same length, so offsets still hold."""
    return _LONE_CR.sub("\n", text) if "\r" in text else text


def _excerpt(text: str, size: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= size else flat[: size - 1] + "…"


def block_elements(doc: Document, block: Block) -> list[Element]:
    """The skeleton elements of one block and its children, in document order; the references of one paragraph
    in the order of their targets (a translation may order its clauses differently)."""
    found: list[Element] = []
    for inner in walk_blocks([block]):
        text = _lf_lines(doc.text[inner.start : inner.end])
        line = inner.line
        tabs = tuple(sorted(inner.tab)) if inner.tab else ()
        if inner.kind is BlockKind.CODE:
            cell = cell_tabs(text, inner.tab)
            found.append(
                Element(ElementKind.CODE, f"{','.join(cell)}\x00{code_key(text)}", line, _code_excerpt(text), cell)
            )
            continue
        if inner.kind is BlockKind.TAB:
            names = tuple(sorted(name.strip() for name in (inner.tab or ())))
            found.append(Element(ElementKind.TAB, ",".join(names), line, f":begin_tab:`{', '.join(names)}`", names))
            continue
        if inner.children:
            continue  # a container: its children carry the elements
        if inner.kind is BlockKind.HEADING:
            level = _HEADING.match(text)
            depth = len(level.group(1)) if level is not None else inner.level
            found.append(Element(ElementKind.HEADING, f"h{depth}", line, _excerpt(text.split("\n", 1)[0]), tabs))
        elif inner.kind is BlockKind.MATH:
            found.append(Element(ElementKind.MATH, math_key(text), line, _excerpt(text), tabs))
        elif inner.kind is BlockKind.FIGURE:
            found.append(Element(ElementKind.FIGURE, inner.target, line, inner.target, tabs))
        elif inner.kind is BlockKind.TABLE:
            rows = [row for row in text.split("\n") if "|" in row]
            shape = f"{len(rows)}x{max((row.strip().strip('|').count('|') + 1 for row in rows), default=0)}"
            found.append(Element(ElementKind.TABLE, shape, line, f"table of {shape} (rows x columns)", tabs))
        elif inner.kind is BlockKind.FRONT_MATTER:
            found.append(Element(ElementKind.FRONT_MATTER, " ".join(text.split()), line, _excerpt(text), tabs))
        elif inner.kind is BlockKind.RULE:
            found.append(Element(ElementKind.MARKUP, "rule", line, text.strip(), tabs))
        elif inner.kind is BlockKind.HTML:
            found.append(Element(ElementKind.HTML, " ".join(text.split()), line, _excerpt(text), tabs))
        elif inner.kind in (BlockKind.DIV, BlockKind.DEFINITION):
            for row in text.split("\n"):
                if row.strip():
                    found.append(Element(ElementKind.MARKUP, " ".join(row.split()), line, _excerpt(row), tabs))
                    line += 1
        elif inner.kind is BlockKind.FOOTNOTE:
            found.append(Element(ElementKind.FOOTNOTE, f"[^{inner.info}]:", line, f"[^{inner.info}]:", tabs))
        found.extend(_markup(doc, inner, text, tabs))
        for match in _DIRECTIVE_LABEL.finditer(text):
            kind = ElementKind.LABEL if match.group(1) == "label" else ElementKind.EQLABEL
            at = doc.line_of(inner.start + match.start())
            found.append(Element(kind, match.group(2).strip(), at, f":{match.group(1)}:`{match.group(2)}`", tabs))
        found.extend(sorted(_references(doc, inner, text, tabs), key=lambda e: e.key))
    return found


def reference_keys(span_text: str) -> list[str]:
    """The skeleton keys of a reference span, one per target (``:citet:`a, b``` -> ``cite:a``, ``cite:b``; the
    cite roles are one role, since a translation's grammar chooses between them); [] for any other text."""
    match = REF_ROLE.fullmatch(span_text)
    if match is None:
        return []
    role = "cite" if match.group(1).startswith("cite") else match.group(1)
    return [f"{role}:{target.strip()}" for target in match.group(2).split(",") if target.strip()]


def _references(doc: Document, block: Block, text: str, tabs: tuple[str, ...]) -> list[Element]:
    if block.kind in (BlockKind.CODE, BlockKind.COMMENT, BlockKind.DISCUSSION, BlockKind.BLANK):
        return []
    found: list[Element] = []
    for span in find_protected(text):
        if span.kind is not SpanKind.ROLE:
            continue
        at = doc.line_of(block.start + span.start)
        for key in reference_keys(span.text):
            role, target = key.split(":", 1)
            found.append(Element(ElementKind.REF, key, at, f":{role}:`{target}`", tabs))
    return found


_MARKUP_SPANS = {
    SpanKind.HTML: ElementKind.HTML,
    SpanKind.FOOTNOTE: ElementKind.FOOTNOTE,
    SpanKind.ATTRIBUTES: ElementKind.ATTRIBUTES,
}
_NO_INLINE_MARKUP = frozenset(
    {BlockKind.CODE, BlockKind.MATH, BlockKind.COMMENT, BlockKind.HTML, BlockKind.FRONT_MATTER, BlockKind.BLANK}
)


def _markup(doc: Document, block: Block, text: str, tabs: tuple[str, ...]) -> list[Element]:
    """Elements of a block's markup that Markdown renders but d2lbook does not know: a heading's attributes, raw
    HTML tags with attributes, footnote references, Pandoc attributes (in the order of their text, as
    references)."""
    if block.kind in _NO_INLINE_MARKUP:
        return []
    found: list[Element] = []
    if block.kind is BlockKind.HEADING and block.text_end >= 0:
        tail = _lf_lines(doc.text[block.text_end : block.end]).split("\n", 1)[0]
        for match in _ATTRIBUTES.finditer(tail):
            found.append(Element(ElementKind.ATTRIBUTES, match.group(), block.line, match.group(), tabs))
    skip = block.text_start - block.start if block.kind is BlockKind.FOOTNOTE else 0  # its label is the block's
    if "<" in text or "[^" in text[skip:] or "{" in text:
        for span in find_protected(text[skip:]):
            kind = _MARKUP_SPANS.get(span.kind)
            if kind is not None:
                key = " ".join(span.text.split())
                found.append(Element(kind, key, doc.line_of(block.start + skip + span.start), _excerpt(key), tabs))
    return sorted(found, key=lambda element: (element.kind, element.key))


def _code_excerpt(code: str) -> str:
    lines = [line for line in code.split("\n") if line.strip() and not line.lstrip().startswith(("```", "~~~"))]
    body = [line for line in lines if not TAB_MARKER_LINE.match(line)]
    return _excerpt(" ".join((body or lines or ["(empty cell)"])[:2]))


def skeleton(doc: Document) -> list[Element]:
    """Every structural element of ``doc`` in document order (computed once per document)."""
    cached = doc.cache.get("skeleton")
    if cached is None:
        cached = doc.cache["skeleton"] = tuple(e for block in doc.blocks for e in block_elements(doc, block))
    assert isinstance(cached, tuple)
    return list(cached)


def frameworks(elements: Sequence[Element]) -> set[str]:
    """Every framework named by code cells and tab blocks (``default`` for unmarked cells)."""
    return {name for element in elements for name in element.tabs}


def shared_view(elements: Sequence[Element], source_frameworks: set[str]) -> tuple[list[Element], int]:
    """The elements a translation must share with a source that has ``source_frameworks``: an element whose every
    framework is absent from the source is the translators' own; frameworks only the translation names are dropped
    from the key of a shared code cell or tab (``#@tab pytorch, paddle`` is the source's ``#@tab pytorch``)."""
    kept: list[Element] = []
    own = 0
    for element in elements:
        if not element.tabs:
            kept.append(element)
            continue
        shared = tuple(name for name in element.tabs if name in source_frameworks or name in COMMON_TABS)
        if not shared:
            own += 1
            continue
        if shared != element.tabs and element.kind in (ElementKind.CODE, ElementKind.TAB):
            key = element.key.split("\x00", 1)
            rest = f"\x00{key[1]}" if len(key) > 1 else ""
            element = Element(element.kind, ",".join(shared) + rest, element.line, element.shown, shared)
        kept.append(element)
    return kept, own


def check_skeleton(translation: Document, source: Document, old_source: Document | None = None) -> SkeletonCheck:
    """Every structural difference between ``translation`` and ``source``, in order.

    With ``old_source`` (the source the translation was made from), a difference says more: an element the
    translation has that the old source had and the source no longer has is *stale*; an element the source gained
    that the translation lacks is *new-missing*. Otherwise a difference is *missing* or *extra*.
    """
    source_elements = skeleton(source)
    mine, own = shared_view(skeleton(translation), frameworks(source_elements))
    result = SkeletonCheck(translation.path, translator_only=own, source_elements=len(source_elements))
    old_keys = Counter(e.identity for e in skeleton(old_source)) if old_source is not None else None
    matcher = difflib.SequenceMatcher(
        None, [e.identity for e in source_elements], [e.identity for e in mine], autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        extra = mine[j1:j2]
        # Where a missing element belongs in the translation: beside an extra one of its kind that took its place,
        # else before the element that follows the gap.
        after = mine[j2].line if j2 < len(mine) else translation.line_of(len(translation.text))
        in_place = {kind: [e.line for e in extra if e.kind is kind] for kind in {e.kind for e in extra}}
        for element in source_elements[i1:i2]:
            lines = in_place.get(element.kind)
            anchor = lines.pop(0) if lines else (extra[0].line if extra else after)
            problem = "missing"
            if old_keys is not None and not old_keys.get(element.identity):
                problem = "new-missing"
            result.differences.append(
                SkeletonDifference(translation.path, anchor, problem, element.kind, element.shown, element.line)
            )
        for element in extra:
            problem = "extra"
            if old_keys is not None and old_keys.get(element.identity):
                problem = "stale"
            result.differences.append(
                SkeletonDifference(translation.path, element.line, problem, element.kind, element.shown)
            )
    result.differences.sort(key=lambda d: (d.line, d.problem))
    return result
