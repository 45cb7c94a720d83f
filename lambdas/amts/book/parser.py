"""Parse d2lbook markdown into blocks with exact source spans, and render them back byte for byte.

The cell split follows d2lbook ``split_markdown`` (fences, then ``:begin_tab:``/``:end_tab:``) and the paragraph
classification follows ``split_text`` (title, equation, image, table, list, text), extended with the constructs
listed in the corpus's DIALECT.md (table captions, directive lines, comments, quotes, Discussions links,
display math in the middle of a paragraph).
"""

from __future__ import annotations

import os
from pathlib import Path

from amts.book.lines import _split_lines
from amts.book.model import LINE_BREAK, Document, newline_of
from amts.book.paragraphs import BlockParser
from amts.errors import InputError
from amts.fsio import list_files, read_text


def parse(text: str, *, path: str = "<string>") -> Document:
    """Parse d2lbook markdown. Raises ``InputError`` (with file and line) on malformed input."""
    if "\x00" in text:
        line = len(LINE_BREAK.findall(text, 0, text.index("\x00"))) + 1
        raise InputError("binary data (NUL character), expected UTF-8 text", path=path, line=line)
    body_start = 1 if text.startswith("\ufeff") else 0
    if not text[body_start:].strip():
        raise InputError("empty file: no markdown content", path=path, line=1)
    lines = _split_lines(text, body_start)
    parser = BlockParser(text, lines, path)
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
