"""Bilingual glossaries: import as an Amazon Translate custom terminology, and check term consistency.

Inputs: the dialects of ``amts.glossary`` (CSV/TSV with a header of language codes, Amazon Translate's own
terminology format, or the book's markdown glossary, ``中文，english`` per line). Limits (Developer
Guide, "Guidelines and quotas"): 200 bytes per term, 10 MB per file, one terminology per job; terms are
case-sensitive exact matches.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amts.errors import InputError
from amts.fsio import read_text
from amts.glossary import Dialect, parse_glossary
from amts.languages import CJK_LANGUAGES, check_language
from amts.translate.parallel_data import FORBIDDEN_LEADING

MAX_TERM_BYTES = 200
MAX_TERMINOLOGY_FILE_BYTES = 10 * 1024 * 1024
# ``long short-term memory (LSTM)``: a short form after a space, letters first (not ``=SUM(A1:A2)``'s arguments).
_TRAILING_ABBREVIATION = re.compile(r"^(?P<term>.+?)\s+[(（](?P<abbr>[^\W\d_][\w .'&/-]*)[)）]$")


@dataclass(frozen=True)
class TermEntry:
    """One glossary term: the source term, its expected translation, and where it was defined."""

    src: str
    tgt: str
    line: int
    note: str = ""
    written: str = field(default="", compare=False)  # the source term as the file writes it, for messages

    @property
    def shown(self) -> str:
        return self.written or self.src


@dataclass
class Glossary:
    """Terms oriented from ``source_language`` to ``target_language``."""

    source_language: str
    target_language: str
    entries: list[TermEntry]
    path: str = "<glossary>"


def _clean_term(text: str, lang: str) -> tuple[str, str]:
    """Drop a trailing abbreviation in parentheses on a Latin-script side: ``long short-term memory (LSTM)``."""
    match = _TRAILING_ABBREVIATION.match(text)
    if match and lang not in CJK_LANGUAGES:
        return match.group("term").strip(), f"abbreviation {match.group('abbr')!r} removed"
    return text, ""


def load_glossary(path: str | Path, *, src_lang: str | None = None, tgt_lang: str | None = None) -> Glossary:
    """Read a glossary (``amts.glossary``'s dialects) and orient it ``src_lang`` -> ``tgt_lang`` (swapping if
    needed); a table of more than two languages gives the ``tgt_lang`` column."""
    source = Path(path)
    text = read_text(source)
    # The wanted direction names the columns of a headerless CSV/TSV only: a markdown glossary's column order is
    # known from its name alone, so a glossary.md is refused rather than read the wrong way round.
    headerless_order = Dialect.of(source, text) is not Dialect.MARKDOWN
    given = [src_lang, tgt_lang] if src_lang and tgt_lang and headerless_order else None
    table = parse_glossary(text, path=str(source), languages=given, what="glossary")
    header = table.languages
    columns = (header[0], tgt_lang if tgt_lang and len(header) > 2 else header[1])
    if columns[1] not in header:
        raise InputError(f"no column for {columns[1]!r} in header {list(header)!r}", path=str(source), line=1)
    tgt_index = header.index(columns[1])
    want_src = src_lang or columns[0]
    want_tgt = tgt_lang or (columns[1] if want_src == columns[0] else columns[0])
    check_language(want_src, what="glossary source language")
    check_language(want_tgt, what="glossary target language")
    if {want_src, want_tgt} != set(columns):
        raise InputError(f"glossary is {columns[0]}-{columns[1]}, not {want_src}-{want_tgt}", path=str(source))
    swap = want_src != columns[0]
    entries: list[TermEntry] = []
    for number, cells in table.rows:
        left, right = cells[0], cells[tgt_index]
        written, tgt = (right, left) if swap else (left, right)
        src, src_note = _clean_term(written, want_src)
        tgt, tgt_note = _clean_term(tgt, want_tgt)
        entries.append(TermEntry(src, tgt, number, "; ".join(n for n in (src_note, tgt_note) if n), written))
    return Glossary(want_src, want_tgt, entries, str(source))


@dataclass
class TerminologyStats:
    """What went into the custom terminology file and what was left out, by reason."""

    terms_in: int = 0
    terms_written: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    dropped_terms: list[tuple[int, str, str]] = field(default_factory=list)  # (line, term, reason)
    file_bytes: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "terms_in": self.terms_in,
            "terms_written": self.terms_written,
            "dropped": dict(sorted(self.dropped.items())),
            "dropped_terms": [{"line": ln, "term": t, "reason": r} for ln, t, r in self.dropped_terms],
            "file_bytes": self.file_bytes,
        }


def to_terminology_file(glossary: Glossary, fmt: str = "CSV") -> tuple[bytes, TerminologyStats]:
    """A custom terminology file (CSV or TSV, directionality UNI) within Amazon Translate's limits."""
    fmt = fmt.upper()
    if fmt not in ("CSV", "TSV"):
        raise InputError(f"terminology format {fmt!r} is not supported here; use CSV or TSV")
    stats = TerminologyStats(terms_in=len(glossary.entries))
    kept: dict[str, str] = {}

    def drop(entry: TermEntry, reason: str) -> None:
        stats.dropped[reason] += 1
        stats.dropped_terms.append((entry.line, entry.shown, reason))

    for entry in glossary.entries:
        src, tgt = " ".join(entry.src.split()), " ".join(entry.tgt.split())
        if not src or not tgt:
            drop(entry, "empty_term")
        elif max(len(src.encode()), len(tgt.encode())) > MAX_TERM_BYTES:
            drop(entry, "term_over_200_bytes")
        elif src[0] in FORBIDDEN_LEADING or tgt[0] in FORBIDDEN_LEADING:
            drop(entry, "leading_forbidden_character")
        elif src in kept:
            # One translation per source term (Translate best practice); the first definition wins.
            drop(entry, "duplicate_source_term" if kept[src] == tgt else "conflicting_translation")
        else:
            kept[src] = tgt
    if not kept:
        raise InputError("no usable terms left for a custom terminology", path=glossary.path)
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t" if fmt == "TSV" else ",", lineterminator="\n")
    writer.writerow([glossary.source_language, glossary.target_language])
    writer.writerows(kept.items())
    data = out.getvalue().encode("utf-8")
    if len(data) > MAX_TERMINOLOGY_FILE_BYTES:
        raise InputError(f"terminology file would be {len(data)} bytes, over the 10 MB limit", path=glossary.path)
    stats.terms_written = len(kept)
    stats.file_bytes = len(data)
    return data, stats


def parse_terminology_file(data: bytes, fmt: str = "CSV") -> tuple[list[str], list[tuple[str, ...]]]:
    """Read a CSV/TSV terminology file back: (language codes, rows). Used by the stand-in."""
    text = data.decode("utf-8").removeprefix("\ufeff")
    rows = [r for r in csv.reader(io.StringIO(text), delimiter="\t" if fmt.upper() == "TSV" else ",") if r]
    if not rows:
        raise InputError("empty terminology file")
    return [c.strip() for c in rows[0]], [tuple(c.strip() for c in r) for r in rows[1:]]


# --------------------------------------------------------------------------------------------------------------
# Term consistency


def _term_pattern(term: str, lang: str, *, inflect: bool) -> re.Pattern[str]:
    """Latin-script terms match whole words, case-insensitively (English plurals too); CJK terms as substrings."""
    body = re.escape(term)
    if lang in CJK_LANGUAGES or not term[:1].isascii():
        return re.compile(body)
    suffix = "(?:s|es)?" if inflect and lang == "en" else ""
    return re.compile(rf"(?<![\w-]){body}{suffix}(?![\w-])", re.IGNORECASE)


@dataclass
class TermResult:
    """One glossary term across all segments."""

    src: str
    expected: str
    source_occurrences: int = 0
    found_in_output: int = 0
    segments_missing: list[int] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.found_in_output >= self.source_occurrences:
            return "ok"
        return "missing" if self.found_in_output == 0 else "partial"


@dataclass
class TermReport:
    """Which glossary terms appear in the source, and whether their expected translation is in the output."""

    source_language: str
    target_language: str
    segments: int
    terms: list[TermResult]

    @property
    def occurrences(self) -> int:
        return sum(t.source_occurrences for t in self.terms)

    @property
    def consistent(self) -> int:
        return sum(min(t.source_occurrences, t.found_in_output) for t in self.terms)

    @property
    def consistency(self) -> float:
        return self.consistent / self.occurrences if self.occurrences else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_language": self.source_language,
            "target_language": self.target_language,
            "segments": self.segments,
            "term_occurrences": self.occurrences,
            "consistent_occurrences": self.consistent,
            "consistency": round(self.consistency, 4),
            "terms": [
                {
                    "source": t.src,
                    "expected": t.expected,
                    "source_occurrences": t.source_occurrences,
                    "found_in_output": t.found_in_output,
                    "status": t.status,
                    "segments_missing": t.segments_missing,
                }
                for t in self.terms
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def render(self) -> str:
        lines = [
            f"term consistency {self.source_language}->{self.target_language}: {self.consistent}/{self.occurrences} "
            f"term occurrences have the expected translation ({self.consistency:.1%}), "
            f"{len(self.terms)} glossary terms in the source",
        ]
        for t in sorted(self.terms, key=lambda r: (r.status == "ok", r.src.lower())):
            lines.append(
                f"  [{t.status}] {t.src} -> {t.expected}: {t.found_in_output}/{t.source_occurrences} in output"
            )
        return "\n".join(lines) + "\n"


def check_term_consistency(
    glossary: Glossary, segments: Iterable[tuple[str, str]] | Sequence[tuple[str, str]]
) -> TermReport:
    """For each (source, output) segment: which terms the source uses, and whether the output has their translation.

    Longer terms win over the terms inside them (``word vector`` hides ``vector`` at the same place).
    """
    pairs = list(segments)
    ordered = sorted(glossary.entries, key=lambda e: -len(e.src))
    src_patterns = [_term_pattern(e.src, glossary.source_language, inflect=True) for e in ordered]
    tgt_patterns = [_term_pattern(e.tgt, glossary.target_language, inflect=True) for e in ordered]
    results: dict[str, TermResult] = {}
    for index, (source, output) in enumerate(pairs):
        masked = source
        for entry, src_pattern, tgt_pattern in zip(ordered, src_patterns, tgt_patterns, strict=True):
            hits = src_pattern.findall(masked)
            if not hits:
                continue
            masked = src_pattern.sub(lambda m: "\x00" * len(m.group(0)), masked)
            result = results.setdefault(entry.src, TermResult(entry.src, entry.tgt))
            found = len(tgt_pattern.findall(output))
            result.source_occurrences += len(hits)
            result.found_in_output += min(found, len(hits))
            if found < len(hits):
                result.segments_missing.append(index)
    terms = sorted(results.values(), key=lambda r: r.src.lower())
    return TermReport(glossary.source_language, glossary.target_language, len(pairs), terms)
