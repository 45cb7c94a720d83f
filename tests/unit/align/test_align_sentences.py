"""The sentence aligner: bead types, coverage, both directions, other language pairs, and no-embedding mode."""

from __future__ import annotations

from amts.align.beadio import check_coverage
from amts.align.models import Bead
from amts.align.sentences import AlignerParams, align_sentences
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.align.samples import EN, ES, ZH

NO_EMBEDDINGS = AlignerParams(use_embeddings=False)


def pairs(beads: list[Bead]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(b.src, b.tgt) for b in beads]


def test_parallel_text_aligns_one_to_one() -> None:
    beads = align_sentences(EN, ZH, src_lang="en", tgt_lang="zh")
    assert pairs(beads) == [((i,), (i,)) for i in range(len(EN))]


def test_chinese_to_english_works_the_same_way() -> None:
    beads = align_sentences(ZH, EN, src_lang="zh", tgt_lang="en")
    assert pairs(beads) == [((i,), (i,)) for i in range(len(EN))]


def test_english_spanish() -> None:
    beads = align_sentences(EN, ES, src_lang="en", tgt_lang="es")
    assert pairs(beads) == [((i,), (i,)) for i in range(len(EN))]


def test_merged_translation_gives_a_two_to_one_bead() -> None:
    # Given a translation that merges sentences 1 and 2 into one
    zh = [ZH[0], "每当我们想预测一个数值时，就会出现回归问题，例如预测房屋和股票的价格。", *ZH[3:]]
    beads = align_sentences(EN, zh, src_lang="en", tgt_lang="zh")
    assert ((1, 2), (1,)) in pairs(beads)
    check_coverage(beads, len(EN), len(zh))


def test_dropped_sentence_becomes_a_one_to_zero_bead() -> None:
    # Given a translation without sentence 4 (an added note in the source)
    zh = ZH[:4] + ZH[5:]
    beads = align_sentences(EN, zh, src_lang="en", tgt_lang="zh")
    assert ((4,), ()) in pairs(beads)
    assert ((5,), (4,)) in pairs(beads)


def test_added_sentence_becomes_a_zero_to_one_bead() -> None:
    zh = [*ZH[:6], "注意，这里的代码使用PyTorch实现。", *ZH[6:]]
    beads = align_sentences(EN, zh, src_lang="en", tgt_lang="zh")
    assert ((), (6,)) in pairs(beads)


def test_empty_side_gives_only_deletions() -> None:
    assert pairs(align_sentences(EN[:2], [], src_lang="en", tgt_lang="zh")) == [((0,), ()), ((1,), ())]
    assert align_sentences([], [], src_lang="en", tgt_lang="zh") == []


def test_length_and_anchors_alone_align_the_parallel_sample() -> None:
    beads = align_sentences(EN, ZH, src_lang="en", tgt_lang="zh", params=NO_EMBEDDINGS)
    assert sum(1 for b in pairs(beads) if len(b[0]) == len(b[1]) == 1 and b[0] == b[1]) >= 8


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(EN), min_size=0, max_size=12),
    st.lists(st.sampled_from(ZH), min_size=0, max_size=12),
)
def test_every_index_appears_exactly_once_in_order(src: list[str], tgt: list[str]) -> None:
    beads = align_sentences(src, tgt, src_lang="en", tgt_lang="zh", params=NO_EMBEDDINGS)
    check_coverage(beads, len(src), len(tgt))
    assert all(len(b.src) + len(b.tgt) <= 5 and len(b.src) <= 4 and len(b.tgt) <= 4 for b in beads)
