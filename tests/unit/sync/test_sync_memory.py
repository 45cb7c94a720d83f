"""Human edits are sacred, runs are idempotent, and the memory round-trips through its stores."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from amts.errors import AlignmentError, InputError
from amts.sync import LocalMemoryStore, Origin, TranslationMemory, text_hash

from tests.unit.sync.conftest import RecordingTranslator, sync_texts, without_markers
from tests.unit.sync.samples import OLD_SOURCE, OLD_TARGET, OTHER_TARGET, SHAPED_OTHER_TARGET, SHAPED_SOURCE

EDITED_SENTENCE = "Typical examples include predicting house prices and forecasting sales."
NEW_SOURCE = OLD_SOURCE.replace("Common examples include predicting prices and forecasting demand.", EDITED_SENTENCE)


def fresh_memory() -> TranslationMemory:
    return TranslationMemory(source_lang="en", target_lang="zh")


def test_running_twice_gives_the_same_output_and_sends_nothing(aligner: Any) -> None:
    memory = fresh_memory()
    first_mt = RecordingTranslator()
    first = sync_texts(OLD_SOURCE, OLD_TARGET, NEW_SOURCE, memory, first_mt, aligner)
    second_mt = RecordingTranslator()

    second = sync_texts(OLD_SOURCE, OLD_TARGET, NEW_SOURCE, memory, second_mt, aligner)

    assert first_mt.sent == [EDITED_SENTENCE]
    assert second_mt.sent == []
    assert second.markdown == first.markdown
    assert second.report.mt_chars == 0


def test_syncing_the_output_against_its_own_source_changes_nothing(aligner: Any) -> None:
    memory = fresh_memory()
    first = sync_texts(OLD_SOURCE, OLD_TARGET, NEW_SOURCE, memory, RecordingTranslator(), aligner)
    again = RecordingTranslator()

    second = sync_texts(NEW_SOURCE, first.markdown, NEW_SOURCE, memory, again, aligner)

    assert again.sent == []
    assert second.markdown == first.markdown  # the review marker stays until a person removes it
    assert second.report.human_edits_detected == 0


def test_machine_output_is_recorded_with_its_hash(aligner: Any) -> None:
    memory = fresh_memory()
    sync_texts(OLD_SOURCE, OLD_TARGET, NEW_SOURCE, memory, RecordingTranslator(), aligner)

    sentence = memory.lookup(EDITED_SENTENCE)
    assert sentence is not None
    assert sentence.origin is Origin.MACHINE
    assert sentence.target == f"〔机翻〕{EDITED_SENTENCE}"
    segment = memory.lookup(NEW_SOURCE.split("\n\n")[1])
    assert segment is not None
    assert segment.origin is Origin.MACHINE
    assert segment.machine_hash == text_hash(
        f"每当我们想预测一个数值时，就会出现回归问题。〔机翻〕{EDITED_SENTENCE}并非每个预测问题都是回归问题。"
    )
    human = memory.lookup("Linear Regression")
    assert human is not None
    assert human.origin is Origin.HUMAN
    assert human.target == "线性回归"


def test_human_edit_is_kept_and_flagged_when_its_source_changes(aligner: Any) -> None:
    memory = fresh_memory()
    first = sync_texts(OLD_SOURCE, OLD_TARGET, NEW_SOURCE, memory, RecordingTranslator(), aligner)
    human_text = (
        "每当我们想预测一个数值时，就会出现回归问题。典型的例子包括预测房价和预测销量。并非每个预测问题都是回归问题。"
    )
    edited = without_markers(first.markdown).replace(
        f"每当我们想预测一个数值时，就会出现回归问题。〔机翻〕{EDITED_SENTENCE}并非每个预测问题都是回归问题。",
        human_text,
    )
    newer = NEW_SOURCE.replace("Not every prediction problem", "Not every prediction task")
    translator = RecordingTranslator()

    second = sync_texts(NEW_SOURCE, edited, newer, memory, translator, aligner)

    assert translator.sent == []  # never overwritten by the machine
    assert human_text in second.markdown
    assert second.report.flagged_segments == 1
    assert second.report.human_edits_detected == 1
    assert [item.reasons for item in second.report.review] == [["human-edit-source-changed"]]
    entry = memory.lookup(NEW_SOURCE.split("\n\n")[1])
    assert entry is not None
    assert entry.origin is Origin.MACHINE_EDITED
    assert entry.target == human_text
    assert second.report.workload_reduction < 1.0


def test_human_edit_without_source_change_becomes_human_memory(aligner: Any) -> None:
    memory = fresh_memory()
    first = sync_texts(OLD_SOURCE, OLD_TARGET, NEW_SOURCE, memory, RecordingTranslator(), aligner)
    edited = without_markers(first.markdown).replace(f"〔机翻〕{EDITED_SENTENCE}", "典型的例子包括预测房价和预测销量。")
    translator = RecordingTranslator()

    second = sync_texts(NEW_SOURCE, edited, NEW_SOURCE, memory, translator, aligner)

    assert second.markdown == edited
    assert translator.sent == []
    assert second.report.flagged_segments == 0
    assert second.report.origin_counts["machine-edited"] == 1
    entry = memory.lookup(NEW_SOURCE.split("\n\n")[1])
    assert entry is not None
    assert entry.origin is Origin.MACHINE_EDITED


def test_machine_text_from_another_file_is_not_a_human_edit_and_yields_to_a_human_translation(aligner: Any) -> None:
    memory = fresh_memory()
    memory.remember(
        "Linear Regression",
        "〔机翻〕线性回归",
        origin=Origin.MACHINE,
        level="segment",
        file="other.md",
        segment_id=None,
        run="r0",
    )

    result = sync_texts(OLD_SOURCE, OLD_TARGET, NEW_SOURCE, memory, RecordingTranslator(), aligner)

    assert result.report.human_edits_detected == 0
    entry = memory.lookup("Linear Regression")
    assert entry is not None
    assert (entry.target, entry.origin) == ("线性回归", Origin.HUMAN)


def test_wrong_target_file_is_refused(aligner: Any) -> None:
    translator = RecordingTranslator()
    with pytest.raises(AlignmentError, match="wrong file or a different book"):
        sync_texts(OLD_SOURCE, OTHER_TARGET, NEW_SOURCE, fresh_memory(), translator, aligner)
    assert translator.sent == []


def test_unrelated_target_without_shared_labels_is_refused_by_alignment_confidence() -> None:
    """The real document aligner's confidence decides when labels cannot (here: none on either side)."""
    strip = re.compile(r":(?:label|eqlabel):`[^`]*`\n")
    translator = RecordingTranslator()
    with pytest.raises(AlignmentError, match=r"alignment confidence 0\.\d\d < 0\.30"):
        sync_texts(
            strip.sub("", OLD_SOURCE),
            strip.sub("", OTHER_TARGET),
            strip.sub("", NEW_SOURCE),
            fresh_memory(),
            translator,
            None,
        )
    assert translator.sent == []


def test_a_wrong_file_of_the_same_shape_is_aligned_and_refused() -> None:
    """Given an unrelated translation with the source's very shape (same segment kinds, same count, no labels)
    and a memory that knows none of it, or only its heading "Summary"
    When the chapter is synced
    Then the document aligner is asked, and its low confidence refuses the pair before anything is reused."""
    asked: list[str] = []

    def unsure_aligner(src: Any, tgt: Any, src_lang: str, tgt_lang: str) -> tuple[list[Any], float]:
        asked.append(tgt.path)
        return [], 0.1

    new_source = SHAPED_SOURCE.replace("now and then", "from time to time")
    knows_summary = fresh_memory()
    knows_summary.remember(
        "Summary", "小结", origin=Origin.HUMAN, level="segment", file="b.md", segment_id="s1", run="r"
    )
    for memory in (fresh_memory(), knows_summary):
        translator = RecordingTranslator()
        with pytest.raises(AlignmentError, match=r"alignment confidence 0\.10 < 0\.30"):
            sync_texts(SHAPED_SOURCE, SHAPED_OTHER_TARGET, new_source, memory, translator, unsure_aligner)
        assert translator.sent == []
    assert asked == ["tgt.md", "tgt.md"]


def test_a_wrong_file_of_the_same_shape_is_refused_by_the_real_aligner() -> None:
    """Given the same unrelated translation of the same shape, and an empty memory
    When the chapter is synced with the real document aligner
    Then it is refused for its low alignment confidence."""
    new_source = SHAPED_SOURCE.replace("now and then", "from time to time")
    with pytest.raises(AlignmentError, match=r"alignment confidence 0\.\d\d < 0\.30"):
        sync_texts(SHAPED_SOURCE, SHAPED_OTHER_TARGET, new_source, fresh_memory(), RecordingTranslator(), None)


def test_a_memory_that_knows_most_of_a_chapter_links_it_without_the_aligner() -> None:
    """Given a chapter synced once (the memory holds what it published), and a reviewer's edit of one paragraph
    When it is synced again with an aligner that would refuse it
    Then the memory's exact matches link it (the edited paragraph completed between them), the aligner is never
    asked, and the reviewer's text is kept."""
    memory = fresh_memory()
    own = SHAPED_OTHER_TARGET.replace("数据集的下载", "梯度裁剪")
    first = sync_texts(SHAPED_SOURCE, own, SHAPED_SOURCE, memory, RecordingTranslator(), lambda *args: ([], 0.9))
    edited = first.markdown.replace("这样可以避免用到损坏的文件。", "以免用到损坏的文件。")
    assert edited != first.markdown
    asked: list[str] = []

    def refusing(src: Any, tgt: Any, src_lang: str, tgt_lang: str) -> tuple[list[Any], float]:
        asked.append(tgt.path)
        return [], 0.0

    second = sync_texts(SHAPED_SOURCE, edited, SHAPED_SOURCE, memory, RecordingTranslator(), refusing)

    assert asked == []
    assert second.report.alignment_confidence == 1.0
    assert second.markdown == edited


def test_memory_round_trips_through_a_local_file(tmp_path: Path) -> None:
    store = LocalMemoryStore(tmp_path / ".amts" / "memory.en-zh.json")
    memory = TranslationMemory.load(store, source_lang="en", target_lang="zh")
    assert len(memory) == 0
    memory.remember(
        "Hello  world.",
        "你好，世界。",
        origin=Origin.MACHINE,
        level="sentence",
        file="a.md",
        segment_id="s0001",
        run="r1",
    )
    memory.dump(store)

    loaded = TranslationMemory.load(store, source_lang="en", target_lang="zh")

    assert loaded == memory
    entry = loaded.lookup("Hello world.")
    assert entry is not None
    assert entry.machine_hash == text_hash("你好，世界。")
    assert store.path.read_text(encoding="utf-8") == memory.to_json()


def test_machine_output_never_replaces_human_memory() -> None:
    memory = fresh_memory()
    memory.remember("Loss.", "损失。", origin=Origin.HUMAN, level="sentence", file="a.md", segment_id=None, run="r1")
    memory.remember(
        "Loss.", "〔机翻〕Loss.", origin=Origin.MACHINE, level="sentence", file="a.md", segment_id=None, run="r2"
    )

    entry = memory.lookup("Loss.")
    assert entry is not None
    assert (entry.target, entry.origin) == ("损失。", Origin.HUMAN)


def test_memory_for_another_pair_or_not_a_memory_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "memory.json"
    path.write_text(fresh_memory().to_json(), encoding="utf-8")
    with pytest.raises(InputError, match="memory is for en-zh, not en-es"):
        TranslationMemory.load(LocalMemoryStore(path), source_lang="en", target_lang="es")
    path.write_text(json.dumps({"entries": 3}), encoding="utf-8")
    with pytest.raises(InputError, match="not a translation memory"):
        TranslationMemory.load(LocalMemoryStore(path), source_lang="en", target_lang="zh")


class _CountingDict(dict[str, Any]):
    """The memory's entries, counting every walk over all of them."""

    walks = 0

    def __iter__(self) -> Any:
        type(self).walks += 1
        return super().__iter__()

    def items(self) -> Any:
        type(self).walks += 1
        return super().items()

    def values(self) -> Any:
        type(self).walks += 1
        return super().values()


def _memory_of(count: int) -> TranslationMemory:
    memory = fresh_memory()
    for number in range(count):
        memory.remember(f"Sentence number {number} about gradients and layers.", f"关于梯度和层的第{number}句。",
                        origin=Origin.HUMAN, level="sentence", file="a.md", segment_id=None, run="r")  # fmt: skip
    return memory


def test_a_written_entry_updates_the_loose_index_without_rebuilding_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a memory of 50 entries whose loose-key index is built
    When a machine entry and then a human entry with the same loose key are written and looked up
    Then only their own loose keys are computed, and the human one is found (human work first)."""
    from amts.sync import memory as memory_module

    memory = _memory_of(50)
    assert memory.lookup_loose("nothing") is None
    computed: list[str] = []
    real = memory_module.loose_key
    monkeypatch.setattr(memory_module, "loose_key", lambda text: computed.append(text) or real(text))

    memory.remember("[**Softmax**] maps scores to probabilities.", "〔机翻〕", origin=Origin.MACHINE,
                    level="sentence", file="b.md", segment_id=None, run="r")  # fmt: skip
    memory.remember("Softmax maps scores to probabilities.", "softmax把分数映射为概率。", origin=Origin.HUMAN,
                    level="sentence", file="b.md", segment_id=None, run="r")  # fmt: skip
    memory.remember("(**Softmax**) maps scores to probabilities.", "〔机翻〕2", origin=Origin.MACHINE,
                    level="sentence", file="b.md", segment_id=None, run="r")  # fmt: skip
    found = memory.lookup_loose("Softmax maps scores to probabilities.")

    assert len(computed) == 3
    assert found is not None
    assert found.target == "softmax把分数映射为概率。"


def test_the_memorys_fuzzy_index_reads_only_the_entries_written_since(monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a memory whose fuzzy index was built by a first fuzzy lookup
    When a human entry is written and a sentence close to it is looked up
    Then the entry is found without walking over all entries again."""
    from amts.sync.pairs import ChapterPairs

    memory = _memory_of(50)
    pairs = ChapterPairs(linking=None, old_segments={}, tgt_segments={}, memory=memory,
                         known_files=frozenset({"c.md"}), updates=[])  # fmt: skip
    assert pairs.fuzzy("Sentence number 7 about gradients and layer.", 0.9) is not None
    memory.entries = _CountingDict(memory.entries)
    _CountingDict.walks = 0

    memory.remember("Dropout zeroes a random share of the activations.", "暂退法把随机一部分激活值置零。",
                    origin=Origin.HUMAN, level="sentence", file="a.md", segment_id=None, run="r")  # fmt: skip
    found = pairs.fuzzy("Dropout zeroes a random share of its activations.", 0.9)

    assert found is not None
    assert found.text == "暂退法把随机一部分激活值置零。"
    assert _CountingDict.walks == 0


def test_a_sentence_of_the_chapter_takes_the_chapters_own_translation_before_the_memorys(aligner: Any) -> None:
    """Given a memory that holds another chapter's translation of a sentence, and new English that moves that
    sentence of this chapter into a paragraph of its own, ahead of the paragraph it came from
    When the chapter is synced
    Then the moved sentence keeps this chapter's translation, not the memory's."""
    sentence = "Not every prediction problem is a regression problem."
    memory = fresh_memory()
    memory.remember(sentence, "别的章节这样译这句话。", origin=Origin.HUMAN, level="sentence", file="other.md",
                    segment_id="s0009", run="r")  # fmt: skip
    new_source = OLD_SOURCE.replace(f" {sentence}", "").replace(
        ":label:`sec_linreg`\n", f":label:`sec_linreg`\n\n{sentence}\n"
    )

    result = sync_texts(OLD_SOURCE, OLD_TARGET, new_source, memory, RecordingTranslator(), aligner)

    assert "\n并非每个预测问题都是回归问题。\n" in result.markdown
    assert "别的章节" not in result.markdown
