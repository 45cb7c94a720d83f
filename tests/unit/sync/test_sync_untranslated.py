"""MT units that come back as their English are marked and counted ``untranslated``, never passed off as MT."""

from __future__ import annotations

from typing import Any

from amts.evaluate.models import ReviewClass
from amts.sync import TranslationMemory, apply_sync, scan_markers
from amts.sync.review_rows import ChapterFiles, chapter_rows

from tests.unit.sync.test_sync_plan import NEW_SOURCE, make_plan


def _memory() -> TranslationMemory:
    return TranslationMemory(source_lang="en", target_lang="zh")


def test_a_unit_left_in_english_is_marked_untranslated_not_machine_translation(aligner: Any) -> None:
    plan = make_plan(aligner)
    first, second = plan.units
    translations = {first.id: "典型的例子包括预测成本和预测需求。", second.id: second.text}  # the second fell back

    result = apply_sync(plan, translations, _memory())

    assert result.report.untranslated_units == 1
    assert result.report.untranslated_chars == len(second.text)
    items = scan_markers(result.markdown, file="linreg.md")
    english = next(item for item in items if item.excerpt == second.text)
    assert "untranslated" in english.reasons
    assert "machine-translation" not in english.reasons  # nothing of that block is machine translation
    assert english.counts["untranslated"] == [1, len(second.text)]
    assert "mt" not in english.counts
    translated = next(item for item in items if "典型的例子" in item.excerpt)
    assert "untranslated" not in translated.reasons
    assert "machine-translation" in translated.reasons


def test_a_fully_translated_plan_has_no_untranslated_marker(aligner: Any) -> None:
    plan = make_plan(aligner)
    result = apply_sync(plan, {unit.id: f"〔译文{n}〕" for n, unit in enumerate(plan.units)}, _memory())

    assert result.report.untranslated_units == 0
    assert all("untranslated" not in item.reasons for item in scan_markers(result.markdown, file="linreg.md"))


def test_the_review_page_classes_english_blocks_as_untranslated(aligner: Any) -> None:
    plan = make_plan(aligner)
    result = apply_sync(plan, {unit.id: unit.text for unit in plan.units}, _memory())

    rows = chapter_rows(
        ChapterFiles(chapter="linreg.md", file="linreg.md", translation=result.markdown, source=NEW_SOURCE)
    )
    classes: set[ReviewClass] = {name for row in rows for name in row.classes}
    assert "untranslated" in classes
    english = [row for row in rows if "untranslated" in row.classes]
    assert {row.translation.strip() for row in english} >= {unit.text for unit in plan.units[1:]}
    assert all("machine-translated" not in row.classes for row in english)
