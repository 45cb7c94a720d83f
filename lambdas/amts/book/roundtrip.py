"""Round-trip checks used by ``amts roundtrip``: markdown, HTML identity, and a hostile translation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from amts.book.html import from_html, to_html
from amts.book.model import LINE_BREAK, Document, with_newlines
from amts.book.parser import parse, render
from amts.book.segments import segments
from amts.errors import InputError
from amts.fsio import read_text

_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
_WORD_OR_ENTITY = re.compile(r"&#?\w+;|([^\W\d_]+)")


def hostile_translate(html_text: str) -> str:
    """Rewrite every translatable word of Translate-ready HTML, leaving ``translate="no"`` spans alone.

    Each word is reversed and prefixed with a Greek letter, so every segment changes, Latin words stay letters
    and Chinese stays Chinese; entities are left intact. Markup and protected spans are untouched.
    """
    pieces = _TAG_OR_TEXT.split(html_text)
    protected_depth = 0
    in_body = False
    for index, piece in enumerate(pieces):
        if index % 2 == 1:  # a tag
            if piece.startswith("<body"):
                in_body = True
            elif protected_depth:
                protected_depth += -1 if piece.startswith("</") else (0 if piece.endswith("/>") else 1)
            elif 'translate="no"' in piece:
                protected_depth = 1
            continue
        if in_body and not protected_depth:
            pieces[index] = _WORD_OR_ENTITY.sub(_hostile_word, piece)
    return "".join(pieces)


def _hostile_word(match: re.Match[str]) -> str:
    word = match.group(1)
    return match.group() if word is None else "Ω" + word[::-1]


def skeleton(doc: Document) -> list[str]:
    """Everything a translation must keep: text between segments, and each segment's protected spans."""
    parts: list[str] = []
    position = 0
    for segment in segments(doc):
        parts.append(doc.text[position : segment.start])
        parts.extend(span.text for span in segment.protected)
        position = segment.end
    parts.append(doc.text[position:])
    return parts


@dataclass
class FileCheck:
    """The outcome of the three round trips for one file."""

    path: str
    segments: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def check_text(text: str, path: str) -> FileCheck:
    """Markdown round trip, HTML identity round trip, and hostile-translation survival of ``text``."""
    doc = parse(text, path=path)
    check = FileCheck(path)
    if render(doc) != text:
        check.failures.append("markdown round trip changed the file")
    all_segments = segments(doc)
    check.segments = len(all_segments)
    source_html = to_html(doc)
    identity = from_html(doc, source_html)
    if identity.issues:
        check.failures.append(f"identity HTML: {identity.issues[0]}")
    elif identity.markdown(doc) != text:
        check.failures.append("identity HTML round trip changed the file")
    hostile_html = hostile_translate(source_html)
    hostile = from_html(doc, hostile_html)
    if hostile.issues:
        check.failures.append(f"hostile translation: {hostile.issues[0]} ({len(hostile.issues)} issues)")
        return check
    translated = hostile.markdown(doc)
    try:
        translated_doc = parse(translated, path=path)
    except InputError as exc:
        check.failures.append(f"hostile translation no longer parses: {exc}")
        return check
    if skeleton(translated_doc) != skeleton(doc):
        check.failures.append(_first_difference(skeleton(doc), skeleton(translated_doc)))
    # A service may hand the translation back with LF line breaks; the output keeps the file's own.
    flattened = from_html(doc, with_newlines(hostile_html, "\n")).markdown(doc)
    foreign = _line_endings(flattened) - _line_endings(text)
    if foreign:
        check.failures.append(f"a translation with LF line breaks brought in other line endings {sorted(foreign)!r}")
    return check


def _line_endings(text: str) -> set[str]:
    return {match.group() for match in LINE_BREAK.finditer(text)}


def _first_difference(before: list[str], after: list[str]) -> str:
    for index, (old, new) in enumerate(zip(before, after, strict=False)):
        if old != new:
            return f"hostile translation changed protected content (part {index}: {old[:60]!r} -> {new[:60]!r})"
    return f"hostile translation changed the number of protected parts ({len(before)} -> {len(after)})"


def check_file(path: str) -> FileCheck:
    """Read ``path`` strictly and check it; bad input raises ``InputError``."""
    return check_text(read_text(path), path)
