"""The experiment engine backed by the Translate stand-in's engines, and the structural pair extractor."""

from __future__ import annotations

from amts.book import parse
from amts.evaluate.experiments import ParallelPair, structural_pairs

from amts_local.engines.experiments import standin_engine
from tests.unit.evaluate.eval_samples import EN_SECTION, ZH_SECTION


def test_without_parallel_data_the_stand_in_falls_back_and_says_so() -> None:
    engine = standin_engine("en", "zh")
    out = engine.translate_segments(["We count the words."], "en", "zh", None)
    assert out[0].startswith("[pseudo en→zh]")
    assert engine.usage is not None
    assert engine.usage() == {"pseudo": 1}
    assert "translation-memory" in engine.name


def test_with_parallel_data_the_memory_translates_exact_and_sentence_matches() -> None:
    engine = standin_engine("en", "zh")
    pairs = [ParallelPair("We count the words.", "我们统计单词。"), ParallelPair("It is simple.", "这很简单。")]
    out = engine.translate_segments(["We count the words.", "It is simple. Another one."], "en", "zh", pairs)
    assert out[0] == "我们统计单词。"
    assert out[1].startswith("这很简单。")
    assert engine.usage is not None
    usage = engine.usage()
    assert usage["translation-memory (exact)"] == 2
    assert usage["pseudo"] == 1


def test_structural_pairs_follow_segments_and_sentences() -> None:
    en, zh = parse(EN_SECTION, path="en.md"), parse(ZH_SECTION, path="zh.md")
    paragraphs = structural_pairs(en, zh, "en", "zh", "paragraph")
    assert ("Counting Words", "统计单词") in paragraphs
    assert ("A bar chart of word counts.", "单词计数的条形图。") in paragraphs
    # The jax and paddle tabs have no partner, so they give no pair
    assert not any("JAX" in src for src, _ in paragraphs)
    sentences = structural_pairs(en, zh, "en", "zh", "sentence")
    assert ("First item about tokens.", "关于词元的第一项。") in sentences
    assert len(sentences) >= len(paragraphs)
