"""Machine translation for the one-shot ``amts sync``: a named callable ``(texts, src, tgt) -> texts``.

``offline_translator`` sends the MT units the way the pipeline does: as book-model segments in
Translate-ready HTML (``amts.sync.stage``), through the translate area's offline engines (Apertium where it
is installed for the pair, else its marked pseudo-translation), and back through ``from_html`` so protected
spans come back byte-identical. ``PseudoTranslator`` is this package's own clearly marked fallback.
"""

from __future__ import annotations

from dataclasses import dataclass

from amts.sync.stage import stage_units, unstage_translations


@dataclass(frozen=True)
class PseudoTranslator:
    """Not a translation: ``[pseudo en→zh] text``. Markdown and protected spans stay as written."""

    name: str = "sync-pseudo"

    def __call__(self, texts: list[str], source_lang: str, target_lang: str) -> list[str]:
        return [f"[pseudo {source_lang}→{target_lang}] {text}" for text in texts]


@dataclass(frozen=True)
class StandInTranslator:
    """The translate area's offline engine chain, fed with the same HTML a Translate batch job would get."""

    name: str

    def __call__(self, texts: list[str], source_lang: str, target_lang: str) -> list[str]:
        from amts.book import to_html
        from amts.translate.markup import parse_html

        from amts_local.engines.chain import ApertiumEngine, standin_chain, translate_document

        staged = stage_units(texts)
        chain = standin_chain(source_lang, target_lang, apertium=ApertiumEngine())
        html_out, _, _ = translate_document(parse_html(to_html(staged.document)), chain, source_lang, target_lang)
        return unstage_translations(staged, html_out, fallback=PseudoTranslator()(texts, source_lang, target_lang))


def offline_translator(source_lang: str, target_lang: str) -> StandInTranslator | PseudoTranslator:
    """The best offline engine for the pair: Apertium (real MT) when installed, else a marked pseudo engine."""
    try:
        from amts_local.engines.chain import ApertiumEngine
    except ImportError:  # the translate area is optional for sync: fall back to this package's pseudo engine
        return PseudoTranslator()
    if ApertiumEngine().supports(source_lang, target_lang):
        return StandInTranslator(name="apertium (offline stand-in)")
    return StandInTranslator(name="pseudo (offline stand-in)")
