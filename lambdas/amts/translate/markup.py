"""Generic HTML and plain-text handling shared by the stand-in's engines and the cost estimate.

A document is cut into raw pieces (tags, comments, scripts, untranslatable whitespace), kept byte for byte,
and *units*: runs of translatable text between block boundaries. Inside a unit, inline tags and whole
``translate="no"`` elements are placeholders that engines must carry through unchanged.

Billing rule used for estimates (stated in docs/decisions.md): for ``text/html`` the billed characters are
the characters of text content inside the document (entities decoded; tags, comments, scripts and styles not
counted; ``translate="no"`` text counted, to stay on the safe side); for ``text/plain`` every character.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

_TOKEN = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<![^>]*>|<\?.*?\?>|</?[A-Za-z][^<>]*>",
    re.DOTALL,
)
_TAG_NAME = re.compile(r"</?\s*([A-Za-z][A-Za-z0-9:-]*)")
_NO_TRANSLATE = re.compile(r"""\stranslate\s*=\s*(?:"no"|'no'|no(?=[\s/>]))""", re.IGNORECASE)
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
VOID_ELEMENTS = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"]
)
INLINE_ELEMENTS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "br",
        "cite",
        "code",
        "data",
        "del",
        "dfn",
        "em",
        "font",
        "i",
        "img",
        "ins",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
        "wbr",
    ]
)
RAW_TEXT_ELEMENTS = frozenset({"script", "style", "textarea"})


@dataclass(frozen=True)
class Placeholder:
    """Something an engine must keep: an inline tag, a ``translate="no"`` element, or a forced term."""

    raw: str  # emitted in HTML output, byte for byte
    text: str  # its text as it reads (inner text of a protected element, the term's translation, "" for a tag)
    match_text: str  # what it reads as in the source (for translation-memory matching)
    kind: str  # "tag", "protected" or "term"


Part = str | Placeholder


@dataclass
class Unit:
    """A run of translatable text; ``parts`` hold text (decoded, not escaped) and placeholders."""

    parts: list[Part]
    element_id: str | None = None

    def plain_source(self) -> str:
        """The text as the source reads, placeholders shown as their source text."""
        return "".join(p if isinstance(p, str) else p.match_text for p in self.parts)

    def has_words(self) -> bool:
        return any(isinstance(p, str) and _LETTER_OR_DIGIT.search(p) for p in self.parts)


@dataclass
class MarkupDocument:
    """A parsed document: raw strings kept as they are, and units to translate, in order."""

    content_type: str
    pieces: list[str | Unit] = field(default_factory=list)

    def units(self) -> list[Unit]:
        return [p for p in self.pieces if isinstance(p, Unit)]

    def render(self, translations: dict[int, list[Part]]) -> str:
        """Rebuild the document, replacing unit ``i`` (in ``units()`` order) by ``translations[i]`` when given."""
        out: list[str] = []
        index = 0
        for piece in self.pieces:
            if isinstance(piece, str):
                out.append(piece)
                continue
            parts = translations.get(index, piece.parts)
            index += 1
            out.append(render_parts(parts, html_output=self.content_type == "text/html"))
        return "".join(out)


def render_parts(parts: list[Part], *, html_output: bool) -> str:
    if not html_output:
        return "".join(p if isinstance(p, str) else p.text for p in parts)
    return "".join(html.escape(p, quote=False) if isinstance(p, str) else p.raw for p in parts)


def _tag_name(tag: str) -> str:
    match = _TAG_NAME.match(tag)
    return match.group(1).lower() if match else ""


def _attr(tag: str, name: str) -> str | None:
    match = re.search(rf"""\s{name}\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>/]+))""", tag, re.IGNORECASE)
    if not match:
        return None
    return next(g for g in match.groups() if g is not None)


def _tokens(text: str) -> Iterator[tuple[bool, str]]:
    """(is_markup, raw) in document order."""
    position = 0
    for match in _TOKEN.finditer(text):
        if match.start() > position:
            yield False, text[position : match.start()]
        yield True, match.group(0)
        position = match.end()
    if position < len(text):
        yield False, text[position:]


def _split_whitespace(unit_parts: list[Part]) -> tuple[str, list[Part], str]:
    """Leading and trailing whitespace of a unit stay outside it, so layout survives translation."""
    parts = list(unit_parts)
    lead = trail = ""
    if parts and isinstance(parts[0], str):
        stripped = parts[0].lstrip()
        lead = parts[0][: len(parts[0]) - len(stripped)]
        parts[0] = stripped
    if parts and isinstance(parts[-1], str):
        stripped = parts[-1].rstrip()
        trail = parts[-1][len(stripped) :]
        parts[-1] = stripped
    return lead, [p for p in parts if p != ""], trail


def parse_html(text: str) -> MarkupDocument:
    """Cut HTML into raw pieces and translatable units; any well-formed HTML, no knowledge of who produced it."""
    doc = MarkupDocument("text/html")
    tokens = list(_tokens(text))
    current: list[Part] = []
    current_id: list[str | None] = [None]
    block_ids: list[str | None] = []
    in_head = False
    in_title = False

    def flush() -> None:
        if not current:
            return
        lead, parts, trail = _split_whitespace(current)
        unit = Unit(parts, current_id[0])
        if lead:
            doc.pieces.append(lead)
        if unit.has_words():
            doc.pieces.append(unit)
        elif parts:
            doc.pieces.append(render_parts(parts, html_output=True))
        if trail:
            doc.pieces.append(trail)
        current.clear()

    i = 0
    while i < len(tokens):
        is_markup, raw = tokens[i]
        i += 1
        if not is_markup:
            if in_head and not in_title:
                doc.pieces.append(raw)
            else:
                current.append(html.unescape(raw))
            continue
        name = _tag_name(raw)
        if not name:  # comment, doctype, processing instruction, CDATA
            flush()
            doc.pieces.append(raw)
            continue
        closing = raw.startswith("</")
        self_closing = raw.rstrip().endswith("/>") or name in VOID_ELEMENTS
        if not closing and name in RAW_TEXT_ELEMENTS:
            flush()
            buffer = [raw]
            while i < len(tokens) and not (
                tokens[i][0] and tokens[i][1].startswith("</") and _tag_name(tokens[i][1]) == name
            ):
                buffer.append(tokens[i][1])
                i += 1
            if i < len(tokens):
                buffer.append(tokens[i][1])
                i += 1
            doc.pieces.append("".join(buffer))
            continue
        if not closing and not self_closing and _NO_TRANSLATE.search(raw):
            buffer = [raw]
            depth = 1
            while i < len(tokens) and depth:
                inner_markup, inner = tokens[i]
                i += 1
                buffer.append(inner)
                if inner_markup and _tag_name(inner) == name:
                    if inner.startswith("</"):
                        depth -= 1
                    elif not inner.rstrip().endswith("/>"):
                        depth += 1
            subtree = "".join(buffer)
            inner_text = html.unescape("".join(t for m, t in _tokens(subtree) if not m))
            placeholder = Placeholder(subtree, inner_text, inner_text, "protected")
            if name in INLINE_ELEMENTS:
                current.append(placeholder)
            else:
                flush()
                doc.pieces.append(subtree)
            continue
        if name == "head":
            flush()
            in_head = not closing
            doc.pieces.append(raw)
            continue
        if name == "title":
            flush()
            in_title = not closing
            doc.pieces.append(raw)
            continue
        if name in INLINE_ELEMENTS:
            current.append(Placeholder(raw, "", "", "tag"))
            continue
        flush()
        if closing:
            if block_ids:
                block_ids.pop()
        elif not self_closing:
            block_ids.append(_attr(raw, "id"))
        current_id[0] = next((b for b in reversed(block_ids) if b), None)
        doc.pieces.append(raw)
    flush()
    return doc


def parse_plain(text: str) -> MarkupDocument:
    """Plain text: each line is a unit, line breaks and blank lines kept."""
    doc = MarkupDocument("text/plain")
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        ending = line[len(body) :]
        lead, parts, trail = _split_whitespace([body])
        unit = Unit(parts)
        if lead:
            doc.pieces.append(lead)
        if unit.has_words():
            doc.pieces.append(unit)
        elif parts:
            doc.pieces.append("".join(p for p in parts if isinstance(p, str)))
        doc.pieces.append(trail + ending)
    return doc


def parse_document(text: str, content_type: str) -> MarkupDocument:
    return parse_html(text) if content_type == "text/html" else parse_plain(text)


def billed_characters(text: str, content_type: str) -> int:
    """Characters Amazon Translate bills for a document (rule in the module docstring)."""
    if content_type != "text/html":
        return len(text)
    count = 0
    skip_until: str | None = None
    for is_markup, raw in _tokens(text):
        if is_markup:
            name = _tag_name(raw)
            if skip_until is None and name in RAW_TEXT_ELEMENTS and not raw.startswith("</"):
                skip_until = name
            elif skip_until == name and raw.startswith("</"):
                skip_until = None
            continue
        if skip_until is None:
            count += len(html.unescape(raw))
    return count
