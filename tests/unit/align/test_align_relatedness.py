"""Relatedness by sentence order: the test used where the embedding model was not trained on a language."""

from __future__ import annotations

import random

from amts.align.relatedness import MIN_SENTENCES, order_test


def _sentences(lengths: list[int], word: str, numbers: int = 0) -> list[str]:
    """Sentences of the given lengths; like technical prose, every third one carries a number."""
    return [" ".join([word] * n) + (f" {k * 7 + numbers}" if k % 3 == 0 else "") + "." for k, n in enumerate(lengths)]


def test_a_translation_follows_its_source_and_another_text_does_not() -> None:
    # Given 40 source sentences of varied length, a "translation" whose lengths and numbers follow them
    rng = random.Random(7)
    lengths = [rng.randint(3, 40) for _ in range(40)]
    source = _sentences(lengths, "word")
    translation = _sentences([max(1, round(n * 1.2)) for n in lengths], "từ")
    unrelated = _sentences([rng.randint(3, 40) for _ in range(42)], "từ", numbers=3)
    # Then the real pair gains a lot from its order, the unrelated pair nothing
    related = order_test(source, translation, src_lang="en", tgt_lang="vi")
    other = order_test(source, unrelated, src_lang="en", tgt_lang="vi")
    assert related.related is True, related
    assert related.gain > 0.1
    assert other.related is False


def test_too_short_texts_are_not_judged() -> None:
    short = _sentences(list(range(3, 3 + MIN_SENTENCES - 1)), "word")
    assert order_test(short, short, src_lang="en", tgt_lang="vi").related is None
