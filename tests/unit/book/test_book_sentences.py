"""Sentence segmentation for en, zh, es and the default rules."""

from __future__ import annotations

import pytest
from amts.book import parse, segment_sentences, segments, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three? Four.", ["One.", "Two!", "Three?", "Four."]),
        ("Use tokens, e.g. words. Next one.", ["Use tokens, e.g. words.", "Next one."]),
        ("Words, i.e., tokens. See Fig. 3 and Eq. 4 here.", ["Words, i.e., tokens.", "See Fig. 3 and Eq. 4 here."]),
        ("As Brown et al. Showed it. Done.", ["As Brown et al. Showed it.", "Done."]),
        ("Apples vs. Pears. cf. Sec. Two.", ["Apples vs. Pears. cf. Sec. Two."]),
        ("Pi is 3.14 and v1.0.2 works. Yes.", ["Pi is 3.14 and v1.0.2 works.", "Yes."]),
        ("H. G. Wells wrote it. Then.", ["H. G. Wells wrote it.", "Then."]),
        ("It ends. (See below.) Next.", ["It ends. (See below.)", "Next."]),
        ("It ends. 2 more. and lower.", ["It ends. 2 more. and lower."]),
        ('He said "stop." Then left.', ['He said "stop."', "Then left."]),
        ("Wrapped\nlines. Are\njoined? No.", ["Wrapped\nlines.", "Are\njoined?", "No."]),
        ("Mark it. (**The slide text.**) Next.", ["Mark it.", "(**The slide text.**)", "Next."]),
        ("See [**this. Here**] now.", ["See [**this.", "Here**] now."]),
        ('Keep "3. Configure Instance" as it is. Next.', ['Keep "3. Configure Instance" as it is.', "Next."]),
        ("The answer is 42. Next.", ["The answer is 42.", "Next."]),
    ],
)
def test_english(text: str, expected: list[str]) -> None:
    assert split_sentences(text, "en") == expected


def test_never_split_inside_protected_spans() -> None:
    text = "Run `x = f(a). Then b` now. Math $a. B$ stays. Call :numref:`sec_a. B` too."
    assert split_sentences(text, "en") == [
        "Run `x = f(a). Then b` now.",
        "Math $a. B$ stays.",
        "Call :numref:`sec_a. B` too.",
    ]


def test_a_sentence_may_start_with_code_or_math() -> None:
    assert split_sentences("It works. `x` is set. $y$ is too.", "en") == ["It works.", "`x` is set.", "$y$ is too."]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "我们读取数据。然后训练模型！结果如何？很好；继续",
            ["我们读取数据。", "然后训练模型！", "结果如何？", "很好；", "继续"],
        ),
        ("他说：“好的。”然后离开了。", ["他说：“好的。”", "然后离开了。"]),
        ("词表$\\mathcal{V}$中。前$10$个（如图所示）。", ["词表$\\mathcal{V}$中。", "前$10$个（如图所示）。"]),
        ("函数`f(x)。y`很好。(**下面的函数**)。完成。", ["函数`f(x)。y`很好。", "(**下面的函数**)。", "完成。"]),
        ("共有100个。2019年发布。", ["共有100个。2019年发布。"]),
        ("Mixed text. 中文句子。", ["Mixed text.", "中文句子。"]),
        # An item number before a Latin period is no sentence end: "3. ", "（3. ", "第6. "
        (
            "保留“3. Configure Instance”（3. 配置实例）的默认配置。点击第6. 步。",
            ["保留“3. Configure Instance”（3. 配置实例）的默认配置。", "点击第6. 步。"],
        ),
    ],
)
def test_chinese(text: str, expected: list[str]) -> None:
    assert split_sentences(text, "zh") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¿Qué es? Es un modelo. ¡Muy bien!", ["¿Qué es?", "Es un modelo.", "¡Muy bien!"]),
        (
            "Usamos p. ej. palabras, véase la Fig. 2. Luego más.",
            ["Usamos p. ej. palabras, véase la Fig. 2.", "Luego más."],
        ),
        ("El Sr. Pérez llegó. Ella también.", ["El Sr. Pérez llegó.", "Ella también."]),
    ],
)
def test_spanish(text: str, expected: list[str]) -> None:
    assert split_sentences(text, "es") == expected


def test_default_rules_for_other_languages() -> None:
    assert split_sentences("Das ist gut. Wir sehen z. B. mehr.", "de") == ["Das ist gut.", "Wir sehen z. B. mehr."]
    assert split_sentences("これはペンです。あれは本です。", "ja") == ["これはペンです。", "あれは本です。"]


def test_segment_sentences_give_offsets_into_the_segment_text() -> None:
    doc = parse("* First one. Second `a. B` one.\n  Third one.\n")
    (segment,) = segments(doc)
    sentences = segment_sentences(segment, "en")
    assert [sentence.text for sentence in sentences] == ["First one.", "Second `a. B` one.", "Third one."]
    for sentence in sentences:
        assert segment.text[sentence.start : sentence.end] == sentence.text


def test_empty_and_whitespace_text() -> None:
    assert split_sentences("", "en") == []
    assert split_sentences("  \n ", "zh") == []
