"""A translation cut off, or missing a passage: the part only one side has is left out and counted, never paired
with unrelated text (parallel data must not teach ACT wrong pairs)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from amts.align.documents import extract_pairs
from amts.book import parse

from tests.clirun import run_cli, tree_hashes

# Written for this test: sixteen paragraphs of a chapter and their translation, paragraph for paragraph.
EN = [
    "# Data Loaders",
    "Training reads the data many times, so reading it quickly matters as much as the model itself.",
    "A data loader cuts the dataset into minibatches and hands them to the training loop one at a time.",
    "Shuffling the examples before every epoch keeps the model from learning the order of the file.",
    "Reading images from disk is slow, so the loader decodes the next batch while the current one trains.",
    "Several worker processes can share this work when one core cannot keep up with the accelerator.",
    "Each worker holds its own copy of the dataset object, which is why that object should stay small.",
    "The last batch of an epoch may be shorter than the others unless we ask the loader to drop it.",
    "## Transforms",
    "A transform changes each example on the way into the batch, for instance by cropping an image.",
    "Random crops and flips give the model slightly different views of the same picture in every epoch.",
    "Normalization subtracts the mean of each color channel and divides by its standard deviation.",
    "Transforms that depend on random numbers need their own seed in every worker process.",
    "## Summary",
    "A good loader keeps the accelerator busy: it shuffles, batches, transforms and reads ahead.",
    "Measure the time spent waiting for data before buying a faster accelerator.",
]
ZH = [
    "# 数据加载器",
    "训练会多次读取数据，所以读取速度和模型本身一样重要。",
    "数据加载器把数据集切成小批量，并一次一个地交给训练循环。",
    "在每个迭代周期之前打乱样本，可以防止模型学到文件中的顺序。",
    "从磁盘读取图像很慢，所以加载器在训练当前批量时解码下一个批量。",
    "当一个核心跟不上加速器时，多个工作进程可以分担这项工作。",
    "每个工作进程都持有数据集对象的一份副本，因此这个对象应当保持小巧。",
    "除非我们要求加载器丢弃它，一个迭代周期的最后一个批量可能比其他批量短。",
    "## 变换",
    "变换在每个样本进入批量的途中改变它，例如裁剪一张图像。",
    "随机裁剪和翻转让模型在每个迭代周期看到同一张图片略有不同的样子。",
    "归一化减去每个颜色通道的均值，再除以它的标准差。",
    "依赖随机数的变换在每个工作进程中都需要自己的种子。",
    "## 小结",
    "好的加载器让加速器一直忙碌：它打乱、分批、变换并提前读取。",
    "在购买更快的加速器之前，先测量等待数据所花的时间。",
]


def markdown(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs) + "\n"


def test_a_translation_cut_off_halfway_gives_only_pairs_of_its_first_half(tmp_path: Path) -> None:
    # Given the English chapter and a translation that stops after the first section
    en, zh = tmp_path / "en.md", tmp_path / "zh.md"
    en.write_text(markdown(EN), encoding="utf-8")
    zh.write_text(markdown(ZH[:8]), encoding="utf-8")
    before = tree_hashes(en, zh)
    out, report = tmp_path / "pairs.csv", tmp_path / "stats.json"
    # When sentence pairs are extracted
    result = run_cli(["pairs", str(en), str(zh), "--src", "en", "--tgt", "zh", "-o", str(out), "--report", str(report)])
    # Then every pair is a paragraph and its own translation, none from the untranslated half
    assert result.status == 0, result
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    expected = {(e.lstrip("# "), z.lstrip("# ")) for e, z in zip(EN[:8], ZH[:8], strict=True)}
    assert rows[0] == ["en", "zh"]
    assert {tuple(row) for row in rows[1:]} <= expected
    assert len(rows) - 1 >= 6
    # and the untranslated half is left out and counted in the report, with where it is (the heading right after
    # the cut goes with the last translated paragraph, and is left unpaired sentence by sentence)
    stats = json.loads(report.read_text(encoding="utf-8"))
    assert stats["dropped"]["segment in a one-sided region"] == 7
    assert stats["dropped"]["unpaired sentence (1-0/0-1 bead)"] == 1
    assert stats["one_sided_regions"] == [
        f"{en}: source s0010-s0016, target none: no counterpart on the other side; left out"
    ]
    assert "one-sided region" in result.out
    assert tree_hashes(en, zh) == before


def test_a_passage_missing_in_the_middle_is_left_out() -> None:
    # Given a translation that lost the three paragraphs on transforms' effects (a copy-paste accident)
    src = parse(markdown(EN), path="en.md")
    tgt = parse(markdown(ZH[:9] + ZH[12:]), path="zh.md")
    # When pairs are extracted, then nothing of the missing passage is paired and the rest still is
    pairs = extract_pairs(src, tgt, src_lang="en", tgt_lang="zh")
    kept = {(p.src, p.tgt) for p in pairs.pairs}
    expected = {(e.lstrip("# "), z.lstrip("# ")) for e, z in zip(EN, ZH, strict=True)}
    assert kept <= expected
    assert not {p.src for p in pairs.pairs} & set(EN[9:12])
    assert len(kept) >= 10
    # and the passage is counted and located in the report
    assert pairs.stats.dropped["segment in a one-sided region"] == 3
    assert pairs.stats.one_sided_regions == [
        "en.md: source s0010-s0012, target none: no counterpart on the other side; left out"
    ]


def test_a_complete_translation_is_not_touched() -> None:
    pairs = extract_pairs(parse(markdown(EN), path="en.md"), parse(markdown(ZH), path="zh.md"), src_lang="en",
                          tgt_lang="zh")  # fmt: skip
    assert len(pairs.pairs) == len(EN)
    assert pairs.stats.one_sided_regions == []
