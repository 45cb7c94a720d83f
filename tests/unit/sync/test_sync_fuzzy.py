"""Fuzzy reuse: an English sentence that changed by a word or two keeps its human translation, marked with the
English change; a reworded sentence goes to MT. Expectations written by hand for the project's own sentences."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from amts.book import parse
from amts.book.skeleton import check_skeleton
from amts.sync import TranslationMemory
from amts.sync.apply import SyncResult
from amts.sync.fuzzy import similarity, word_diff

from tests.unit.sync.conftest import RecordingTranslator, sync_texts

OLD_SOURCE = """\
# Convex Functions

Let us start with a simple problem. We want the smallest value of a function.

A function is convex when every chord lies above its graph. This model is convex.

The idea goes back a long way (see Smith, 2020). It was refined by :cite:`Lee.2021`.

We use the squared error in this section because it is easy to differentiate.
"""

OLD_TARGET = """\
# 凸函数

让我们从一个简单的问题开始。我们想求一个函数的最小值。

如果每条弦都位于函数图像之上，这个函数就是凸函数。这个模型是凸的。

这个想法由来已久（见Smith，2020）。 :cite:`Lee.2021`对它做了改进。

本节使用平方误差，因为它很容易求导。
"""


def sync(new_source: str, aligner: Any, **options: Any) -> tuple[SyncResult, RecordingTranslator]:
    translator = RecordingTranslator()
    memory = TranslationMemory(source_lang="en", target_lang="zh")
    result = sync_texts(OLD_SOURCE, OLD_TARGET, new_source, memory, translator, aligner, **options)
    check = check_skeleton(parse(result.markdown, path="out.md"), parse(new_source, path="new.md"))
    assert check.differences == []
    return result, translator


CASES = [
    # (old English, new English, expected class, a text the marker's change shows). The paragraph citing Smith and
    # Lee is one Chinese sentence for two English ones: its change keeps or updates both sentences at once.
    ("Let us start with a simple problem.", "Let's start with a simple problem.", "fuzzy_kept", "Let us → Let's"),
    ("We want the smallest value of a function.", "We want the smallest value of the function.", "fuzzy_kept",
     "a → the"),
    ("The idea goes back a long way (see Smith, 2020).", "The idea goes back a long way (see Smith 2020).",
     "fuzzy_kept", "Smith, → Smith"),
    ("This model is convex.", "This model is not convex.", "fuzzy_kept", "+ not"),
    ("It was refined by :cite:`Lee.2021`.", "It was refined by :cite:`Lee.2022`.", "markup_updated", ""),
    ("We use the squared error in this section because it is easy to differentiate.",
     "Squared losses dominate here since their gradients take one line of code.", "mt", ""),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "kind", "change"), CASES)
def test_each_kind_of_change_is_kept_fuzzily_carried_or_translated(
    aligner: Any, old: str, new: str, kind: str, change: str
) -> None:
    # Given one English sentence changed
    result, translator = sync(OLD_SOURCE.replace(old, new), aligner)
    # Then it falls in the expected class, and only the reworded one reaches MT
    classes = {name: figures.sentences for name, figures in result.report.sentence_classes.items()}
    assert classes.get(kind) == (2 if "Smith" in old or "Lee" in old else 1), classes
    assert translator.sent == ([new] if kind == "mt" else [])
    if kind == "fuzzy_kept":
        # the human sentence is kept, and its marker shows the English change
        [item] = [i for i in result.report.review if "fuzzy-kept" in i.reasons]
        assert change in item.changes
        assert "〔机翻〕" not in result.markdown


def test_a_negation_is_never_cosmetic() -> None:
    assert similarity("This model is convex.", "This model is not convex.") < 1.0
    assert word_diff("This model is convex.", "This model is not convex.") == "+ not"


def test_every_fuzzy_kept_sentence_has_a_marker_with_its_change(aligner: Any) -> None:
    new_source = OLD_SOURCE
    for old, new, kind, _ in CASES:
        if kind == "fuzzy_kept":
            new_source = new_source.replace(old, new)
    result, _ = sync(new_source, aligner)
    kept = result.report.sentence_classes["fuzzy_kept"].sentences
    changes = [change for item in result.report.review for change in item.changes.split("; ") if change]
    assert kept == 5  # four changed sentences, one of them translated together with its neighbour
    assert len(changes) == 4  # one change per kept translation
    assert result.markdown.count(" | change: ") == 4
    assert all(item.changes for item in result.report.review if "fuzzy-kept" in item.reasons)


def test_below_the_threshold_the_sentence_goes_to_mt(aligner: Any) -> None:
    new_source = OLD_SOURCE.replace("This model is convex.", "This model is not convex.")
    result, translator = sync(new_source, aligner, fuzzy_threshold=0.95)
    assert translator.sent == ["This model is not convex."]
    assert "fuzzy_kept" not in result.report.sentence_classes
    _, translator = sync(new_source, aligner, fuzzy_threshold=None)
    assert translator.sent == ["This model is not convex."]


def test_an_mt_suggestion_goes_into_the_marker_when_asked_for(aligner: Any) -> None:
    new_source = OLD_SOURCE.replace("This model is convex.", "This model is not convex.")
    result, translator = sync(new_source, aligner, suggestions=True)
    # The human sentence stays in the text; the MT of the new English is offered in the marker
    assert "这个模型是凸的。" in result.markdown
    assert translator.sent == ["This model is not convex."]
    [item] = [i for i in result.report.review if "fuzzy-kept" in i.reasons]
    assert item.suggestion == "〔机翻〕This model is not convex."
    assert result.report.suggestion_chars == len("This model is not convex.")
    assert result.report.mt_chars == 0


def test_a_fuzzy_kept_sentence_is_still_marked_on_the_next_sync_until_a_person_edits_it(
    aligner: Any, tmp_path: Path
) -> None:
    new_source = OLD_SOURCE.replace("This model is convex.", "This model is not convex.")
    memory = TranslationMemory(source_lang="en", target_lang="zh")
    first = sync_texts(OLD_SOURCE, OLD_TARGET, new_source, memory, RecordingTranslator(), aligner, file="c.md")
    # The memory knows the kept text is unconfirmed
    [entry] = [e for e in memory.entries.values() if e.origin == "fuzzy"]
    assert entry.note == "+ not"
    # A re-sync keeps the marker
    again = sync_texts(new_source, first.markdown, new_source, memory, RecordingTranslator(), aligner, file="c.md")
    assert [i.changes for i in again.report.review] == ["+ not"]
    # Once a reviewer fixed the sentence (and removed the marker), it is theirs: no marker, and a later change of
    # that English keeps it flagged instead of re-translating it
    fixed = first.markdown.replace("这个模型是凸的。", "这个模型不是凸的。")
    fixed = "\n".join(line for line in fixed.split("\n") if "amts:review" not in line).replace("\n\n\n", "\n\n")
    confirmed = sync_texts(new_source, fixed, new_source, memory, RecordingTranslator(), aligner, file="c.md")
    assert confirmed.report.review == []
    assert "这个模型不是凸的。" in confirmed.markdown


def test_a_pending_marker_keeps_its_figures_over_repeated_syncs(aligner: Any) -> None:
    """Given a translation with a marker a reviewer has not dealt with yet (two reasons, two changes, an MT
    suggestion) before a paragraph whose English then changes only in its markup, sync after sync
    When the chapter is synced three times
    Then the marker is written again each time with its own figures: its characters are not added up per reason,
    and its segments, changes and suggestion stay."""
    marker = (
        "<!-- amts:review reasons=fuzzy-kept,references-placed segments=s0004 chars=50 fuzzy=1:50"
        " | change: line → chord | suggestion: 〔机翻〕弦在图像上方 | change: + every -->"
    )
    target = OLD_TARGET.replace("这个想法由来已久", f"{marker}\n\n这个想法由来已久")
    memory = TranslationMemory(source_lang="en", target_lang="zh")
    source = OLD_SOURCE
    keys = ["Lee.2021", "Lee.2019", "Lee.2018", "Lee.2017"]
    for step in range(3):
        new_source = source.replace(keys[step], keys[step + 1])
        result = sync_texts(source, target, new_source, memory, RecordingTranslator(), aligner, file="c.md")
        assert [line for line in result.markdown.split("\n") if "amts:review" in line] == [marker]
        source, target = new_source, result.markdown
