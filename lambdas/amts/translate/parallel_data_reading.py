"""Reading parallel data files as Amazon Translate would: parse, validate (file:line problems), and read pairs.

The rules are those of ``amts.translate.parallel_data`` (which builds and writes the files).
"""

from __future__ import annotations

import csv
import io
import re
import xml.parsers.expat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from amts.errors import InputError
from amts.fsio import decode_text, read_bytes
from amts.languages import TRANSLATE_LANGUAGES
from amts.translate.parallel_data import (
    FORBIDDEN_LEADING,
    MAX_FIELD_BYTES,
    ParallelRow,
    utf8_bytes,
)


def read_pair_records(
    data: bytes, *, src_lang: str, tgt_lang: str, name: str
) -> tuple[list[ParallelRow], Counter[str]]:
    """The (source, target) records of a parallel-data-like input file, leniently: every record becomes a pair or
    is counted under the reason it could not (the building filters then fix or drop what breaks Translate's rules).

    CSV/TSV files need a header of language codes naming both languages (other columns are ignored) and may quote
    fields across lines; TMX files give one record per ``<tu>``.
    """
    fmt = detect_format(data, name)
    text = decode_text(data, path=name).removeprefix("\ufeff")
    if fmt == "TMX":
        parsed = parse_parallel_data(data, fmt="TMX", name=name)
        first = next((p for p in parsed.problems if p.severity == "error"), None)
        if not parsed.source_language and first is not None:  # nothing could be read (not well-formed XML): say why
            raise InputError(first.message, path=name, line=first.line or None)
        if parsed.source_language != src_lang or tgt_lang not in parsed.target_languages:
            raise InputError(
                f"file is {parsed.source_language}->{list(parsed.target_languages)}, not {src_lang}-{tgt_lang}",
                path=name,
            )
        column = parsed.target_languages.index(tgt_lang)
        rows = [ParallelRow(row.src, (row.tgts[column],)) for _, row in parsed.records]
        units = len(re.findall(r"<tu[\s>]", text))
        unread: Counter[str] = Counter()
        if units > len(rows):
            unread["tmx_record_unusable (see amts validate-parallel-data)"] = units - len(rows)
        return rows, unread
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if fmt == "TSV" else ",")
    try:
        header = [code.strip() for code in next(reader, [])]
    except csv.Error as exc:
        raise InputError(f"bad header ({exc})", path=name, line=1) from None
    if src_lang not in header or tgt_lang not in header:
        raise InputError(
            f"the header {header!r} must name the languages {src_lang} and {tgt_lang} (one column each)",
            path=name,
            line=1,
        )
    src_column, tgt_column = header.index(src_lang), header.index(tgt_lang)
    rows = []
    unread = Counter()
    try:
        for fields in reader:
            if not any(field.strip() for field in fields):
                continue  # a blank line is not a record
            if len(fields) != len(header):
                unread[f"record_with_{len(fields)}_fields_for_{len(header)}_languages"] += 1
                continue
            rows.append(ParallelRow(fields[src_column], (fields[tgt_column],)))
    except csv.Error as exc:
        raise InputError(f"bad quoting ({exc})", path=name, line=reader.line_num) from None
    return rows, unread


# --------------------------------------------------------------------------------------------------------------
# Reading and validating


@dataclass(frozen=True)
class Problem:
    """One rule broken by a parallel data file, at a line (1-based; 0 = the whole file)."""

    line: int
    message: str
    severity: Literal["error", "warning"] = "error"

    def render(self, path: str) -> str:
        return f"{path}:{self.line}: {self.severity}: {self.message}"


@dataclass
class ParsedParallelData:
    """A parallel data file as Amazon Translate would read it."""

    format: str
    source_language: str
    target_languages: tuple[str, ...]
    records: list[tuple[int, ParallelRow]]  # (line, record) of every usable record
    problems: list[Problem]

    @property
    def fatal(self) -> bool:
        """True when the whole file would be refused (no usable header, not UTF-8, not well-formed XML)."""
        return any(p.line <= 1 and p.severity == "error" for p in self.problems) or not self.records


def detect_format(data: bytes, name: str = "") -> str:
    suffix = Path(name).suffix.lower()
    if suffix in (".csv", ".tsv", ".tmx"):
        return suffix[1:].upper()
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:200]
    if head.startswith(b"<"):
        return "TMX"
    first_line = head.split(b"\n", 1)[0]
    return "TSV" if b"\t" in first_line else "CSV"


def parse_parallel_data(data: bytes, *, fmt: str | None = None, name: str = "<bytes>") -> ParsedParallelData:
    """Parse a CSV/TSV/TMX parallel data file, collecting every broken rule with its line."""
    fmt = (fmt or detect_format(data, name)).upper()
    if fmt not in ("CSV", "TSV", "TMX"):
        raise InputError(f"unknown parallel data format {fmt!r}; expected CSV, TSV or TMX", path=name)
    try:
        text = decode_text(data, path=name)
    except InputError as exc:
        return ParsedParallelData(fmt, "", (), [], [Problem(exc.line or 1, f"{exc.message}; files must be UTF-8")])
    problems: list[Problem] = []
    if text.startswith("\ufeff"):
        problems.append(Problem(1, "starts with a byte-order mark; write UTF-8 without BOM", "warning"))
        text = text[1:]
    if fmt == "TMX":
        return _parse_tmx(text, problems)
    return _parse_delimited(text, fmt, problems)


def _check_field(
    line: int, lang: str, value: str, is_source: bool, problems: list[Problem], *, tmx: bool = False
) -> bool:
    """Check one field; return whether Translate would use it."""
    what = f"{'source' if is_source else 'target'} field ({lang})"
    stripped = value.strip()
    if not stripped:
        consequence = "the line is skipped" if is_source else "this field is skipped"
        problems.append(Problem(line, f"empty {what}: {consequence}", "warning"))
        return False
    ok = True
    if stripped[0] in FORBIDDEN_LEADING and tmx:
        # The rule is documented for CSV/TSV only; AMTS's writer avoids it in TMX too, so it is worth a warning.
        problems.append(Problem(line, f"{what} begins with {stripped[0]!r} (refused in CSV/TSV files)", "warning"))
    elif stripped[0] in FORBIDDEN_LEADING:
        problems.append(Problem(line, f"{what} begins with {stripped[0]!r}, which Translate refuses (CSV injection)"))
        ok = False
    size = utf8_bytes(value)
    if size > MAX_FIELD_BYTES:
        problems.append(Problem(line, f"{what} is {size} bytes, over the {MAX_FIELD_BYTES}-byte limit"))
        ok = False
    if "\n" in value or "\r" in value:
        problems.append(Problem(line, f"{what} spans lines"))
        ok = False
    return ok


def _check_quotes(line_no: int, line: str, fields: list[str], delimiter: str, problems: list[Problem]) -> None:
    """A field holding a quote must be quoted with the quote doubled (``34"" monitor``), or the record is misread."""
    for value in fields:
        if '"' in value and f'"{value.replace(chr(34), chr(34) * 2)}"' not in line:
            message = f"field {value[:40]!r} holds a quote that is not doubled inside a quoted field"
            problems.append(Problem(line_no, message))


def _check_header(codes: list[str], problems: list[Problem]) -> bool:
    ok = True
    if len(codes) < 2:
        problems.append(Problem(1, f"header must hold a source and at least one target language code, got {codes!r}"))
        ok = False
    for code in codes:
        if code.strip() not in TRANSLATE_LANGUAGES:
            problems.append(Problem(1, f"header: {code!r} is not an Amazon Translate language code"))
            ok = False
    if len({c.strip() for c in codes}) != len(codes):
        problems.append(Problem(1, f"header repeats a language code: {codes!r}"))
        ok = False
    return ok


def _parse_delimited(text: str, fmt: str, problems: list[Problem]) -> ParsedParallelData:
    delimiter = "\t" if fmt == "TSV" else ","
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        problems.append(Problem(1, "empty file: expected a header of language codes"))
        return ParsedParallelData(fmt, "", (), [], problems)

    def split(line_no: int, line: str) -> list[str] | None:
        line = line.removesuffix("\r")
        try:
            return next(csv.reader([line], delimiter=delimiter, strict=True))
        except csv.Error as exc:
            hint = "a field may not span lines" if line.count('"') % 2 else "quotes inside a field must be doubled"
            problems.append(Problem(line_no, f"bad quoting ({exc}): {hint}, and a field with quotes must be quoted"))
            return None
        except StopIteration:
            return []

    header = split(1, lines[0]) or []
    header_ok = _check_header(header, problems)
    codes = tuple(c.strip() for c in header)
    records: list[tuple[int, ParallelRow]] = []
    seen: dict[str, int] = {}
    for line_no, line in enumerate(lines[1:], start=2):
        if not line.strip():
            problems.append(Problem(line_no, "empty line: skipped", "warning"))
            continue
        fields = split(line_no, line)
        if fields is None:
            continue
        if header_ok and len(fields) != len(codes):
            problems.append(Problem(line_no, f"{len(fields)} fields, but the header has {len(codes)} languages"))
            continue
        if not header_ok:
            continue
        src_ok = _check_field(line_no, codes[0], fields[0], True, problems)
        tgts = tuple(
            f.strip() if _check_field(line_no, lang, f, False, problems) else ""
            for lang, f in zip(codes[1:], fields[1:], strict=True)
        )
        _check_quotes(line_no, line.removesuffix("\r"), fields, delimiter, problems)
        if not src_ok or not any(tgts):
            continue
        src = fields[0].strip()
        if src in seen:
            problems.append(
                Problem(line_no, f"duplicate source text (also line {seen[src]}); Translate keeps the last", "warning")
            )
        seen[src] = line_no
        records.append((line_no, ParallelRow(src, tgts)))
    if header_ok and not records:
        problems.append(Problem(1, "no usable records"))
    return ParsedParallelData(fmt, codes[0] if codes else "", codes[1:], records, problems)


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list[_Node] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def all_text(self) -> str:
        return "".join(self.text) + "".join(c.all_text() for c in self.children)


def _parse_xml(text: str, problems: list[Problem]) -> _Node | None:
    parser = xml.parsers.expat.ParserCreate()
    stack: list[_Node] = []
    root: list[_Node] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        node = _Node(tag, attrs, parser.CurrentLineNumber)
        if stack:
            stack[-1].children.append(node)
            # Text is flattened per element: a <seg>'s inline markup contributes its text.
            stack[-1].text.append("")
        else:
            root.append(node)
        stack.append(node)

    def end(tag: str) -> None:
        stack.pop()

    def chars(data: str) -> None:
        if stack:
            stack[-1].text.append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(text.encode("utf-8"), True)
    except xml.parsers.expat.ExpatError as exc:
        problems.append(Problem(1, f"not well-formed XML at line {exc.lineno}, column {exc.offset}: {exc}"))
        problems.append(Problem(exc.lineno, f"XML error here: {xml.parsers.expat.ErrorString(exc.code)}"))
        return None
    return root[0] if root else None


def _parse_tmx(text: str, problems: list[Problem]) -> ParsedParallelData:
    root = _parse_xml(text, problems)
    if root is None:
        return ParsedParallelData("TMX", "", (), [], problems)
    if root.tag != "tmx":
        problems.append(Problem(1, f"root element is <{root.tag}>, expected <tmx>"))
        return ParsedParallelData("TMX", "", (), [], problems)
    if root.attrs.get("version") not in ("1.4", "1.4b"):
        version = root.attrs.get("version")
        problems.append(Problem(root.line, f"tmx version {version!r}; TMX 1.4b is expected", "warning"))
    headers = [c for c in root.children if c.tag == "header"]
    bodies = [c for c in root.children if c.tag == "body"]
    srclang = headers[0].attrs.get("srclang", "") if headers else ""
    if not headers:
        problems.append(Problem(1, "no <header> element"))
    elif srclang not in TRANSLATE_LANGUAGES:
        problems.append(Problem(1, f"<header srclang={srclang!r}> must be an Amazon Translate language code"))
    if not bodies:
        problems.append(Problem(1, "no <body> element"))
    if any(p.line <= 1 for p in problems if p.severity == "error"):
        return ParsedParallelData("TMX", srclang, (), [], problems)
    records: list[tuple[int, ParallelRow]] = []
    targets: list[str] = []
    pending: list[tuple[int, str, dict[str, str]]] = []
    for tu in (c for c in bodies[0].children if c.tag == "tu"):
        tuvs = [c for c in tu.children if c.tag == "tuv"]
        if len(tuvs) < 2:
            problems.append(Problem(tu.line, f"<tu> has {len(tuvs)} <tuv>; at least 2 are required"))
            continue
        texts: dict[str, str] = {}
        ok = True
        for tuv in tuvs:
            lang = tuv.attrs.get("xml:lang") or tuv.attrs.get("lang", "")
            segs = [c for c in tuv.children if c.tag == "seg"]
            if not lang:
                problems.append(Problem(tuv.line, "<tuv> without xml:lang"))
                ok = False
                continue
            if lang not in TRANSLATE_LANGUAGES:
                problems.append(Problem(tuv.line, f"<tuv xml:lang={lang!r}> is not an Amazon Translate language code"))
                ok = False
                continue
            if len(segs) != 1:
                problems.append(Problem(tuv.line, f"<tuv xml:lang={lang!r}> needs exactly one <seg>"))
                ok = False
                continue
            if lang in texts:
                problems.append(Problem(tuv.line, f"<tu> has two <tuv> for {lang!r}"))
                ok = False
                continue
            seg_text = segs[0].all_text()
            if _check_field(segs[0].line, lang, seg_text, lang == srclang, problems, tmx=True):
                texts[lang] = seg_text.strip()
            else:
                texts[lang] = ""
        if sum(1 for t in tuvs if (t.attrs.get("xml:lang") or t.attrs.get("lang")) == srclang) != 1:
            problems.append(Problem(tu.line, f"<tu> needs exactly one <tuv> in the source language {srclang!r}"))
            continue
        if not ok and not texts.get(srclang):
            continue
        for lang in texts:
            if lang != srclang and lang not in targets:
                targets.append(lang)
        pending.append((tu.line, texts.pop(srclang, ""), texts))
    seen: dict[str, int] = {}
    for line, src, tgt_texts in pending:
        row = ParallelRow(src, tuple(tgt_texts.get(lang, "") for lang in targets))
        if not src or not any(row.tgts):
            continue
        if src in seen:
            message = f"duplicate source text (also line {seen[src]}); Translate keeps the last"
            problems.append(Problem(line, message, "warning"))
        seen[src] = line
        records.append((line, row))
    if not records:
        problems.append(Problem(1, "no usable <tu> records"))
    return ParsedParallelData("TMX", srclang, tuple(targets), records, problems)


def validate_parallel_data(source: str | Path | bytes, *, fmt: str | None = None) -> list[Problem]:
    """Check a parallel data file (a path or its bytes) against Amazon Translate's rules; each problem names a line."""
    if isinstance(source, bytes):
        data, name = source, "<bytes>"
    else:
        path = Path(source)
        name = str(path)
        data = read_bytes(path)
    return parse_parallel_data(data, fmt=fmt, name=name).problems
