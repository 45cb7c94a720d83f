"""The language sanity check behind 'wrong language' and 'mismatched language code' errors."""

from __future__ import annotations

import pytest
from amts.align.language_check import check_text_language, detect_problem
from amts.errors import InputError

from tests.unit.align.samples import EN, ES, ZH


def test_matching_languages_pass() -> None:
    assert detect_problem(" ".join(EN), "en") is None
    assert detect_problem("".join(ZH), "zh") is None
    assert detect_problem(" ".join(ES), "es") is None


def test_technical_chinese_with_many_latin_terms_is_still_chinese() -> None:
    assert detect_problem("我们使用PyTorch的`nn.Linear`在GPU上训练BERT和GPT模型。", "zh") is None


def test_swapped_scripts_are_detected() -> None:
    assert detect_problem("".join(ZH), "en") is not None
    assert detect_problem(" ".join(EN), "zh") is not None


def test_spanish_labelled_english_is_detected_by_function_words() -> None:
    text = " ".join(ES * 3)
    problem = detect_problem(text, "en")
    assert problem is not None
    assert "'es'" in problem


def test_error_names_the_file_and_the_option() -> None:
    with pytest.raises(InputError) as caught:
        check_text_language("".join(ZH), "en", path="a.txt", role="source")
    assert str(caught.value).startswith("a.txt: source language is 'en'")
