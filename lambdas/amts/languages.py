"""Language codes: the ones Amazon Translate accepts, and how AMTS names a language pair."""

from __future__ import annotations

from dataclasses import dataclass

from amts.errors import InputError

# Amazon Translate's supported language codes (Developer Guide, "Supported languages").
TRANSLATE_LANGUAGES: frozenset[str] = frozenset(
    [
        "af",
        "sq",
        "am",
        "ar",
        "hy",
        "az",
        "bn",
        "bs",
        "bg",
        "ca",
        "zh",
        "zh-TW",
        "hr",
        "cs",
        "da",
        "fa-AF",
        "nl",
        "en",
        "et",
        "fa",
        "tl",
        "fi",
        "fr",
        "fr-CA",
        "ka",
        "de",
        "el",
        "gu",
        "ht",
        "ha",
        "he",
        "hi",
        "hu",
        "is",
        "id",
        "ga",
        "it",
        "ja",
        "kn",
        "kk",
        "ko",
        "lv",
        "lt",
        "mk",
        "ms",
        "ml",
        "mt",
        "mr",
        "mn",
        "no",
        "ps",
        "pl",
        "pt",
        "pt-PT",
        "pa",
        "ro",
        "ru",
        "sr",
        "si",
        "sk",
        "sl",
        "so",
        "es",
        "es-MX",
        "sw",
        "sv",
        "ta",
        "te",
        "th",
        "tr",
        "uk",
        "ur",
        "uz",
        "vi",
        "cy",
    ]
)

# Languages written in Han, kana or Hangul (script checks, character-level matching); how each one segments and
# joins sentences is in its profile (amts.language_profiles): Korean, for one, puts spaces between sentences.
CJK_LANGUAGES: frozenset[str] = frozenset({"zh", "zh-TW", "ja", "ko"})


def check_language(code: str, *, what: str = "language code") -> str:
    """Return ``code`` if Amazon Translate supports it, else raise a clear error."""
    if code not in TRANSLATE_LANGUAGES:
        raise InputError(f"unknown {what} {code!r}; expected one of Amazon Translate's codes, e.g. en, zh, es")
    return code


@dataclass(frozen=True)
class LanguagePair:
    """A translation direction, e.g. ``en-zh``. Nothing assumes English is the source."""

    source: str
    target: str

    @classmethod
    def parse(cls, text: str) -> LanguagePair:
        for sep in ("-", ":", ">"):
            # Codes may contain a hyphen (zh-TW), so split on the separator that leaves two valid codes.
            parts = text.split(sep)
            for cut in range(1, len(parts)):
                src, tgt = sep.join(parts[:cut]), sep.join(parts[cut:])
                if src in TRANSLATE_LANGUAGES and tgt in TRANSLATE_LANGUAGES:
                    return cls._checked(src, tgt)
        raise InputError(f"bad language pair {text!r}; expected SRC-TGT with Amazon Translate codes, e.g. en-zh")

    @classmethod
    def _checked(cls, source: str, target: str) -> LanguagePair:
        check_language(source, what="source language")
        check_language(target, what="target language")
        if source == target:
            raise InputError(f"source and target language are both {source!r}")
        return cls(source, target)

    def __str__(self) -> str:
        return f"{self.source}-{self.target}"


def parse_pairs(text: str) -> list[LanguagePair]:
    """Parse ``en-zh,en-es`` into pairs, refusing duplicates."""
    pairs = [LanguagePair.parse(item.strip()) for item in text.split(",") if item.strip()]
    if not pairs:
        raise InputError("no language pairs given; expected e.g. en-zh,en-es")
    if len(set(pairs)) != len(pairs):
        raise InputError(f"duplicate language pair in {text!r}")
    return pairs
