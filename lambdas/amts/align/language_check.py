"""Cheap checks that a text is written in the language it is said to be in (catches swapped or wrong codes)."""

from __future__ import annotations

import re

from amts.align.anchors import NON_LATIN_LANGUAGES
from amts.errors import InputError
from amts.languages import CJK_LANGUAGES

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_LATIN = re.compile(r"[A-Za-zÀ-ÿ]")
_WORD = re.compile(r"[a-záéíóúñü]+")
_CODE = re.compile(r"`[^`]*`|\$[^$]*\$|:\w+:`[^`]*`|https?://\S+|\([^)]*\.(?:svg|png|jpg|md)\)")
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the of and to is in that we for this are with as be by it an on can".split()),  # noqa: SIM905
    "es": frozenset("el la de que y los las en del se por un una para con es al lo como más".split()),  # noqa: SIM905
}


def script_shares(text: str) -> tuple[float, float]:
    """Share of CJK and of Latin letters among the letters of ``text`` (markup and code removed)."""
    plain = _CODE.sub(" ", text)
    cjk = len(_CJK.findall(plain))
    latin = len(_LATIN.findall(plain))
    total = cjk + latin
    return (cjk / total, latin / total) if total else (0.0, 0.0)


def detect_problem(text: str, lang: str) -> str | None:
    """A description of why ``text`` does not look like ``lang``, or None when it plausibly does."""
    cjk, latin = script_shares(text)
    if cjk == 0.0 and latin == 0.0:
        return None
    if lang in CJK_LANGUAGES:
        # Technical Chinese keeps many Latin terms, but its prose is mostly Hanzi.
        if cjk < 0.15:
            return f"the text is {cjk:.0%} CJK characters, which does not look like {lang!r}"
        return None
    if lang not in NON_LATIN_LANGUAGES and cjk > 0.3:
        return f"the text is {cjk:.0%} CJK characters, which does not look like {lang!r}"
    base = lang.split("-")[0]
    if base in _STOPWORDS:
        words = _WORD.findall(_CODE.sub(" ", text).lower())
        counts = {code: sum(1 for w in words if w in stops) for code, stops in _STOPWORDS.items()}
        own = counts[base]
        best_other = max((n, code) for code, n in counts.items() if code != base)
        if len(words) >= 30 and best_other[0] > 3 * max(own, 1):
            return f"the text looks like {best_other[1]!r}, not {lang!r} (function words)"
    return None


def check_text_language(text: str, lang: str, *, path: str, role: str) -> None:
    """Raise InputError naming the file when ``text`` does not look like ``lang``."""
    problem = detect_problem(text, lang)
    if problem is not None:
        raise InputError(f"{role} language is {lang!r} but {problem}; check --src/--tgt and the file order", path=path)
