"""Bilingual lexicons (term pairs) used as alignment evidence.

Accepted inputs:
- a glossary in markdown like d2l's ``TERMINOLOGY.zh-en.md``: one ``term，term`` (or ``term, term`` / ``term | term``)
  per line, languages from the file name (``NAME.zh-en.md``) or from ``langs``;
- CSV or TSV with a header row of two language codes (the Amazon Translate terminology layout), or with
  ``langs`` given when there is no header.
Alternatives inside a cell are separated by ``/`` and a parenthesised short form (``long short-term memory (LSTM)``)
counts as another spelling.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from amts.errors import InputError
from amts.fsio import read_text
from amts.languages import TRANSLATE_LANGUAGES
from amts.translate.terminology import csv_rows

_NAME_LANGS = re.compile(r"\.([A-Za-z]{2}(?:-[A-Za-z]{2})?)[-_]([A-Za-z]{2}(?:-[A-Za-z]{2})?)\.[A-Za-z]+$")
_GLOSSARY_SEPARATORS = ("，", "\t", " | ", ",")
_PAREN = re.compile(r"\s*[(（]([^)）]+)[)）]\s*")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Lexicon:
    """Term pairs between ``lang_a`` and ``lang_b``; each entry holds the spellings of one term on each side."""

    lang_a: str
    lang_b: str
    entries: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
    path: str = "<lexicon>"

    def oriented(self, src_lang: str, tgt_lang: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """Entries as (source spellings, target spellings) for this direction; an error if the languages differ."""
        if (self.lang_a, self.lang_b) == (src_lang, tgt_lang):
            return list(self.entries)
        if (self.lang_b, self.lang_a) == (src_lang, tgt_lang):
            return [(b, a) for a, b in self.entries]
        raise InputError(
            f"lexicon is {self.lang_a}-{self.lang_b} but the texts are {src_lang}-{tgt_lang}", path=self.path
        )


def _spellings(cell: str) -> tuple[str, ...]:
    forms: list[str] = []
    for part in cell.split("/"):
        short = _PAREN.findall(part)
        main = _PAREN.sub(" ", part).strip()
        for form in [main, *short]:
            form = " ".join(form.split())
            if form and form not in forms:
                forms.append(form)
    return tuple(forms)


def _check_langs(langs: Sequence[str], path: str) -> tuple[str, str]:
    if len(langs) != 2 or any(code not in TRANSLATE_LANGUAGES for code in langs) or langs[0] == langs[1]:
        raise InputError(f"expected two different language codes for the lexicon, got {list(langs)!r}", path=path)
    return langs[0], langs[1]


def parse_lexicon(text: str, *, path: str = "<lexicon>", langs: Sequence[str] | None = None) -> Lexicon:
    """Parse lexicon text (see the module docstring); ``path`` names the file in errors and picks the format."""
    suffix = Path(path).suffix.lower()
    text = text.lstrip("\ufeff")
    rows: list[tuple[int, list[str]]] = []
    if suffix in (".csv", ".tsv"):
        try:
            records = csv_rows(text, delimiter="\t" if suffix == ".tsv" else ",")
        except InputError as exc:
            raise InputError(exc.message, path=path, line=exc.line) from None
        rows = [(number, row) for number, row in records if any(cell.strip() for cell in row)]
        if rows and langs is None and all(cell.strip() in TRANSLATE_LANGUAGES for cell in rows[0][1][:2]):
            langs = [cell.strip() for cell in rows[0][1][:2]]
            rows = rows[1:]
    else:
        for number, line in enumerate(_LINE_BREAK.split(text), start=1):
            line = line.strip()
            if not line or line.startswith(("#", "<!--", "|-", "---")):
                continue
            for separator in _GLOSSARY_SEPARATORS:
                if separator in line:
                    rows.append((number, [cell.strip(" |") for cell in line.split(separator, 1)]))
                    break
            else:
                raise InputError(
                    f"expected 'term，term' (two terms separated by '，' or a tab), got {line!r}",
                    path=path,
                    line=number,
                )
    if langs is None:
        match = _NAME_LANGS.search(Path(path).name)
        if match is None:
            raise InputError(
                "cannot tell the lexicon's languages: name the file like NAME.zh-en.md or add a header row "
                "of language codes (e.g. 'en,zh')",
                path=path,
            )
        langs = [match.group(1), match.group(2)]
    lang_a, lang_b = _check_langs(langs, path)
    entries: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    for number, row in rows:
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise InputError("expected two non-empty terms on this row", path=path, line=number)
        entries.append((_spellings(row[0]), _spellings(row[1])))
    if not entries:
        raise InputError("the lexicon has no term pairs", path=path)
    return Lexicon(lang_a, lang_b, tuple(entries), path)


def load_lexicon(path: str | Path, *, langs: Sequence[str] | None = None) -> Lexicon:
    """Read a lexicon file (glossary markdown, CSV or TSV)."""
    return parse_lexicon(read_text(path), path=str(path), langs=langs)


class TermMatcher:
    """Finds which lexicon entries occur in a sentence of one language, as anchor tokens ``lex:N``."""

    def __init__(self, terms: Sequence[tuple[str, ...]]) -> None:
        by_form: dict[str, int] = {}
        for index, forms in enumerate(terms):
            for form in forms:
                by_form.setdefault(form.lower(), index)
        self._index = by_form
        ordered = sorted(by_form, key=len, reverse=True)
        cjk = [re.escape(form) for form in ordered if _CJK.search(form)]
        latin = [re.escape(form) for form in ordered if not _CJK.search(form)]
        parts = []
        if latin:
            parts.append(r"(?<![\w-])(?P<latin>" + "|".join(latin) + r")(?:e?s)?(?![\w-])")
        if cjk:
            parts.append("(?P<cjk>" + "|".join(cjk) + ")")
        self._pattern = re.compile("|".join(parts), re.IGNORECASE) if parts else None

    def find(self, sentence: str) -> list[str]:
        if self._pattern is None:
            return []
        found = []
        for match in self._pattern.finditer(sentence):
            form = match.group(match.lastgroup or 0)
            found.append(f"lex:{self._index[form.lower()]}")
        return found
