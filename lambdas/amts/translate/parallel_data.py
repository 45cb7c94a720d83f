"""Parallel data files for Amazon Translate (Active Custom Translation): build, filter, write.

Reading and validating them is ``amts.translate.parallel_data_reading``.

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
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from amts.book import split_sentences
from amts.errors import InputError
from amts.language_profiles import length_ratio
from amts.languages import CJK_LANGUAGES, check_language

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


def utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8"))


@dataclass
class _Builder:
    """Cleans the records of one build, counting what it drops in ``stats``."""

    src_lang: str
    tgt_langs: tuple[str, ...]
    config: FilterConfig
    splitter: SentenceSplitter
    stats: ParallelDataStats

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
        if max(utf8_bytes(f) for f in (src, *tgts)) <= MAX_FIELD_BYTES:
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
