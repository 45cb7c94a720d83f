"""The one reader of bilingual glossary files, shared by the aligner's lexicon and Translate's custom terminology.

Two dialects, chosen from the file's suffix (or given):
- ``MARKDOWN`` (``.md``, ``.markdown``, ``.txt``): the book's ``TERMINOLOGY.zh-en.md``, one ``term，term`` per line
  (separators, first found wins: ``，``, a tab, `` | ``, ``,``); headings, quotes, comments and table rules are
  skipped, list bullets and table bars stripped; the languages come from the file name (``NAME.zh-en.md``).
- ``CSV`` / ``TSV`` (anything else; a tab in the first line makes it TSV): Amazon Translate's terminology layout,
  a header row of language codes (two or more) or, without one, the languages the caller gives. Every row has the
  header's number of fields; a quoted field may span lines, and a row is named by the line it starts on.

What a term means (spellings, short forms, orientation) is the caller's business; this module only reads rows.
"""

from __future__ import annotations

import csv
import enum
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from amts.errors import InputError
from amts.languages import TRANSLATE_LANGUAGES

_MARKDOWN_SEPARATORS = ("，", "\t", " | ", ",")
_MARKDOWN_SKIPPED = ("#", ">", "<!--", "|-", "---")
_LANGS_IN_NAME = re.compile(
    r"(?:^|[._])([A-Za-z]{2,3}(?:-[A-Za-z]{2})?)[-_]([A-Za-z]{2,3}(?:-[A-Za-z]{2})?)\.[A-Za-z]+$"
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class Dialect(enum.Enum):
    MARKDOWN = "markdown"
    CSV = "csv"
    TSV = "tsv"

    @classmethod
    def of(cls, path: str | Path, text: str = "") -> Dialect:
        suffix = Path(path).suffix.lower()
        if suffix in (".md", ".markdown", ".txt"):
            return cls.MARKDOWN
        if suffix == ".tsv" or "\t" in _LINE_BREAK.split(text, 1)[0]:
            return cls.TSV
        return cls.CSV


@dataclass(frozen=True)
class GlossaryTable:
    """The rows of a glossary file: ``languages`` names the columns; each row is (line, cells), cells stripped."""

    languages: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    path: str


def csv_rows(text: str, *, delimiter: str) -> list[tuple[int, list[str]]]:
    """The records of CSV/TSV text, each with the line it starts on: a quoted field may hold line breaks, so a
    record's number is not its line's. LF, CRLF and a lone CR end a line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for row in reader:
            rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(f"not valid CSV: {exc}", line=line) from None
    return rows


def parse_glossary(
    text: str, *, path: str, languages: Sequence[str] | None = None, dialect: Dialect | None = None, what: str
) -> GlossaryTable:
    """Read glossary ``text`` (``path`` names it in errors; ``what`` is "glossary" or "lexicon" in messages).

    The file's own languages (its name, or its header row) come first; ``languages`` is for a file that names none.
    """
    text = text.removeprefix("\ufeff")
    dialect = dialect or Dialect.of(path, text)
    if dialect is Dialect.MARKDOWN:
        return _markdown(text, path, languages, what)
    return _delimited(text, path, languages, "\t" if dialect is Dialect.TSV else ",", what)


def _markdown(text: str, path: str, languages: Sequence[str] | None, what: str) -> GlossaryTable:
    rows: list[tuple[int, tuple[str, ...]]] = []
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith(_MARKDOWN_SKIPPED):
            continue
        item = stripped.lstrip("-*+ ").strip()
        separator = next((sep for sep in _MARKDOWN_SEPARATORS if sep in item), None)
        cells = tuple(cell.strip(" |") for cell in item.split(separator, 1)) if separator else ()
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise InputError(
                f"expected a term pair like '中文，english' (separated by '，', a tab or ','), got {stripped!r}",
                path=path,
                line=number,
            )
        rows.append((number, cells))
    match = _LANGS_IN_NAME.search(Path(path).name)
    if match is not None and {match.group(1), match.group(2)} <= TRANSLATE_LANGUAGES:
        languages = (match.group(1), match.group(2))
    elif languages is None:
        raise InputError(f"cannot tell the {what}'s languages; name it like TERMINOLOGY.zh-en.md", path=path)
    return _table(languages, rows, path, what)


def _delimited(text: str, path: str, languages: Sequence[str] | None, delimiter: str, what: str) -> GlossaryTable:
    try:
        records = [(n, row) for n, row in csv_rows(text, delimiter=delimiter) if any(cell.strip() for cell in row)]
    except InputError as exc:
        raise InputError(exc.message, path=path, line=exc.line) from None
    if not records:
        raise InputError(f"empty {what}", path=path)
    header = tuple(cell.strip() for cell in records[0][1])
    if len(header) >= 2 and all(cell in TRANSLATE_LANGUAGES for cell in header):
        languages, records = header, records[1:]
    elif languages is None:
        raise InputError(
            f"cannot tell the {what}'s languages: the first row must hold language codes, e.g. 'en,zh'",
            path=path,
            line=records[0][0],
        )
    rows: list[tuple[int, tuple[str, ...]]] = []
    for number, row in records:
        cells = tuple(cell.strip() for cell in row)
        if sum(1 for cell in cells[:2] if cell) < 2:
            raise InputError("expected two non-empty terms on this row", path=path, line=number)
        if len(cells) != len(languages):
            raise InputError(f"{len(cells)} fields, header has {len(languages)}", path=path, line=number)
        rows.append((number, cells))
    return _table(languages, rows, path, what)


def _table(languages: Sequence[str], rows: list[tuple[int, tuple[str, ...]]], path: str, what: str) -> GlossaryTable:
    codes = tuple(languages)
    if len(codes) < 2 or len(set(codes)) != len(codes) or not set(codes) <= TRANSLATE_LANGUAGES:
        raise InputError(f"expected different language codes for the {what}, got {list(codes)!r}", path=path)
    if not rows:
        raise InputError(f"the {what} has no term pairs", path=path)
    return GlossaryTable(codes, tuple(rows), path)


__all__ = ["Dialect", "GlossaryTable", "csv_rows", "parse_glossary"]
