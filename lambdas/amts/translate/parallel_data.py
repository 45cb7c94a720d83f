"""Parallel data files for Amazon Translate (Active Custom Translation): build, filter, validate.

Rules (Amazon Translate Developer Guide, "Input files for parallel data"): the first row holds language codes
(source first); no field spans lines; no field begins with ``+ - = @`` (even when quoted); a literal quote is
doubled; every field is at most 1,000 UTF-8 bytes; the file is UTF-8. TMX files are TMX 1.4b with
``<header srclang=...>`` and ``<tu>`` elements of at least two ``<tuv xml:lang=...><seg>`` each.

Decisions taken here (see docs/decisions.md): a field starting with ``+ - = @`` *followed by whitespace* is a
list or equation marker and is rewritten by removing that marker; any other such field is dropped. A pair
over 1,000 bytes is re-split into sentences when every side splits into the same number of sentences, else
dropped. Every change is counted in ``ParallelDataStats``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import statistics
import xml.parsers.expat
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from amts.book import split_sentences
from amts.errors import InputError
from amts.fsio import decode_text, read_bytes
from amts.language_profiles import length_ratio
from amts.languages import CJK_LANGUAGES, TRANSLATE_LANGUAGES, check_language

Format = Literal["CSV", "TSV", "TMX"]
SentenceSplitter = Callable[[str, str], list[str]]

MAX_FIELD_BYTES = 1000
FORBIDDEN_LEADING = frozenset("+-=@")

_CJK_RANGES = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_WIDE = f"[{_CJK_RANGES}\u3000-\u303f\uff00-\uffef]"
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")  # C0/C1 controls except whitespace
_LINE_BREAK_BETWEEN_HAN = re.compile(rf"(?<={_WIDE})[ \t]*[\r\n]+\s*(?={_WIDE})")
_WHITESPACE_RUN = re.compile(r"\s+")
_PROTECTED = re.compile(
    r"\$\$.*?\$\$|\$[^$]*\$|\\\(.*?\\\)|\\\[.*?\\\]|`[^`]*`|:[a-z]+:`[^`]*`|https?://\S+|<[^<>]+>|\{[^{}]*\}",
    flags=re.DOTALL,
)
_LETTER = re.compile(r"[^\W\d_]")
_CODE_LINE = re.compile(
    r"^(?:(?:import|from|def|class|return|print|for|while|if|with|lambda)\b.*|[\w.\[\]]+\s*\(.*\)\s*;?|"
    r"[\w.\[\], ]+\s*[+\-*/]?=\s*\S.*)$"
)
_CJK_CHAR = re.compile(f"[{_CJK_RANGES}]")


@dataclass(frozen=True)
class ParallelRow:
    """One record: the source text and one text per target language ("" = no translation for that language)."""

    src: str
    tgts: tuple[str, ...]


@dataclass
class FilterConfig:
    """Thresholds of the pair filters. Ratios compare character counts, target over source."""

    max_ratio_deviation: float = 3.0  # a pair is an outlier when its ratio is off the expected ratio by this factor
    min_length_for_ratio: int = 15  # shorter pairs are too noisy to judge by length
    min_pairs_for_data_ratio: int = 30  # with fewer pairs, the expected ratio comes from a per-script default
    drop_untranslated: bool = True
    drop_code_or_math: bool = True
    drop_ratio_outliers: bool = True


@dataclass
class ParallelDataStats:
    """What happened to the input pairs on their way into the file."""

    source_language: str
    target_languages: tuple[str, ...]
    format: str
    input_pairs: int = 0
    written_records: int = 0
    dropped: Counter[str] = field(default_factory=Counter)  # whole records, by reason
    target_fields_dropped: Counter[str] = field(default_factory=Counter)  # single target fields, by reason
    rewritten: Counter[str] = field(default_factory=Counter)  # fields changed but kept, by reason
    resplit_records: int = 0  # over-long records split at sentence level
    resplit_pieces: int = 0  # records produced by those splits
    expected_ratio: dict[str, float] = field(default_factory=dict)
    file_bytes: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_language": self.source_language,
            "target_languages": list(self.target_languages),
            "format": self.format,
            "input_pairs": self.input_pairs,
            "written_records": self.written_records,
            "dropped": dict(sorted(self.dropped.items())),
            "target_fields_dropped": dict(sorted(self.target_fields_dropped.items())),
            "rewritten": dict(sorted(self.rewritten.items())),
            "resplit_records": self.resplit_records,
            "resplit_pieces": self.resplit_pieces,
            "expected_ratio": {k: round(v, 4) for k, v in sorted(self.expected_ratio.items())},
            "file_bytes": self.file_bytes,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def render(self) -> str:
        """A short human-readable report."""
        lines = [
            f"parallel data {self.source_language}->{','.join(self.target_languages)} ({self.format}): "
            f"{self.written_records} records written from {self.input_pairs} input records, {self.file_bytes} bytes",
        ]
        for title, counter in (
            ("dropped records", self.dropped),
            ("dropped target fields", self.target_fields_dropped),
            ("rewritten fields", self.rewritten),
        ):
            if counter:
                lines.append(f"  {title}: " + ", ".join(f"{k}={v}" for k, v in sorted(counter.items())))
        if self.resplit_records:
            lines.append(f"  re-split at sentence level: {self.resplit_records} records -> {self.resplit_pieces}")
        return "\n".join(lines) + "\n"


def coerce_rows(pairs: Iterable[Any], n_targets: int) -> list[ParallelRow]:
    """Accept 2-tuples ``(src, tgt)``, longer tuples ``(src, tgt1, tgt2, ...)``, or objects with ``src``/``tgt``."""
    rows: list[ParallelRow] = []
    for index, item in enumerate(pairs):
        if hasattr(item, "src") and hasattr(item, "tgt"):
            values: tuple[Any, ...] = (item.src, item.tgt)
        elif isinstance(item, (tuple, list)):
            values = tuple(item)
        else:
            raise InputError(f"pair {index}: expected (source, target) or an object with src/tgt, got {item!r}")
        if len(values) != n_targets + 1 or not all(isinstance(v, str) for v in values):
            raise InputError(f"pair {index}: expected {n_targets + 1} strings (source + each target), got {values!r}")
        rows.append(ParallelRow(values[0], tuple(values[1:])))
    return rows


def normalize_field(text: str) -> str:
    """One line of text: control characters removed, line breaks joined (no space between Hanzi), spaces collapsed."""
    text = _CONTROL.sub("", text)
    text = _LINE_BREAK_BETWEEN_HAN.sub("", text)
    return _WHITESPACE_RUN.sub(" ", text).strip()


def fix_leading_character(text: str) -> tuple[str | None, str | None]:
    """Return ``(text, change)``: the text made safe, or ``None`` when it must be dropped.

    A leading ``+ - = @`` followed by whitespace is a list bullet or equation marker: removing it keeps the
    meaning. A leading ``-1``, ``@decorator`` or ``=SUM(...)`` is meaningful, so such a field is dropped.
    """
    change = None
    while text and text[0] in FORBIDDEN_LEADING:
        if len(text) > 1 and text[1].isspace():
            text = text[1:].lstrip()
            change = "leading_marker_removed"
        else:
            return None, "leading_forbidden_character"
    return text, change


def is_code_or_math_only(text: str) -> bool:
    """True when nothing but code, math, markup or punctuation is left to learn from."""
    rest = _PROTECTED.sub(" ", text)
    if len(_LETTER.findall(rest)) < 2:
        return True
    return bool(_CODE_LINE.match(text.strip())) and not _CJK_CHAR.search(text)


def default_expected_ratio(src_lang: str, tgt_lang: str) -> float:
    """Typical target/source character ratio when the data are too few to measure it: the languages' profiles
    (measured on the D2L translations), else a per-script default."""
    measured = length_ratio(src_lang, tgt_lang)
    if measured is not None:
        return measured
    src_cjk, tgt_cjk = src_lang in CJK_LANGUAGES, tgt_lang in CJK_LANGUAGES
    if src_cjk == tgt_cjk:
        return 1.0
    return 0.3 if tgt_cjk else 1 / 0.3


def _default_splitter(text: str, lang: str) -> list[str]:
    return list(split_sentences(text, lang))


def _byte_len(text: str) -> int:
    return len(text.encode("utf-8"))


class _Builder:
    def __init__(
        self,
        src_lang: str,
        tgt_langs: tuple[str, ...],
        config: FilterConfig,
        splitter: SentenceSplitter,
        stats: ParallelDataStats,
    ) -> None:
        self.src_lang = src_lang
        self.tgt_langs = tgt_langs
        self.config = config
        self.splitter = splitter
        self.stats = stats

    def clean(self, row: ParallelRow, *, depth: int = 0) -> list[ParallelRow]:
        """Normalize, make safe and split one record; filters that need all records run later."""
        field_drops_before = self.stats.target_fields_dropped.copy()
        src = normalize_field(row.src)
        tgts = [normalize_field(t) for t in row.tgts]
        if src != row.src.strip() and "\n" in row.src:
            self.stats.rewritten["line_breaks_joined"] += 1
        joined = sum(1 for old, new in zip(row.tgts, tgts, strict=True) if "\n" in old and new != old.strip())
        if joined:
            self.stats.rewritten["line_breaks_joined"] += joined
        if not src:
            self.stats.dropped["empty_source"] += 1
            return []
        fixed_src, change = fix_leading_character(src)
        if fixed_src is None or not fixed_src:
            self.stats.dropped[change or "empty_source"] += 1
            return []
        if change:
            self.stats.rewritten[change] += 1
        src = fixed_src
        for i, tgt in enumerate(tgts):
            if not tgt:
                continue
            fixed, change = fix_leading_character(tgt)
            if fixed is None:
                self.stats.target_fields_dropped[change or ""] += 1
                tgts[i] = ""
            else:
                if change:
                    self.stats.rewritten[change] += 1
                tgts[i] = fixed
        if self.config.drop_code_or_math and is_code_or_math_only(src):
            self.stats.dropped["code_or_math_only"] += 1
            return []
        if self.config.drop_untranslated:
            for i, tgt in enumerate(tgts):
                if tgt and tgt.casefold() == src.casefold():
                    self.stats.target_fields_dropped["untranslated_identical"] += 1
                    tgts[i] = ""
        if not any(tgts):
            self._drop_no_target(row, field_drops_before)
            return []
        if max(_byte_len(f) for f in (src, *tgts)) <= MAX_FIELD_BYTES:
            return [ParallelRow(src, tuple(tgts))]
        return self._resplit(src, tgts, depth)

    def _drop_no_target(self, row: ParallelRow, field_drops_before: Counter[str]) -> None:
        """Count a record left without any target under the one reason its fields were dropped for, if one."""
        reasons = +(self.stats.target_fields_dropped - field_drops_before)
        untouched_empty = sum(1 for t in row.tgts if not t.strip())
        if len(reasons) == 1 and not untouched_empty:
            self.stats.dropped[next(iter(reasons))] += 1
        else:
            self.stats.dropped["no_target_left"] += 1

    def _resplit(self, src: str, tgts: list[str], depth: int) -> list[ParallelRow]:
        if depth > 0:
            self.stats.dropped["too_long_after_split"] += 1
            return []
        src_parts = [p for p in (s.strip() for s in self.splitter(src, self.src_lang)) if p]
        tgt_parts = [
            [p for p in (s.strip() for s in self.splitter(t, lang)) if p] if t else []
            for t, lang in zip(tgts, self.tgt_langs, strict=True)
        ]
        counts = {len(parts) for parts in tgt_parts if parts}
        if len(src_parts) < 2 or counts != {len(src_parts)}:
            self.stats.dropped["too_long_unsplittable"] += 1
            return []
        self.stats.resplit_records += 1
        pieces: list[ParallelRow] = []
        for k, src_piece in enumerate(src_parts):
            piece = ParallelRow(src_piece, tuple(parts[k] if parts else "" for parts in tgt_parts))
            cleaned = self.clean(piece, depth=depth + 1)
            self.stats.resplit_pieces += len(cleaned)
            pieces.extend(cleaned)
        return pieces

    def ratio_filter(self, rows: list[ParallelRow]) -> list[ParallelRow]:
        if not self.config.drop_ratio_outliers:
            return rows
        limit = math.log(self.config.max_ratio_deviation)
        expected: list[float] = []
        for i, lang in enumerate(self.tgt_langs):
            logs = [
                math.log(len(r.tgts[i]) / len(r.src))
                for r in rows
                if r.tgts[i] and max(len(r.src), len(r.tgts[i])) >= self.config.min_length_for_ratio
            ]
            if len(logs) >= self.config.min_pairs_for_data_ratio:
                expected.append(statistics.median(logs))
            else:
                expected.append(math.log(default_expected_ratio(self.src_lang, lang)))
            self.stats.expected_ratio[lang] = math.exp(expected[-1])
        kept: list[ParallelRow] = []
        for row in rows:
            tgts = list(row.tgts)
            for i, tgt in enumerate(tgts):
                if not tgt or max(len(row.src), len(tgt)) < self.config.min_length_for_ratio:
                    continue
                if abs(math.log(len(tgt) / len(row.src)) - expected[i]) > limit:
                    self.stats.target_fields_dropped["length_ratio_outlier"] += 1
                    tgts[i] = ""
            if any(tgts):
                kept.append(ParallelRow(row.src, tuple(tgts)))
            else:
                self.stats.dropped["length_ratio_outlier"] += 1
        return kept


def deduplicate(rows: Sequence[ParallelRow], stats: ParallelDataStats | None = None) -> list[ParallelRow]:
    """Keep one record per source text: the most frequent translation, the earliest on a tie; order preserved."""
    by_source: dict[str, Counter[tuple[str, ...]]] = {}
    first_seen: dict[tuple[str, tuple[str, ...]], int] = {}
    for index, row in enumerate(rows):
        by_source.setdefault(row.src, Counter())[row.tgts] += 1
        first_seen.setdefault((row.src, row.tgts), index)
    chosen = {
        src: min(counter, key=lambda tgts, s=src, c=counter: (-c[tgts], first_seen[(s, tgts)]))  # type: ignore[misc]
        for src, counter in by_source.items()
    }
    kept: list[ParallelRow] = []
    emitted: set[str] = set()
    for row in rows:
        if row.src in emitted:
            if stats is not None:
                reason = "duplicate" if row.tgts == chosen[row.src] else "conflicting_duplicate"
                stats.dropped[reason] += 1
            continue
        if row.tgts != chosen[row.src]:
            if stats is not None:
                stats.dropped["conflicting_duplicate"] += 1
            continue
        emitted.add(row.src)
        kept.append(row)
    return kept


def filter_rows(
    rows: Sequence[ParallelRow],
    src_lang: str,
    tgt_langs: Sequence[str],
    *,
    config: FilterConfig | None = None,
    splitter: SentenceSplitter | None = None,
    stats: ParallelDataStats | None = None,
) -> list[ParallelRow]:
    """All rules and filters, in order: clean/split each record, drop length-ratio outliers, deduplicate."""
    targets = tuple(tgt_langs)
    stats = stats or ParallelDataStats(src_lang, targets, "")
    builder = _Builder(src_lang, targets, config or FilterConfig(), splitter or _default_splitter, stats)
    cleaned: list[ParallelRow] = []
    for row in rows:
        cleaned.extend(builder.clean(row))
    return deduplicate(builder.ratio_filter(cleaned), stats)


def build_parallel_data(
    pairs: Iterable[Any],
    src_lang: str,
    tgt_langs: str | Sequence[str],
    fmt: Format = "CSV",
    *,
    config: FilterConfig | None = None,
    splitter: SentenceSplitter | None = None,
    name: str | None = None,
    dropped_before: Counter[str] | None = None,
) -> tuple[bytes, ParallelDataStats]:
    """Filter ``pairs`` and write them as a parallel data file Amazon Translate accepts; return it and its stats.

    ``name`` is the input the pairs came from (named in errors); ``dropped_before`` counts input records the
    reader could not turn into pairs, by reason, so that every input record is written or counted.
    """
    targets = (tgt_langs,) if isinstance(tgt_langs, str) else tuple(tgt_langs)
    check_language(src_lang, what="source language")
    for lang in targets:
        check_language(lang, what="target language")
    if not targets or len(set(targets)) != len(targets) or src_lang in targets:
        raise InputError(f"bad target languages {list(targets)!r} for source {src_lang!r}")
    fmt_upper = fmt.upper()
    if fmt_upper not in ("CSV", "TSV", "TMX"):
        raise InputError(f"unknown parallel data format {fmt!r}; expected CSV, TSV or TMX")
    rows = coerce_rows(pairs, len(targets))
    unread = Counter(dropped_before or {})
    stats = ParallelDataStats(src_lang, targets, fmt_upper, input_pairs=len(rows) + unread.total())
    stats.dropped.update(unread)
    kept = filter_rows(rows, src_lang, targets, config=config, splitter=splitter, stats=stats)
    if not kept:
        raise InputError(
            f"no usable pairs left out of {stats.input_pairs} input records (dropped: {dict(stats.dropped)})",
            path=name,
        )
    if fmt_upper == "TMX":
        data = write_tmx(kept, src_lang, targets)
    else:
        data = write_delimited(kept, src_lang, targets, fmt_upper)
    stats.written_records = len(kept)
    stats.file_bytes = len(data)
    return data, stats


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


def write_delimited(rows: Sequence[ParallelRow], src_lang: str, tgt_langs: Sequence[str], fmt: str = "CSV") -> bytes:
    """CSV or TSV: a header of language codes, one record per line, quotes doubled, UTF-8 without BOM."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t" if fmt == "TSV" else ",", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([src_lang, *tgt_langs])
    for row in rows:
        writer.writerow([row.src, *row.tgts])
    return out.getvalue().encode("utf-8")


def write_tmx(rows: Sequence[ParallelRow], src_lang: str, tgt_langs: Sequence[str]) -> bytes:
    """TMX 1.4b: one ``<tu>`` per record with a ``<tuv>`` per non-empty language."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n',
        f'  <header creationtool="amts" creationtoolversion="0.1.0" segtype="sentence" o-tmf="amts" '
        f'adminlang="en" srclang={quoteattr(src_lang)} datatype="plaintext"/>\n  <body>\n',
    ]
    for row in rows:
        parts.append("    <tu>\n")
        for lang, text in zip((src_lang, *tgt_langs), (row.src, *row.tgts), strict=True):
            if text:
                parts.append(f"      <tuv xml:lang={quoteattr(lang)}><seg>{xml_escape(text)}</seg></tuv>\n")
        parts.append("    </tu>\n")
    parts.append("  </body>\n</tmx>\n")
    return "".join(parts).encode("utf-8")


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
    size = _byte_len(value)
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
