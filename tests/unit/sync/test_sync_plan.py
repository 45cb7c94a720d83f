"""The two-phase API: a plan survives JSON, MT units stage as book-model segments, changes are detected."""

from __future__ import annotations

from typing import Any

import pytest
from amts.book import parse, segments, to_html
from amts.errors import InputError
from amts.sync import SyncPlan, TranslationMemory, apply_sync, detect_changes, plan_sync
from amts.sync.stage import stage_units, unstage_translations

from tests.unit.sync.samples import OLD_SOURCE, OLD_TARGET

NEW_SOURCE = (
    OLD_SOURCE.replace("Common examples include predicting prices", "Typical examples include predicting costs")
    .replace("## Summary\n", "Training uses minibatches. Each step costs little.\n\n## Summary\n")
    .replace("* Linear models are simple and fast.\n", "")
)


def make_plan(aligner: Any) -> SyncPlan:
    memory = TranslationMemory(source_lang="en", target_lang="zh")
    return plan_sync(
        parse(OLD_SOURCE, path="old.md"),
        parse(OLD_TARGET, path="tgt.md"),
        parse(NEW_SOURCE, path="new.md"),
        memory,
        file="chapter/linreg.md",
        run="run-1",
        aligner=aligner,
    )


def test_plan_lists_only_the_changed_sentences_as_mt_units(aligner: Any) -> None:
    plan = make_plan(aligner)

    # Consecutive sentences that need MT travel as one unit, so the engine sees them in context.
    assert [unit.text for unit in plan.units] == [
        "Typical examples include predicting costs and forecasting demand.",
        "Training uses minibatches. Each step costs little.",
    ]
    first = plan.units[0]
    new_doc = parse(NEW_SOURCE, path="new.md")
    segment = next(s for s in segments(new_doc) if s.id == first.segment_id)
    assert segment.text[first.start : first.end] == first.text
    assert plan.report.mt_chars == sum(unit.chars for unit in plan.units)


def test_plan_survives_json_between_the_two_phases(aligner: Any) -> None:
    plan = make_plan(aligner)
    stored = plan.model_dump_json()

    loaded = SyncPlan.model_validate_json(stored)
    translations = {unit.id: f"〔{unit.id}〕" for unit in loaded.units}
    memory = TranslationMemory(source_lang="en", target_lang="zh")
    result = apply_sync(loaded, translations, memory)

    assert "〔u0001〕" in result.markdown
    assert "\n\n〔u0002〕\n\n## 小结" in result.markdown  # a new paragraph, in its place
    assert "* 线性模型简单而快速。" not in result.markdown
    assert memory.lookup("Training uses minibatches. Each step costs little.") is not None


def test_apply_without_every_translation_is_refused(aligner: Any) -> None:
    plan = make_plan(aligner)
    with pytest.raises(InputError, match="no translation for MT units u0002"):
        apply_sync(plan, {"u0001": "x"}, TranslationMemory(source_lang="en", target_lang="zh"))


def test_mt_units_stage_as_book_segments_and_come_back_from_html(aligner: Any) -> None:
    plan = make_plan(aligner)
    texts = [unit.text for unit in plan.units] + ["Use `x.sum()` and $x^2$ here."]

    staged = stage_units(texts)
    html = to_html(staged.document)

    assert all(segment_id is not None for segment_id in staged.segment_of_unit)
    assert 'translate="no"' in html
    assert unstage_translations(staged, html, fallback=texts) == texts


def test_detect_changes_reports_blocks_and_sentences() -> None:
    changes = detect_changes(parse(OLD_SOURCE, path="old.md"), parse(NEW_SOURCE, path="new.md"))

    assert changes.summary() == {"unchanged": 11, "moved": 0, "edited": 2, "inserted": 1, "deleted": 0}
    edited = [block for block in changes.blocks if block.op == "edited"]
    paragraph = edited[0]
    assert paragraph.kind == "paragraph"
    assert [s.op for s in paragraph.segments[0].sentences] == ["unchanged", "changed", "unchanged"]
    listing = edited[1]
    assert [s.op for s in listing.segments] == ["deleted", "unchanged"]
