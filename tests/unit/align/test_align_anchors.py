"""Language-independent anchors: numbers (also wrapped in $…$), code, math, references, URLs, Latin tokens."""

from __future__ import annotations

from amts.align.anchors import extract_anchors, uses_latin_tokens


def test_chinese_math_wrapped_numbers_match_plain_english_numbers() -> None:
    zh = extract_anchors("我们取前$10$个词元，共$1,000$个样本。")
    en = extract_anchors("We take the first 10 tokens, 1,000 examples in all.")
    assert zh.tokens["num:10"] == en.tokens["num:10"] == 1
    assert zh.tokens["num:1000"] == en.tokens["num:1000"] == 1


def test_roles_code_math_and_urls_are_anchors() -> None:
    anchors = extract_anchors(
        "See :numref:`sec_rnn` and :cite:`A.2019,B.2020`, call `net(X)` on $\\mathbf{x}$ at https://d2l.ai/x.html."
    )
    for token in (
        "ref:sec_rnn",
        "ref:A.2019",
        "ref:B.2020",
        "code:net(X)",
        "math:\\mathbf{x}",
        "url:https://d2l.ai/x.html",
    ):
        assert anchors.tokens[token] == 1, token


def test_question_mark_is_an_anchor_in_both_scripts() -> None:
    assert extract_anchors("为什么？").tokens["punct:question"] == 1
    assert extract_anchors("Why?").tokens["punct:question"] == 1


def test_latin_tokens_inside_chinese_are_collected() -> None:
    anchors = extract_anchors("使用GPU训练BERT模型")
    assert set(anchors.latin) == {"gpu", "bert"}


def test_latin_tokens_are_used_only_across_scripts() -> None:
    assert uses_latin_tokens("en", "zh")
    assert uses_latin_tokens("zh", "en")
    assert not uses_latin_tokens("en", "es")
