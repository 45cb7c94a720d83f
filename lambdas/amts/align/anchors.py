"""Language-independent anchors in a sentence: numbers, code, math, reference targets, URLs, Latin tokens.

Translations keep these tokens (Chinese often wraps plain numbers in ``$…$``), so two sentences that share
them are likely translations of each other, whatever the language pair.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from amts.languages import CJK_LANGUAGES

_ROLE = re.compile(r":(numref|eqref|ref|cite|citet|citep|label|eqlabel):`([^`]+)`")
_CODE = re.compile(r"`([^`]+)`")
_MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$]+)\$", re.DOTALL)
_URL = re.compile(r"https?://[^\s)\]>\"'，。）]+")
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])\d+(?:,\d{3})*(?:\.\d+)?(?![A-Za-z0-9_])")
_NUMERIC_MATH = re.compile(r"^[-+]?\d+(?:[.,]\d+)*%?$")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_.+][A-Za-z0-9]+)*")
_MATH_NOISE = re.compile(r"\\[,;!: ]|\{,\}|\s+")

# Scripts that do not use Latin letters for ordinary words: Latin tokens inside them are kept from the source.
NON_LATIN_LANGUAGES: frozenset[str] = CJK_LANGUAGES | frozenset(
    {"ar", "hy", "bn", "bg", "ka", "el", "gu", "he", "hi", "kn", "kk", "mk", "ml", "mr", "mn", "ps", "pa", "ru"}
    | {"sr", "si", "ta", "te", "th", "uk", "ur", "fa", "fa-AF", "am"}
)


@dataclass(frozen=True)
class SentenceAnchors:
    """Anchors of one sentence: exact tokens shared across languages, and the Latin words it contains."""

    tokens: Counter[str]
    latin: Counter[str]


def _number_key(text: str) -> str:
    digits = text.replace(",", "").rstrip("%")
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".") or "0"
    return "num:" + digits


def extract_anchors(sentence: str) -> SentenceAnchors:
    """Return the anchors of ``sentence``; each found construct is blanked so it is not counted twice."""
    tokens: Counter[str] = Counter()

    def role(match: re.Match[str]) -> str:
        for target in match.group(2).split(","):
            tokens["ref:" + target.strip()] += 1
        return " "

    def code(match: re.Match[str]) -> str:
        tokens["code:" + match.group(1).strip()] += 1
        return " "

    def math(match: re.Match[str]) -> str:
        body = _MATH_NOISE.sub("", match.group(1) or match.group(2) or "")
        if _NUMERIC_MATH.match(body):
            tokens[_number_key(body)] += 1
        elif body:
            tokens["math:" + body] += 1
        return " "

    def url(match: re.Match[str]) -> str:
        tokens["url:" + match.group(0).rstrip(".,;:")] += 1
        return " "

    text = _ROLE.sub(role, sentence)
    text = _CODE.sub(code, text)
    text = _URL.sub(url, text)
    text = _MATH.sub(math, text)
    for number in _NUMBER.findall(text):
        tokens[_number_key(number)] += 1
    stripped = text.rstrip(" \"'”’)）」』*")
    if stripped.endswith(("?", "？")):
        tokens["punct:question"] += 1
    elif stripped.endswith((":", "：")):
        tokens["punct:colon"] += 1
    latin = Counter(word.lower() for word in _LATIN_WORD.findall(text) if len(word) > 1 or word.isupper())
    return SentenceAnchors(tokens, latin)


def uses_latin_tokens(src_lang: str, tgt_lang: str) -> bool:
    """Latin words are anchors when exactly one side is written in another script (e.g. en-zh, zh-en)."""
    return (src_lang in NON_LATIN_LANGUAGES) != (tgt_lang in NON_LATIN_LANGUAGES)
