"""A translation that moves an inline-math span (the Chinese word order) is published, not left in English.

The stand-in's engines are Translate's stand-in for the service; here its last engine answers one sentence with a
real Chinese translation whose ``$…$`` spans come back in the other order, as Amazon Translate does for zh.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from amts.translate.markup import Placeholder, Unit

from amts_local.engines.chain import EngineResult, PseudoEngine
from tests.integration.pipeline.conftest import run_execution, stand_in_runtime

pytestmark = pytest.mark.slow

CHAPTER = "chapter_basics/score.md"
SOURCE = """# Scores
:label:`sec_scores`

The score $a$ is computed from the label $b$.

Scores are compared across models.
"""
ADDED = SOURCE + "\nThe margin $m$ depends on the weight $w$.\n"
CHINESE = {  # source sentence -> (Chinese before, second span, middle, first span, after)
    "The score $a$ is computed from the label $b$.": ("给定标签", "$b$", "，就能计算分数", "$a$", "。"),
    "The margin $m$ depends on the weight $w$.": ("权重", "$w$", "决定间隔", "$m$", "。"),
}


def _chinese_first(self: PseudoEngine, units: Sequence[Unit], src: str, tgt: str) -> list[EngineResult | None]:
    """The Chinese of the sentences above, their two math spans swapped; everything else pseudo-translated."""
    results = ORIGINAL(self, units, src, tgt)
    for number, unit in enumerate(units):
        known = CHINESE.get(unit.plain_source().strip())
        if known is None:
            continue
        spans = {part.match_text: part for part in unit.parts if isinstance(part, Placeholder)}
        before, second, middle, first, after = known
        results[number] = EngineResult([before, spans[second], middle, spans[first], after], "reordering-zh")
    return results


ORIGINAL = PseudoEngine.translate


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(PseudoEngine, "translate", _chinese_first)
    with stand_in_runtime(evaluation=False) as local:
        yield local


def test_reordered_math_is_published_in_chinese_on_a_new_chapter_and_on_a_sync(runtime: Any) -> None:
    # Given a new chapter whose first paragraph Translate answers with its math spans in the other order
    runtime.upload(f"book/en/{CHAPTER}", SOURCE)
    runtime.wait_for_uploads()
    # When the pipeline runs
    first = run_execution(runtime, {"pairs": ["en-zh"]}, name="first-run")
    # Then the published chapter holds the Chinese with the spans where the Chinese put them
    assert first["status"] == "SUCCEEDED", first
    output = runtime.names.output_bucket
    published = runtime.read_object(output, f"translated/zh/{CHAPTER}").decode()
    assert "给定标签$b$，就能计算分数$a$。" in published
    assert "The score $a$" not in published
    assert "untranslated" not in published

    # Given a paragraph added to the English, translated with its spans reordered too
    runtime.upload(f"book/en/{CHAPTER}", ADDED)
    runtime.wait_for_uploads()
    second = run_execution(runtime, {"pairs": ["en-zh"]}, name="second-run")
    # Then the synced chapter keeps the first paragraph and holds the new one in Chinese, under an MT marker
    assert second["status"] == "SUCCEEDED", second
    synced = runtime.read_object(output, f"translated/zh/{CHAPTER}").decode()
    assert "给定标签$b$，就能计算分数$a$。" in synced
    assert "权重$w$决定间隔$m$。" in synced
    assert "The margin $m$" not in synced
    assert "reasons=untranslated" not in synced
