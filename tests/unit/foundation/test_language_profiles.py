"""Language profiles: one place for what AMTS does differently per language (issue 19)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from amts.language_profiles import PROFILES, embeddings_cover, length_ratio, profile, sentence_separator

REPO = Path(__file__).resolve().parents[3]


def test_every_d2l_language_has_its_own_profile() -> None:
    for code in ("en", "zh", "zh-TW", "es", "ja", "ko", "pt", "tr", "vi"):
        assert not profile(code).generic
        assert profile(code).translate_code == code


def test_a_language_without_a_profile_gets_the_labelled_generic_default() -> None:
    generic = profile("nl")
    assert generic.generic
    assert "generic" in generic.name
    assert generic.length_ratio is None
    assert generic.bleu_tokenizer == "13a"
    assert generic.formality  # Translate's support comes from its lists, not from the profile


@pytest.mark.parametrize(
    ("code", "formality", "profanity", "tokenizer"),
    [
        ("ja", True, True, "ja-mecab"),
        ("ko", True, True, "ko-mecab"),
        ("zh", False, True, "zh"),
        ("zh-TW", False, True, "zh"),
        ("pt", False, True, "13a"),
        ("tr", False, True, "13a"),
        ("vi", False, False, "13a"),
        ("es", True, True, "13a"),
    ],
)
def test_translate_support_and_bleu_tokenizer(code: str, formality: bool, profanity: bool, tokenizer: str) -> None:
    rules = profile(code)
    assert (rules.formality, rules.profanity_masking, rules.bleu_tokenizer) == (formality, profanity, tokenizer)
    assert rules.to_dict()["act"] is True


def test_separators_follow_the_script() -> None:
    assert [sentence_separator(c) for c in ("zh", "zh-TW", "ja", "ko", "vi", "en")] == ["", "", "", " ", " ", " "]


def test_turkish_lower_case_pairs_dotted_and_dotless_i() -> None:
    assert profile("tr").lower("IŞIK İNCE") == "ışık ince"
    assert profile("en").lower("I") == "i"


def test_embedding_coverage_and_length_ratios() -> None:
    assert embeddings_cover("en", "zh")
    assert not embeddings_cover("en", "vi")
    assert length_ratio("en", "zh") == pytest.approx(0.422)
    assert length_ratio("zh", "en") == pytest.approx(1 / 0.422)
    assert length_ratio("en", "es") is None  # no Spanish corpus: fitted from the input


def test_measured_ratios_match_the_script_output() -> None:
    # The profiles hold the values scripts/language_ratios.py wrote, rounded to three decimals.
    measured = {
        row["lang"]: row["ratio_of_sums"]
        for row in json.loads((REPO / "bench/results/language-ratios.json").read_text())
    }
    for code, ratio in measured.items():
        assert PROFILES[code].length_ratio == pytest.approx(ratio, abs=0.0005), code
        assert "language_ratios.py" in PROFILES[code].length_ratio_source
