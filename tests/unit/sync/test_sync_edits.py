"""Controlled edits on a sample section: only what changed goes to MT, every other target byte is kept."""

from __future__ import annotations

from typing import Any

import pytest
from amts.book import BlockKind, parse, render, segments
from amts.sync import TranslationMemory
from amts.sync.engine import SyncResult, protected_length

from tests.unit.sync.conftest import RecordingTranslator, sync_texts, without_markers
from tests.unit.sync.samples import OLD_SOURCE, OLD_TARGET


def run(new_source: str, translator: RecordingTranslator, aligner: Any, **kwargs: Any) -> SyncResult:
    memory = kwargs.pop("memory", None) or TranslationMemory(source_lang="en", target_lang="zh")
    old_source = kwargs.pop("old_source", OLD_SOURCE)
    old_target = kwargs.pop("old_target", OLD_TARGET)
    return sync_texts(old_source, old_target, new_source, memory, translator, aligner, **kwargs)


def test_unchanged_source_keeps_the_target_byte_for_byte(translator: RecordingTranslator, aligner: Any) -> None:
    result = run(OLD_SOURCE, translator, aligner)

    assert result.markdown == OLD_TARGET
    assert translator.sent == []
    assert result.report.mt_chars == 0
    assert result.report.reused_chars == result.report.source_chars_total
    assert result.report.review == []


def test_edit_one_sentence_sends_exactly_that_sentence(translator: RecordingTranslator, aligner: Any) -> None:
    old_sentence = "Common examples include predicting prices and forecasting demand."
    new_sentence = "Typical examples include predicting house prices and forecasting sales."
    new_source = OLD_SOURCE.replace(old_sentence, new_sentence)

    result = run(new_source, translator, aligner)

    assert translator.sent == [new_sentence]
    assert result.report.mt_chars == pytest.approx(len(new_sentence), rel=0.05)
    restored = without_markers(result.markdown).replace(f"〔机翻〕{new_sentence}", "常见的例子包括预测价格和预测需求。")
    assert restored == OLD_TARGET  # every other target byte unchanged
    assert [item.reasons for item in result.report.review] == [["machine-translation"]]
    assert result.report.outcomes.partial_mt == 1
    assert result.report.origin_counts["machine"] == 1


def test_edit_one_line_of_a_wrapped_paragraph_keeps_the_line_layout(
    translator: RecordingTranslator, aligner: Any
) -> None:
    new_source = OLD_SOURCE.replace(
        "The weights determine the influence of each feature.", "The weights decide how much each feature matters."
    )

    result = run(new_source, translator, aligner)

    assert translator.sent == ["The weights decide how much each feature matters."]
    expected = OLD_TARGET.replace(
        "权重决定了每个特征的影响。", "〔机翻〕The weights decide how much each feature matters."
    )
    assert without_markers(result.markdown) == expected


def test_sentence_with_protected_spans_counts_them_as_placeholders(
    translator: RecordingTranslator, aligner: Any
) -> None:
    old = "We assume that the relationship between features $\\mathbf{x}$ and target $y$ is approximately linear."
    new = "We assume that the relation between the features $\\mathbf{x}$ and the target $y$ is nearly linear."
    result = run(OLD_SOURCE.replace(old, new), translator, aligner)

    assert translator.sent == [new]
    expected = protected_length(
        new, [(new.index("$\\math"), new.index("$ and") + 1), (new.index("$y$"), new.index("$y$") + 3)]
    )
    assert result.report.mt_chars == expected
    assert expected < len(new)


def test_inserted_paragraph_is_translated_and_nothing_else(translator: RecordingTranslator, aligner: Any) -> None:
    added = "Gradient descent updates the parameters step by step."
    new_source = OLD_SOURCE.replace("## Summary\n", f"{added}\n\n## Summary\n")

    result = run(new_source, translator, aligner)

    assert translator.sent == [added]
    assert f"〔机翻〕{added}\n\n## 小结" in result.markdown
    assert without_markers(result.markdown).replace(f"〔机翻〕{added}\n\n", "") == OLD_TARGET


def test_deleted_paragraph_disappears(translator: RecordingTranslator, aligner: Any) -> None:
    paragraph = (
        "The loss function quantifies the distance between the real and predicted values of the target. "
        "We use the squared error in this section.\n\n"
    )
    result = run(OLD_SOURCE.replace(paragraph, ""), translator, aligner)

    assert translator.sent == []
    assert result.markdown == OLD_TARGET.replace(
        "损失函数量化目标的实际值与预测值之间的差距。本节使用平方误差。\n\n", ""
    )
    assert result.report.blocks["deleted"] == 1


def test_moved_paragraph_moves_with_its_translation(translator: RecordingTranslator, aligner: Any) -> None:
    paragraph = (
        "The loss function quantifies the distance between the real and predicted values of the target. "
        "We use the squared error in this section.\n\n"
    )
    moved = OLD_SOURCE.replace(paragraph, "").replace("## Basics\n", f"{paragraph}## Basics\n")
    zh = "损失函数量化目标的实际值与预测值之间的差距。本节使用平方误差。\n\n"

    result = run(moved, translator, aligner)

    assert translator.sent == []
    assert result.markdown == OLD_TARGET.replace(zh, "").replace("## 基础\n", f"{zh}## 基础\n")
    assert result.report.blocks["moved"] == 1


def test_split_paragraph_reuses_the_sentences_of_the_original(translator: RecordingTranslator, aligner: Any) -> None:
    split = OLD_SOURCE.replace(
        "forecasting demand. Not every prediction problem", "forecasting demand.\n\nNot every prediction problem"
    )

    result = run(split, translator, aligner)

    assert translator.sent == []
    assert "预测需求。\n\n并非每个预测问题都是回归问题。\n" in result.markdown
    assert result.report.mt_chars == 0


def test_changed_code_cell_takes_the_new_code_and_is_flagged(translator: RecordingTranslator, aligner: Any) -> None:
    result = run(OLD_SOURCE.replace("x = np.arange(4)", "x = np.arange(8)"), translator, aligner)

    assert translator.sent == []
    assert "# load the data\nimport numpy as np\nx = np.arange(8)" in result.markdown
    assert "# 加载数据" not in result.markdown
    assert [item.reasons for item in result.report.review] == [["code-changed"]]
    assert result.report.flagged_code_cells == 1


def test_unchanged_code_cell_keeps_the_translated_comments(translator: RecordingTranslator, aligner: Any) -> None:
    result = run(OLD_SOURCE.replace("We use regression whenever", "We apply regression whenever"), translator, aligner)

    assert "# 加载数据\nimport numpy as np\nx = np.arange(4)" in result.markdown


def test_target_only_content_survives_a_change_next_to_it(translator: RecordingTranslator, aligner: Any) -> None:
    new_source = OLD_SOURCE.replace("defines many layers.", "offers layers of every common kind, ready to use.")

    result = run(new_source, translator, aligner)

    assert "在飞桨中，`nn`模块同样定义了许多层。" in result.markdown
    assert translator.sent == ["In PyTorch, the `nn` module offers layers of every common kind, ready to use."]


def test_list_item_edit_and_insert(translator: RecordingTranslator, aligner: Any) -> None:
    new_source = OLD_SOURCE.replace(
        "* They are trained by minimizing a loss.\n",
        "* They are trained by minimizing a loss.\n* They are easy to interpret.\n",
    )

    result = run(new_source, translator, aligner)

    assert translator.sent == ["They are easy to interpret."]
    assert (
        "* 线性模型简单而快速。\n* 它们通过最小化损失来训练。\n* 〔机翻〕They are easy to interpret.\n"
        in result.markdown
    )


def test_output_round_trips_and_markers_are_blocks_of_their_own(translator: RecordingTranslator, aligner: Any) -> None:
    new_source = OLD_SOURCE.replace("Not every prediction problem is", "Not every prediction task is")

    result = run(new_source, translator, aligner)

    doc = parse(result.markdown, path="out.md")
    assert render(doc) == result.markdown
    comments = [b for b in doc.blocks if b.kind is BlockKind.COMMENT]
    assert len(comments) == 1
    assert result.markdown[comments[0].start :].startswith("<!-- amts:review")
    # The marker is not part of any translatable segment, and the paragraph after it is intact.
    assert not any("amts:review" in s.text for s in segments(doc))
    assert any(s.text.startswith("每当我们想预测一个数值时") for s in segments(doc))


def test_code_cell_with_only_a_new_tab_marker_keeps_its_translated_comments(
    translator: RecordingTranslator, aligner: Any
) -> None:
    new_source = OLD_SOURCE.replace("```{.python .input}\n# load", "```{.python .input}\n#@tab all\n# load")

    result = run(new_source, translator, aligner)

    assert "```{.python .input}\n#@tab all\n# 加载数据\nimport numpy as np\n" in result.markdown
    assert result.report.review == []
    assert result.markdown == OLD_TARGET.replace(
        "```{.python .input}\n# 加载", "```{.python .input}\n#@tab all\n# 加载"
    )


REPEATED_OLD = "# Scaling\n\nWe scale the input $a$ first, and then we shift $a$ by one.\n"
REPEATED_TARGET = "# 缩放\n\n我们先缩放输入$a$，然后把$a$平移一个单位。\n"


def test_a_repeated_span_changes_where_the_english_changed_it(translator: RecordingTranslator, aligner: Any) -> None:
    """Given a sentence whose formula occurs twice, and an English edit of its second occurrence only
    When the chapter is synced
    Then the translation's second occurrence is the one changed, and nothing goes to MT."""
    new = REPEATED_OLD.replace("shift $a$", "shift $b$")

    result = sync_texts(REPEATED_OLD, REPEATED_TARGET, new, TranslationMemory(source_lang="en", target_lang="zh"),
                        translator, aligner)  # fmt: skip

    assert "我们先缩放输入$a$，然后把$b$平移一个单位。" in result.markdown
    assert translator.sent == []
    assert result.report.outcomes.markup_updated == 1


def test_a_span_the_translation_has_a_different_number_of_times_is_not_guessed(
    translator: RecordingTranslator, aligner: Any
) -> None:
    """Given a translation that wrote the repeated formula once (its second mention became "它")
    When the English changes its second occurrence
    Then no occurrence of the translation is changed by guesswork: the sentence is kept for a person, marked with
    the English change (a fuzzy match; it would be translated again without one)."""
    target = REPEATED_TARGET.replace("然后把$a$平移", "然后把它平移")
    new = REPEATED_OLD.replace("shift $a$", "shift $b$")

    result = sync_texts(REPEATED_OLD, target, new, TranslationMemory(source_lang="en", target_lang="zh"),
                        translator, aligner)  # fmt: skip

    assert "我们先缩放输入$a$，然后把它平移一个单位。" in result.markdown
    assert "reasons=fuzzy-kept segments=s0002 chars=55 fuzzy=1:55 | change: shift $a$ → shift $b$" in result.markdown
    assert result.report.outcomes.markup_updated == 0


def test_a_new_framework_cell_is_flagged_only_when_it_has_text_to_translate(
    translator: RecordingTranslator, aligner: Any
) -> None:
    """Given new English with two new cells for one framework (``#@tab pytorch``): one of plain code, one with a
    comment
    When the chapter is synced
    Then only the cell with the comment asks for a translator (``code-new``): the framework line is not text."""
    cells = (
        "```{.python .input}\n#@tab pytorch\nw = torch.zeros(4)\n```\n\n"
        "```{.python .input}\n#@tab pytorch\n# the weights start at zero\nb = torch.zeros(1)\n```\n\n"
    )
    new = OLD_SOURCE.replace("## Exercises\n", cells + "## Exercises\n")

    result = sync_texts(OLD_SOURCE, OLD_TARGET, new, TranslationMemory(source_lang="en", target_lang="zh"),
                        translator, aligner)  # fmt: skip

    flagged = [item for item in result.report.review if "code-new" in item.reasons]
    assert [item.excerpt for item in flagged] == ["```{.python .input}"]
    assert result.report.flagged_code_cells == 1
    assert "#@tab pytorch\nw = torch.zeros(4)" in result.markdown
