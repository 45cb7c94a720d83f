"""The synced chapter has the new source's skeleton: nothing stale, nothing doubled, nothing lost.

Each case changes the sample section's English the way a book's authors do (rewritten code, a changed equation,
a renamed label, a new figure, slide marks) and checks the output as a translator would: every structural element
exactly as in the new English, the translators' text wherever its English did not change.
"""

from __future__ import annotations

from typing import Any

from amts.book import parse, segments
from amts.book.skeleton import check_skeleton
from amts.sync import TranslationMemory, sync_documents
from amts.sync.apply import SyncResult
from amts.sync.engine import empty_document

from tests.unit.sync.conftest import RecordingTranslator, sync_texts
from tests.unit.sync.samples import OLD_SOURCE, OLD_TARGET, translated

CODE = "```{.python .input}\n# load the data\nimport numpy as np\nx = np.arange(4)\n```"
ZH_CODE = "```{.python .input}\n# 加载数据\nimport numpy as np\nx = np.arange(4)\n```"


def run(
    new_source: str, aligner: Any, *, old_source: str = OLD_SOURCE, old_target: str = OLD_TARGET
) -> tuple[SyncResult, RecordingTranslator]:
    """The sync of ``old_source`` and ``old_target`` (the sample section) to ``new_source``, with an empty memory."""
    translator = RecordingTranslator()
    memory = TranslationMemory(source_lang="en", target_lang="zh")
    return sync_texts(old_source, old_target, new_source, memory, translator, aligner), translator


def assert_skeleton_of(result: SyncResult, new_source: str) -> None:
    check = check_skeleton(parse(result.markdown, path="out.md"), parse(new_source, path="new.md"))
    assert check.differences == []
    assert result.report.skeleton_differences == []


def test_rewritten_code_replaces_the_old_cell_and_nothing_stale_stays(aligner: Any) -> None:
    # Given the English cell rewritten (new code, a new comment)
    new_code = "```{.python .input}\n# make the inputs\nimport numpy as np\nx = np.linspace(0, 1, 4)\n```"
    new_source = OLD_SOURCE.replace(CODE, new_code)
    # When synced
    result, translator = run(new_source, aligner)
    # Then the new cell is there once, the old code nowhere, and the lost translated comment is flagged
    assert result.markdown.count("np.linspace(0, 1, 4)") == 1
    assert "np.arange(4)" not in result.markdown
    assert "# 加载数据" not in result.markdown
    assert [item.reasons for item in result.report.review] == [["code-changed"]]
    assert translator.sent == []
    assert_skeleton_of(result, new_source)


def test_a_stale_cell_only_the_translation_has_is_left_out_and_reported(aligner: Any) -> None:
    # Given a translation with one more pytorch cell, which the English never had
    stale = "```{.python .input}\n#@tab pytorch\nimport torch\nx = torch.arange(4)\n```"
    old_target = OLD_TARGET.replace(ZH_CODE, f"{ZH_CODE}\n\n{stale}")
    # When the unchanged English is synced
    result, _ = run(OLD_SOURCE, aligner, old_target=old_target)
    # Then the output has the English's cells only, the translated one kept, and the stale one listed
    assert "torch.arange" not in result.markdown
    assert ZH_CODE in result.markdown
    assert [block.kind for block in result.report.dropped_blocks] == ["code"]
    assert_skeleton_of(result, OLD_SOURCE)


def test_a_changed_equation_appears_once_with_its_label(aligner: Any) -> None:
    old = "$$\\hat{y} = \\mathbf{w}^\\top \\mathbf{x} + b.$$\n:eqlabel:`eq_linreg`"
    new = "$$\\hat{y} = \\mathbf{x}^\\top \\mathbf{w} + b.$$\n:eqlabel:`eq_linreg`"
    new_source = OLD_SOURCE.replace(old, new)

    result, translator = run(new_source, aligner)

    assert result.markdown.count(":eqlabel:`eq_linreg`") == 1
    assert new in result.markdown
    assert "\\mathbf{w}^\\top \\mathbf{x}" not in result.markdown
    assert translator.sent == []
    assert_skeleton_of(result, new_source)


def test_a_renamed_label_and_its_references_follow_the_english(aligner: Any) -> None:
    # Given a label renamed in the heading and a sentence that refers to it
    old_sentence = "We use the squared error in this section."
    new_sentence = "We use the squared error in :numref:`sec_linear_regression`."
    source_with_ref = OLD_SOURCE.replace(old_sentence, "We use the squared error in :numref:`sec_linreg`.")
    target_with_ref = OLD_TARGET.replace("本节使用平方误差。", "本节使用 :numref:`sec_linreg`中的平方误差。")
    new_source = source_with_ref.replace(":label:`sec_linreg`", ":label:`sec_linear_regression`").replace(
        "We use the squared error in :numref:`sec_linreg`.", new_sentence
    )
    # When synced
    result, translator = run(new_source, aligner, old_source=source_with_ref, old_target=target_with_ref)
    # Then the new label is in place, the Chinese sentence keeps its words with the new target, and nothing is MT
    assert ":label:`sec_linear_regression`" in result.markdown
    assert "sec_linreg`" not in result.markdown
    assert "本节使用 :numref:`sec_linear_regression`中的平方误差。" in result.markdown
    assert translator.sent == []
    assert result.report.outcomes.markup_updated == 1
    assert_skeleton_of(result, new_source)


def test_a_new_figure_is_added_with_its_label_and_a_translated_caption(aligner: Any) -> None:
    figure = "![The loss as a function of the weight.](../img/loss-curve.svg)\n:label:`fig_loss_curve`"
    new_source = OLD_SOURCE.replace("## Summary\n", f"{figure}\n\n## Summary\n")

    result, translator = run(new_source, aligner)

    assert translator.sent == ["The loss as a function of the weight."]
    assert "![〔机翻〕The loss as a function of the weight.](../img/loss-curve.svg)\n:label:`fig_loss_curve`" in (
        result.markdown
    )
    assert_skeleton_of(result, new_source)


def test_a_translation_only_tab_is_kept_and_flagged_when_its_english_neighbour_changes(aligner: Any) -> None:
    paddle = "在飞桨中，`nn`模块同样定义了许多层。"
    # Unchanged English around it: kept, no marker
    unchanged, _ = run(OLD_SOURCE.replace("Not every prediction", "Not every single prediction"), aligner)
    assert paddle in unchanged.markdown
    assert "translator-only-stale" not in unchanged.markdown
    # The pytorch tab's English changed: kept, flagged as probably stale
    new_source = OLD_SOURCE.replace("defines many layers.", "defines many kinds of layers.")
    changed, _ = run(new_source, aligner)
    assert paddle in changed.markdown
    assert any("translator-only-stale" in item.reasons for item in changed.report.review)
    assert_skeleton_of(changed, new_source)


def test_slide_marks_added_in_the_english_are_added_to_the_human_sentence_and_nothing_is_sent(aligner: Any) -> None:
    old = "The weights determine the influence of each feature."
    new_source = OLD_SOURCE.replace(old, f"[**{old}**]")

    result, translator = run(new_source, aligner)

    assert translator.sent == []
    assert result.markdown == OLD_TARGET.replace("权重决定了每个特征的影响。", "[**权重决定了每个特征的影响**]。")
    assert result.report.mt_chars == 0
    assert result.report.sentence_classes["markup_updated"].sentences == 1
    assert_skeleton_of(result, new_source)


def test_whitespace_only_changes_keep_everything_silently(aligner: Any) -> None:
    new_source = OLD_SOURCE.replace("The weights determine the influence", "The weights  determine\nthe influence")

    result, translator = run(new_source, aligner)

    assert translator.sent == []
    assert result.markdown == OLD_TARGET
    assert "markup_updated" not in result.report.sentence_classes


def test_a_sentence_moved_from_a_deleted_paragraph_keeps_its_translation(aligner: Any) -> None:
    # The loss paragraph is deleted; its second sentence reappears in the Summary list
    paragraph = (
        "The loss function quantifies the distance between the real and predicted values of the target. "
        "We use the squared error in this section.\n\n"
    )
    new_source = OLD_SOURCE.replace(paragraph, "").replace(
        "* They are trained by minimizing a loss.\n",
        "* They are trained by minimizing a loss.\n* We use the squared error in this section.\n",
    )

    result, translator = run(new_source, aligner)

    assert translator.sent == []
    assert "* 本节使用平方误差。\n" in result.markdown
    assert "损失函数量化" not in result.markdown
    assert_skeleton_of(result, new_source)


def test_a_new_chapter_is_translated_whole_with_every_block_marked() -> None:
    translator = RecordingTranslator()
    memory = TranslationMemory(source_lang="en", target_lang="zh")
    nothing = empty_document("new.md")

    result = sync_documents(nothing, nothing, parse(OLD_SOURCE, path="new.md"), memory, translator)

    assert_skeleton_of(result, OLD_SOURCE)
    output = parse(result.markdown, path="out.md")
    blocks_with_text = {segment.block_path[0] for segment in segments(output)}
    # Every block with machine text has its own marker; code cells with comments are marked too
    machine = [item for item in result.report.review if "machine-translation" in item.reasons]
    assert len(machine) == len(blocks_with_text)
    assert [item.reasons for item in result.report.review if "code-new" in item.reasons] == [["code-new"]]


# -- what the book's own build (d2lbook) needs ---------------------------------------------------------------------
TABBED_SOURCE = """\
# Layers

Every framework builds the layer its own way.

```{.python .input}
#@tab mxnet
# make a dense layer
layer = nn.Dense(4)
```

```{.python .input}
#@tab pytorch
# make a linear layer
layer = nn.Linear(8, 4)
```

The layer is ready.
"""

# Its translation, whose pytorch cell also serves paddle.
TABBED_TARGET = translated(
    TABBED_SOURCE,
    {
        "# Layers": "# 层",
        "Every framework builds the layer its own way.": "每个框架都以自己的方式构建层。",
        "# make a dense layer": "# 构造一个全连接层",
        "#@tab pytorch\n# make a linear layer": "#@tab pytorch, paddle\n# 构造一个线性层",
        "The layer is ready.": "层已经准备好了。",
    },
)


def test_a_marker_never_splits_a_run_of_framework_cells(aligner: Any) -> None:
    # Given both framework cells rewritten: each needs a look
    new_source = TABBED_SOURCE.replace("nn.Dense(4)", "nn.Dense(4, use_bias=False)").replace(
        "nn.Linear(8, 4)", "nn.Linear(8, 4, bias=False)"
    )
    result, _ = run(new_source, aligner, old_source=TABBED_SOURCE, old_target=TABBED_TARGET)
    # Then one marker before the run carries both reasons; d2lbook keeps the cells in one tab switcher
    output = parse(result.markdown, path="out.md")
    kinds = [b.kind.value for b in output.blocks if b.kind.value != "blank"]
    assert kinds == ["heading", "paragraph", "comment", "code", "code", "code", "paragraph"]
    assert [item.reasons for item in result.report.review] == [["code-changed", "translator-only-stale"]]


def test_a_replaced_cell_that_also_served_paddle_stays_for_paddle(aligner: Any) -> None:
    new_source = TABBED_SOURCE.replace("nn.Linear(8, 4)", "nn.Linear(8, 4, bias=False)")
    result, _ = run(new_source, aligner, old_source=TABBED_SOURCE, old_target=TABBED_TARGET)
    # The pytorch cell is the new English one; the old one stays as the paddle cell (flagged), nothing else lost
    assert "#@tab pytorch\n# make a linear layer\nlayer = nn.Linear(8, 4, bias=False)" in result.markdown
    assert "#@tab paddle\n# 构造一个线性层\nlayer = nn.Linear(8, 4)\n```" in result.markdown
    assert "# 构造一个全连接层" in result.markdown  # the unchanged mxnet cell keeps its translated comment
    assert_skeleton_of(result, new_source)


def test_a_new_framework_marker_keeps_the_frameworks_only_the_translation_has(aligner: Any) -> None:
    new_source = TABBED_SOURCE.replace("#@tab pytorch\n", "%%tab pytorch\n")
    result, _ = run(new_source, aligner, old_source=TABBED_SOURCE, old_target=TABBED_TARGET)
    assert "%%tab pytorch, paddle\n# 构造一个线性层\n" in result.markdown
    assert result.report.review == []


def test_an_unmarked_cell_of_the_translation_is_the_default_framework_not_its_own(aligner: Any) -> None:
    # Given a translation with an extra cell that has no framework marker (the book's default framework)
    old_target = TABBED_TARGET.replace("层已经准备好了。", "```{.python .input}\nprint(layer)\n```\n\n层已经准备好了。")
    result, _ = run(TABBED_SOURCE, aligner, old_source=TABBED_SOURCE, old_target=old_target)
    # Then it is stale structure the English does not have: left out and reported, not kept as translator-only
    assert "print(layer)" not in result.markdown
    assert [block.kind for block in result.report.dropped_blocks] == ["code"]


def test_a_cell_for_all_frameworks_is_the_english_one_never_the_translators_own(aligner: Any) -> None:
    # Given an old English cell for every framework (``#@tab all``) that the new English splits per framework
    shared_cell = "```{.python .input}\n#@tab all\nprint(layer.shape)\n```\n\n"
    old_source = TABBED_SOURCE.replace("The layer is ready.", shared_cell + "The layer is ready.")
    old_target = TABBED_TARGET.replace("层已经准备好了。", shared_cell + "层已经准备好了。")
    per_framework = "".join(
        f"```{{.python .input}}\n#@tab {name}\nprint(layer.{attribute})\n```\n\n"
        for name, attribute in (("mxnet", "shape"), ("pytorch", "weight.shape"))
    )
    new_source = TABBED_SOURCE.replace("The layer is ready.", per_framework + "The layer is ready.")
    # Then the check sees the stale cell in the old translation ("all" is no framework only the translators have)
    before = check_skeleton(parse(old_target, path="old.md"), parse(new_source, path="new.md"))
    assert before.translator_only == 0
    assert ("extra", "code", "print(layer.shape)") in [(d.problem, d.kind, d.shown) for d in before.differences]
    # And the sync leaves it out for the new English cells instead of keeping stale code beside new code
    result, _ = run(new_source, aligner, old_source=old_source, old_target=old_target)
    assert "#@tab all" not in result.markdown
    assert "#@tab mxnet\nprint(layer.shape)" in result.markdown
    assert "#@tab pytorch\nprint(layer.weight.shape)" in result.markdown
    assert_skeleton_of(result, new_source)


def test_a_reference_after_machine_text_is_set_off_by_a_space(aligner: Any) -> None:
    # Given a Chinese paragraph whose second sentence starts with a reference, and a changed first sentence
    old = "Every framework builds the layer its own way. :numref:`fig_layer` shows the result.\n"
    old_source = TABBED_SOURCE.replace("Every framework builds the layer its own way.\n", old)
    old_target = TABBED_TARGET.replace(
        "每个框架都以自己的方式构建层。\n", "每个框架都以自己的方式构建层。:numref:`fig_layer`展示了结果。\n"
    )
    new_source = old_source.replace("Every framework builds the layer its own way.", "Frameworks differ a lot here.")
    result, _ = run(new_source, aligner, old_source=old_source, old_target=old_target)
    # Then the kept sentence's reference is not glued to the machine text (reStructuredText would not see it)
    assert "〔机翻〕Frameworks differ a lot here. :numref:`fig_layer`展示了结果。" in result.markdown


def test_a_sentence_the_translator_merged_into_a_changed_neighbour_is_not_lost(aligner: Any) -> None:
    # Given two English sentences that the translator rendered as one Chinese sentence, and the first rewritten
    old_source = TABBED_SOURCE.replace(
        "Every framework builds the layer its own way.\n",
        "Every framework builds the layer its own way. The results agree to six decimals.\n",
    )
    old_target = TABBED_TARGET.replace(
        "每个框架都以自己的方式构建层。\n", "每个框架都以自己的方式构建层，结果精确到小数点后六位都一致。\n"
    )
    new_source = old_source.replace("Every framework builds the layer its own way.", "Frameworks differ a lot here.")
    result, translator = run(new_source, aligner, old_source=old_source, old_target=old_target)
    assert "结果精确到小数点后六位都一致" not in result.markdown  # the shared translation went with the change
    # Then the unchanged second sentence is translated again with the first (its only translation was shared with
    # the changed one), rather than silently dropped
    assert translator.sent == ["Frameworks differ a lot here. The results agree to six decimals."]
