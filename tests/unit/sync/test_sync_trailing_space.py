"""A space at the end of an English line is not copied to the end of the translation's lines."""

from __future__ import annotations

from typing import Any

from amts.sync import TranslationMemory

from tests.unit.sync.conftest import RecordingTranslator, sync_texts, without_markers

OLD = "# Title\n\nFirst sentence here. Second sentence there. \n\nAnother paragraph.\n"
NEW = "# Title\n\nFirst sentence here. Second sentence there now. \n\nAnother paragraph.  \nA hard break above.\n"
TARGET = "# 标题\n\n第一句在这里。\n第二句在那里。\n\n另一段。\n"


def test_a_kept_translation_does_not_gain_the_english_trailing_space(aligner: Any) -> None:
    memory = TranslationMemory(source_lang="en", target_lang="zh")
    result = sync_texts(OLD, TARGET, NEW, memory, RecordingTranslator(), aligner)

    lines = without_markers(result.markdown).split("\n")
    assert "第二句在那里。" in lines  # the kept human line, without the English line's trailing space
    assert [line for line in lines if line.endswith(" ") and not line.endswith("  ")] == []


def test_the_space_after_a_heading_mark_or_list_marker_stays(aligner: Any) -> None:
    old = "# Fresh\n\n* One item. \n* Two items.\n"
    new = "# Fresh start\n\n* One item now. \n* Two items.\n"
    target = "# 新鲜\n\n* 一项。\n* 两项。\n"
    memory = TranslationMemory(source_lang="en", target_lang="zh")
    result = sync_texts(old, target, new, memory, RecordingTranslator(), aligner)

    lines = without_markers(result.markdown).split("\n")
    assert lines[0].startswith("# ")
    items = [line for line in lines if line.startswith("*")]
    assert len(items) == 2
    assert all(line.startswith("* ") and not line.endswith(" ") for line in items)
