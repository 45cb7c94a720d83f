"""``amts score`` no longer scores what it cannot vouch for: a hypothesis that covers too little of its reference
(a truncated translation scored 100), or one that is another text altogether (two chapters scored against each
other). Both are refused in one line, exit 2; coverage is shown next to every score."""

from __future__ import annotations

import json
from pathlib import Path

from amts.book import parse
from amts.evaluate.scoring import DocumentPair, score_document_pairs

from tests.clirun import files_under, run_cli, tree_hashes

REFERENCE = [
    "# Training a small network",
    "A network learns by comparing its predictions with the labels and adjusting its weights a little at a time.",
    "The loss function measures how far the predictions are from the labels on one minibatch of examples.",
    "Gradient descent moves every weight against the gradient of the loss, scaled by the learning rate.",
    "If the learning rate is too large the loss jumps around, and if it is too small training takes forever.",
    "After each epoch we evaluate the network on held-out data to see whether it generalizes beyond training.",
    "When the validation loss stops improving while the training loss keeps falling, the network overfits.",
    "Weight decay and dropout are two common ways of keeping a network from memorizing its training data.",
    "## Summary",
    "Training repeats three steps: predict, measure the loss, and update the weights along the gradient.",
]
# The same chapter as another translator might word it.
HYPOTHESIS = [
    "# Training a small network",
    "A network learns by comparing its predictions to the labels and changing its weights a little each time.",
    "The loss function measures how far predictions are from the labels on a minibatch of examples.",
    "Gradient descent moves each weight against the gradient of the loss, scaled by the learning rate.",
    "If the learning rate is too big the loss jumps around; if it is too small, training takes very long.",
    "After each epoch we evaluate the network on held-out data to check whether it generalizes.",
    "When the validation loss stops improving but the training loss keeps falling, the network overfits.",
    "Weight decay and dropout are two usual ways to stop a network from memorizing its training data.",
    "## Summary",
    "Training repeats three steps: predict, measure the loss, and update the weights following the gradient.",
]
OTHER_CHAPTER = [
    "# Baking bread at home",
    "Bread needs only flour, water, salt and yeast, but the order and timing of each step matter a great deal.",
    "Knead the dough for ten minutes until it feels smooth and springs back slowly when you press it.",
    "Let it rise in a warm corner of the kitchen until it has roughly doubled in size, about an hour.",
    "Shape the loaf gently so that the gas trapped inside the dough is not pressed out again.",
    "Bake it in a very hot oven with a tray of water underneath, which keeps the crust from setting too early.",
    "A hollow sound when you tap the bottom of the loaf tells you that the bread is baked through.",
    "Wait until it has cooled before slicing, or the crumb will be gummy and hard to cut cleanly.",
    "## Summary",
    "Good bread comes from patience: a long rise, careful shaping and a hot oven with some steam.",
]


def chapter(path: Path, paragraphs: list[str]) -> Path:
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


def test_a_complete_translation_is_scored_with_its_coverage(tmp_path: Path) -> None:
    hyp, ref = chapter(tmp_path / "hyp.md", HYPOTHESIS), chapter(tmp_path / "ref.md", REFERENCE)
    result = run_cli(["score", "--hyp", str(hyp), "--ref", str(ref), "--tgt", "en", "--json"])
    assert result.status == 0, result
    report = json.loads(result.out)
    assert report["documents"][0]["pairing"]["coverage"] == 1.0
    assert report["run"]["coverage"] == 1.0
    assert report["documents"][0]["relatedness"] > 0.8


def test_a_truncated_translation_is_refused(tmp_path: Path) -> None:
    # Given a translation that stops after its first two thirds
    hyp, ref = chapter(tmp_path / "hyp.md", REFERENCE[:6]), chapter(tmp_path / "ref.md", REFERENCE)
    before = tree_hashes(hyp, ref)
    # When it is scored (it would get BLEU 100 on what is there)
    result = run_cli(["score", "--hyp", str(hyp), "--ref", str(ref), "--tgt", "en", "-o", str(tmp_path / "out")])
    # Then it is refused in one line naming it and how much of the reference it covers, and nothing is written
    assert result.status == 2
    assert result.error_line == (
        f"amts score: error: {hyp}: only 6 of the 10 translated segments of {ref} (60%) have a hypothesis, below "
        "the minimum coverage of 80% (a truncated or partial translation?); not scored (--min-coverage 0 scores "
        "it anyway)"
    )
    assert tree_hashes(hyp, ref) == before
    assert files_under(tmp_path / "out") == []
    # and with the minimum lowered, the score is printed beside its coverage
    lowered = run_cli(["score", "--hyp", str(hyp), "--ref", str(ref), "--tgt", "en", "--min-coverage", "0"])
    assert lowered.status == 0
    assert "document  " + str(hyp) in lowered.out
    assert " 60% " in lowered.out.splitlines()[2]


def test_two_different_chapters_are_refused_as_unrelated(tmp_path: Path) -> None:
    hyp, ref = chapter(tmp_path / "hyp.md", OTHER_CHAPTER), chapter(tmp_path / "ref.md", REFERENCE)
    result = run_cli(["score", "--hyp", str(hyp), "--ref", str(ref), "--tgt", "en", "--min-bleu", "1"])
    assert result.status == 2
    line = result.error_line
    assert line.startswith(f"amts score: error: {hyp}: looks unrelated to {ref}: sampled segment pairs have a median")
    assert line.endswith("(below 0.55); not scored")


def test_in_a_folder_an_unrelated_document_is_left_out_and_named(tmp_path: Path) -> None:
    # Given two translated chapters, one of which is another text altogether
    for side, texts in (("hyp", (HYPOTHESIS, OTHER_CHAPTER)), ("ref", (REFERENCE, REFERENCE))):
        (tmp_path / side).mkdir()
        chapter(tmp_path / side / "a.md", texts[0])
        chapter(tmp_path / side / "b.md", texts[1])
    # When the folders are scored
    report = score_document_pairs(
        [
            DocumentPair(
                hyp=parse((tmp_path / "hyp" / name).read_text(encoding="utf-8"), path=f"hyp/{name}"),
                ref=parse((tmp_path / "ref" / name).read_text(encoding="utf-8"), path=f"ref/{name}"),
            )
            for name in ("a.md", "b.md")
        ],
        tgt_lang="en",
        refuse_unrelated=True,
    )
    # Then only the related one counts, and the other is listed with the reason
    assert [doc.hyp_path for doc in report.documents] == ["hyp/a.md"]
    assert report.run.documents == 1
    assert len(report.left_out) == 1
    assert report.left_out[0].startswith("hyp/b.md: looks unrelated to ref/b.md")


# Chinese paragraphs are short in characters: the sample must still find them (wide characters count twice).
REFERENCE_ZH = [
    "# 训练一个小网络",
    "网络通过比较预测和标签来学习，每次只把权重调整一点点。",
    "损失函数衡量一个小批量样本上的预测离标签有多远。",
    "梯度下降让每个权重沿损失梯度的反方向移动，步长由学习率决定。",
    "学习率太大时损失会来回跳动，太小时训练会花很长时间。",
    "每轮训练之后，我们在留出的数据上评估网络是否能够泛化。",
    "## 小结",
    "训练不断重复三步：预测、计算损失、沿梯度更新权重。",
]
OTHER_CHAPTER_ZH = [
    "# 在家烤面包",
    "面包只需要面粉、水、盐和酵母，但每一步的顺序和时间都很重要。",
    "把面团揉十分钟，直到它摸起来光滑，按下去会慢慢弹回。",
    "让它在厨房温暖的角落里发酵，直到体积大约变成两倍。",
    "轻轻地给面包整形，这样面团里的气体就不会被挤出去。",
    "在很热的烤箱里烘烤，下面放一盘水，让外皮不会过早变硬。",
    "## 小结",
    "好面包来自耐心：长时间发酵、细心整形和带蒸汽的热烤箱。",
]


def test_two_different_chinese_chapters_are_refused_as_unrelated(tmp_path: Path) -> None:
    hyp, ref = chapter(tmp_path / "hyp.md", OTHER_CHAPTER_ZH), chapter(tmp_path / "ref.md", REFERENCE_ZH)
    result = run_cli(["score", "--hyp", str(hyp), "--ref", str(ref), "--tgt", "zh"])
    assert result.status == 2
    assert result.error_line.startswith(f"amts score: error: {hyp}: looks unrelated to {ref}")


def test_a_chinese_chapter_scored_against_itself_is_related(tmp_path: Path) -> None:
    hyp, ref = chapter(tmp_path / "hyp.md", REFERENCE_ZH), chapter(tmp_path / "ref.md", REFERENCE_ZH)
    result = run_cli(["score", "--hyp", str(hyp), "--ref", str(ref), "--tgt", "zh", "--json"])
    assert result.status == 0, result.err
    assert json.loads(result.out)["documents"][0]["relatedness"] > 0.95


def test_min_bleu_fails_when_the_score_covers_part_of_the_reference(tmp_path: Path) -> None:
    # Given a translation missing its last segment (coverage 90 %, above the refusal threshold)
    hyp, ref = chapter(tmp_path / "hyp.md", HYPOTHESIS[:-1]), chapter(tmp_path / "ref.md", REFERENCE)
    command = ["score", "--hyp", str(hyp), "--ref", str(ref), "--tgt", "en"]
    # When it is scored without and with --min-bleu
    plain, gated = run_cli(command), run_cli([*command, "--min-bleu", "10"])
    # Then the score is shown with its coverage, but it cannot pass --min-bleu
    assert plain.status == 0
    assert " 90% " in plain.out.splitlines()[2]
    assert gated.status == 1
    assert gated.out.splitlines()[-1].endswith(
        "does not pass --min-bleu 10: it scores only 90% of the reference segments"
    )
    # and a complete translation passes
    whole = chapter(tmp_path / "whole.md", HYPOTHESIS)
    assert run_cli(["score", "--hyp", str(whole), "--ref", str(ref), "--tgt", "en", "--min-bleu", "10"]).status == 0


def test_the_pipeline_scores_its_own_translation_without_the_relatedness_check(tmp_path: Path) -> None:
    # Given the pipeline's pseudo-translation of a chapter, which shares no words with the human reference
    pair = DocumentPair(
        hyp=parse("\n\n".join(OTHER_CHAPTER) + "\n", path="hyp.md"),
        ref=parse("\n\n".join(REFERENCE) + "\n", path="ref.md"),
    )
    # When it is scored as the pipeline does
    report = score_document_pairs([pair], tgt_lang="en")
    # Then it is scored (low), not left out
    assert report.left_out == []
    assert report.documents[0].relatedness is None
    assert report.run.segments == 10
