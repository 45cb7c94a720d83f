"""The offline engines the CLI uses: the translate area's stand-in, fed the same HTML a Translate job gets."""

from __future__ import annotations

import shutil

from amts_local.engines.sync import PseudoTranslator, StandInTranslator, offline_translator
from tests.system_packages import needs_system_package

TEXTS = ["Call `net.hybridize()` to compile the model.", "The loss is $\\ell(x)$ for every example :cite:`Smith.2020`."]


def test_stand_in_translation_keeps_protected_spans_byte_for_byte() -> None:
    translator = StandInTranslator(name="pseudo (offline stand-in)")

    translated = translator(TEXTS, "en", "zh")

    assert len(translated) == 2
    assert all(text.startswith("[pseudo en→zh]") for text in translated)
    assert "`net.hybridize()`" in translated[0]
    assert "$\\ell(x)$" in translated[1]
    assert ":cite:`Smith.2020`" in translated[1]


def test_units_that_would_not_stay_one_paragraph_still_get_a_translation() -> None:
    translated = StandInTranslator(name="pseudo (offline stand-in)")(["# not a heading here", "Plain."], "en", "zh")

    assert len(translated) == 2
    assert translated[1].startswith("[pseudo en→zh]")
    assert translated[0] == "[pseudo en→zh] # not a heading here"  # this package's own marked fallback


def test_pseudo_translator_is_clearly_marked() -> None:
    assert PseudoTranslator()(["Hello."], "en", "zh") == ["[pseudo en→zh] Hello."]


def _apertium_has_english_spanish() -> bool:
    from amts_local.engines.chain import ApertiumEngine

    return shutil.which("apertium") is not None and ApertiumEngine().supports("en", "es")


@needs_system_package(_apertium_has_english_spanish(), reason="Debian's apertium with eng-spa is not installed here")
def test_offline_translator_uses_apertium_for_english_to_spanish() -> None:
    translator = offline_translator("en", "es")

    (translated,) = translator(["The model is trained with `sgd` on the data."], "en", "es")

    assert translator.name.startswith("apertium")
    assert "`sgd`" in translated
    assert "modelo" in translated.lower()
