"""Bilingual lexicons (term pairs) used as alignment evidence.

Accepted inputs: the glossary dialects of ``amts.glossary`` (the book's ``TERMINOLOGY.zh-en.md``, or CSV/TSV with
a header row of language codes, or with ``langs`` given when there is no header).
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
from amts.glossary import parse_glossary

_PAREN = re.compile(r"\s*[(（]([^)）]+)[)）]\s*")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


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


def parse_lexicon(text: str, *, path: str = "<lexicon>", langs: Sequence[str] | None = None) -> Lexicon:
    """Parse lexicon text with the one glossary reader (``amts.glossary``); ``path`` names the file in errors and
    picks the dialect. A table with more than two languages gives its first two columns."""
    table = parse_glossary(text, path=path, languages=langs, what="lexicon")
    entries = tuple((_spellings(cells[0]), _spellings(cells[1])) for _, cells in table.rows)
    return Lexicon(table.languages[0], table.languages[1], entries, path)


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
