"""Sentence rules of each language profile, on sentences the project wrote itself (issue 19)."""

from __future__ import annotations

import pytest
from amts.book import split_sentences


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # Japanese: full-width stops with no space after them, closing brackets kept with their sentence.
        (
            "ja",
            "これは本です。「それは何？」と彼は聞いた。次へ進みます！",
            ["これは本です。", "「それは何？」と彼は聞いた。", "次へ進みます！"],
        ),
        (
            "ja",
            "モデルを訓練します（詳しくは後述）。結果を見ましょう。",
            ["モデルを訓練します（詳しくは後述）。", "結果を見ましょう。"],
        ),
        # Korean: Latin punctuation between Hangul sentences, which are separated by spaces.
        (
            "ko",
            "모델을 학습합니다. 결과는 좋습니까? 네, 좋습니다!",
            ["모델을 학습합니다.", "결과는 좋습니까?", "네, 좋습니다!"],
        ),
        ("ko", "값은 0.5 입니다. 다음 절을 보세요.", ["값은 0.5 입니다.", "다음 절을 보세요."]),
        # Vietnamese: Latin script with diacritics; an upper-case Đ starts a sentence.
        (
            "vi",
            "Mô hình hội tụ nhanh. Đây là kết quả. Ví dụ, v.v. được dùng.",
            ["Mô hình hội tụ nhanh.", "Đây là kết quả.", "Ví dụ, v.v. được dùng."],
        ),
        # Turkish: dotted and dotless capitals start sentences; abbreviations such as "örn." and "bkz." do not end one.
        (
            "tr",
            "Model eğitildi. İkinci adım kolaydır. Isınma süresi kısadır.",
            ["Model eğitildi.", "İkinci adım kolaydır.", "Isınma süresi kısadır."],
        ),
        (
            "tr",
            "Bazı yöntemler (örn. Adam) hızlıdır. Ayrıntılar için bkz. Bölüm 3.",
            ["Bazı yöntemler (örn. Adam) hızlıdır.", "Ayrıntılar için bkz. Bölüm 3."],
        ),
        # Portuguese: "Sr." and "p. ex." are abbreviations, not sentence ends.
        (
            "pt",
            "O Sr. Silva treinou o modelo. Use um otimizador, p. ex. Adam, para isso. Fim.",
            ["O Sr. Silva treinou o modelo.", "Use um otimizador, p. ex. Adam, para isso.", "Fim."],
        ),
        # Traditional Chinese: full-width punctuation and 「」 quotes.
        (
            "zh-TW",
            "我們訓練模型。「這是什麼？」結果很好；繼續吧！",
            ["我們訓練模型。", "「這是什麼？」", "結果很好；", "繼續吧！"],
        ),
    ],
)
def test_each_language_profile_segments_its_own_script(lang: str, text: str, expected: list[str]) -> None:
    assert split_sentences(text, lang) == expected


def test_a_language_without_a_profile_gets_the_generic_rules() -> None:
    # Given a language with no profile of its own (Dutch) / Then the generic Latin rules apply, common abbreviations
    assert split_sentences("Zie fig. 3 voor details. Het werkt.", "nl") == ["Zie fig. 3 voor details.", "Het werkt."]


def test_korean_no_longer_cuts_at_a_mark_without_a_space() -> None:
    # Korean is written with spaces: "3.14" or "a.b" inside a sentence is no sentence end.
    assert split_sentences("파이는 약 3.14입니다. 끝입니다.", "ko") == ["파이는 약 3.14입니다.", "끝입니다."]
