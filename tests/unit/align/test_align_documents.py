"""Document alignment: structure anchors, one-sided tabs, one-sided paragraphs, confidence, bad input."""

from __future__ import annotations

import pytest
from amts.align.documents import PairOptions, align_documents, extract_pairs
from amts.book import parse
from amts.errors import InputError

from tests.unit.align.samples import EN, EN_MD, ZH, ZH_MD


def test_segments_link_by_structure_and_one_sided_tabs_are_listed() -> None:
    alignment = align_documents(parse(EN_MD, path="en.md"), parse(ZH_MD, path="zh.md"), src_lang="en", tgt_lang="zh")
    assert alignment.confidence > 0.4
    assert len(alignment.links) == 7  # title, 2 paragraphs, caption, paragraph, question, summary heading
    assert [reason for _, reason in alignment.src_unpaired] == ["tab jax only in the source document"]
    assert [reason for _, reason in alignment.tgt_unpaired] == ["tab paddle only in the target document"]


def test_extra_paragraph_on_one_side_is_left_out() -> None:
    note = "注意：本节的代码在GPU和CPU上都可以运行，运行时间大约为两分钟。"
    zh_md = ZH_MD.replace(f"{ZH[8]}\n", f"{note}\n\n{ZH[8]}\n")
    pair_set = extract_pairs(
        parse(EN_MD, path="en.md"), parse(zh_md, path="zh.md"), src_lang="en", tgt_lang="zh", granularity="sentence"
    )
    assert all(note not in pair.tgt for pair in pair_set.pairs)
    assert (EN[8], ZH[8]) in [(p.src, p.tgt) for p in pair_set.pairs]
    assert pair_set.stats.dropped["unpaired sentence (1-0/0-1 bead)"] == 1
    paragraphs = extract_pairs(
        parse(EN_MD, path="en.md"), parse(zh_md, path="zh.md"), src_lang="en", tgt_lang="zh", granularity="paragraph"
    )
    assert paragraphs.stats.dropped["target segment: no counterpart in the source document"] == 1
    assert all(note not in pair.tgt for pair in paragraphs.pairs)


def test_reverse_direction_and_paragraph_refs() -> None:
    pair_set = extract_pairs(
        parse(ZH_MD, path="zh.md"),
        parse(EN_MD, path="en.md"),
        src_lang="zh",
        tgt_lang="en",
        granularity="paragraph",
        options=PairOptions(embeddings="on"),
    )
    assert (ZH[1] + ZH[2], f"{EN[1]} {EN[2]}") in [(p.src, p.tgt) for p in pair_set.pairs]
    assert all(p.src_ref.startswith("zh.md#s") for p in pair_set.pairs)


def test_sentence_refs_are_file_offsets() -> None:
    doc = parse(EN_MD, path="en.md")
    pair_set = extract_pairs(doc, parse(ZH_MD, path="zh.md"), src_lang="en", tgt_lang="zh", granularity="sentence")
    pair = next(p for p in pair_set.pairs if p.src == EN[3])
    start, end = map(int, pair.src_ref.split(":")[1].split("-"))
    assert doc.text[start:end] == EN[3]


def test_document_without_translatable_text_is_refused() -> None:
    code_only = "```python\nprint(1)\n```\n"
    with pytest.raises(InputError, match="no translatable text"):
        align_documents(parse(code_only, path="code.md"), parse(ZH_MD, path="zh.md"), src_lang="en", tgt_lang="zh")


def test_paragraph_turned_into_a_sentence_and_a_list_still_pairs_sentences() -> None:
    en_md = f"# {EN[0]}\n\n{EN[1]} {EN[3]} {EN[4]}\n\n{EN[6]}\n"
    zh_md = f"# {ZH[0]}\n\n{ZH[1]}\n\n* {ZH[3]}\n* {ZH[4]}\n\n{ZH[6]}\n"
    pair_set = extract_pairs(
        parse(en_md, path="en.md"), parse(zh_md, path="zh.md"), src_lang="en", tgt_lang="zh", granularity="sentence"
    )
    pairs = [(p.src, p.tgt) for p in pair_set.pairs]
    for k in (0, 1, 3, 4, 6):
        assert (EN[k], ZH[k]) in pairs
