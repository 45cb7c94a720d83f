"""Two executions writing the same pair's translation memory at once lose nothing (S3 conditional writes, moto).

The memory is one S3 object per pair (``state/<pair>/memory.json``), read at the start of Assemble and rewritten
at its end. Each test interleaves two writers the way two concurrent executions would: both read, one writes,
then the other writes. The second write is refused (the ETag changed), reloads, merges and retries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from amts.sync.memory import (
    MAX_SAVE_ATTEMPTS,
    MemoryConflictError,
    Origin,
    TranslationMemory,
    save_memory,
)
from amts_aws.memory import S3MemoryStore
from amts_steps import layout
from amts_steps.assemble import assemble_pair
from moto import mock_aws

from tests.integration.pipeline.bilingual_book import BUCKETS, EVALUATED, NEW, OUTPUT, Book, stage_and_translate
from tests.integration.pipeline.conftest import moto_s3

BUCKET = "amts-memory-race"
KEY = layout.memory_key("en-zh")


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with moto_s3(monkeypatch, BUCKET) as client:
        yield client


def _load(s3: Any) -> tuple[S3MemoryStore, TranslationMemory, TranslationMemory]:
    """A writer's view: its store (remembering the ETag), the memory it updates and the memory as read."""
    store = S3MemoryStore(s3, BUCKET, KEY)
    memory = TranslationMemory.load(store, source_lang="en", target_lang="zh")
    return store, memory, memory.model_copy(deep=True)


def _remember(memory: TranslationMemory, source: str, target: str, origin: Origin, run: str) -> None:
    memory.remember(source, target, origin=origin, level="segment", file="a.md", segment_id="s1", run=run)


def _stored(s3: Any) -> TranslationMemory:
    return TranslationMemory.load(S3MemoryStore(s3, BUCKET, KEY), source_lang="en", target_lang="zh")


def _seed(s3: Any, *entries: tuple[str, str, Origin]) -> None:
    store, memory, base = _load(s3)
    for source, target, origin in entries:
        _remember(memory, source, target, origin, "seed")
    save_memory(memory, store, base=base)


def test_a_stale_conditional_write_is_refused_by_s3(s3: Any) -> None:
    # Given two writers that read the same version, and one of them has written since
    _seed(s3, ("Loss.", "损失。", Origin.HUMAN))
    first, first_memory, _ = _load(s3)
    second, second_memory, _ = _load(s3)
    _remember(first_memory, "Data.", "数据。", Origin.MACHINE, "run-a")
    first_memory.dump(first)
    # When the other writes with the ETag it read, Then S3 refuses it (412) and nothing is overwritten
    _remember(second_memory, "Model.", "模型。", Origin.MACHINE, "run-b")
    with pytest.raises(MemoryConflictError, match="changed since it was read"):
        second_memory.dump(second)
    assert set(_stored(s3)) == {"Loss.", "Data."}


def test_two_interleaved_writers_keep_both_runs_entries(s3: Any) -> None:
    # Given an existing memory read by two executions at once
    _seed(s3, ("Loss.", "损失。", Origin.HUMAN))
    store_a, memory_a, base_a = _load(s3)
    store_b, memory_b, base_b = _load(s3)
    _remember(memory_a, "Data.", "数据。", Origin.MACHINE, "run-a")
    _remember(memory_b, "Model.", "模型。", Origin.MACHINE, "run-b")
    # When B writes first and A writes after it
    save_memory(memory_b, store_b, base=base_b)
    saved = save_memory(memory_a, store_a, base=base_a)
    # Then the stored memory holds the seed and both runs' entries
    stored = _stored(s3)
    assert set(stored) == {"Loss.", "Data.", "Model."}
    assert stored.entries["Data."].provenance.run == "run-a"
    assert stored.entries["Model."].provenance.run == "run-b"
    assert saved == stored
    # And A's store now holds the new version's ETag: a further write from A succeeds without a conflict
    _remember(saved, "Tensor.", "张量。", Origin.MACHINE, "run-a")
    saved.dump(store_a)
    assert "Tensor." in _stored(s3)


def test_two_first_writers_of_a_new_memory_both_count(s3: Any) -> None:
    # Given no memory yet, read by two executions (both see it absent: If-None-Match: *)
    store_a, memory_a, base_a = _load(s3)
    store_b, memory_b, base_b = _load(s3)
    _remember(memory_a, "Data.", "数据。", Origin.MACHINE, "run-a")
    _remember(memory_b, "Model.", "模型。", Origin.HUMAN, "run-b")
    # When both create it
    save_memory(memory_a, store_a, base=base_a)
    save_memory(memory_b, store_b, base=base_b)
    # Then the second creation merged instead of replacing the first
    assert set(_stored(s3)) == {"Data.", "Model."}


@pytest.mark.parametrize("other_origin", [Origin.HUMAN, Origin.MACHINE_EDITED])
def test_machine_output_never_replaces_the_other_runs_human_memory(s3: Any, other_origin: Origin) -> None:
    # Given a machine entry both runs read; B records a person's edit of it, A translates the source again
    _seed(s3, ("Loss.", "损失。", Origin.MACHINE))
    store_a, memory_a, base_a = _load(s3)
    store_b, memory_b, base_b = _load(s3)
    _remember(memory_b, "Loss.", "损失（人工）。", other_origin, "run-b")
    _remember(memory_a, "Loss.", "损失值。", Origin.MACHINE, "run-a")
    # When B writes first and A's write has to merge
    save_memory(memory_b, store_b, base=base_b)
    save_memory(memory_a, store_a, base=base_a)
    # Then the human work stands
    entry = _stored(s3).entries["Loss."]
    assert (entry.target, entry.origin) == ("损失（人工）。", other_origin)


def test_this_runs_human_edit_replaces_the_other_runs_machine_output(s3: Any) -> None:
    _seed(s3, ("Loss.", "损失。", Origin.MACHINE))
    store_a, memory_a, base_a = _load(s3)
    store_b, memory_b, base_b = _load(s3)
    _remember(memory_b, "Loss.", "损失值。", Origin.MACHINE, "run-b")
    memory_a.mark_human_edit("Loss.", "损失（人工）。", file="a.md", segment_id="s1", run="run-a")
    save_memory(memory_b, store_b, base=base_b)
    save_memory(memory_a, store_a, base=base_a)
    entry = _stored(s3).entries["Loss."]
    assert (entry.target, entry.origin) == ("损失（人工）。", Origin.MACHINE_EDITED)


def test_an_unchanged_memory_does_not_overwrite_a_newer_one(s3: Any) -> None:
    # Given A read the memory and changed nothing, while B added an entry
    _seed(s3, ("Loss.", "损失。", Origin.HUMAN))
    store_a, memory_a, base_a = _load(s3)
    store_b, memory_b, base_b = _load(s3)
    _remember(memory_b, "Model.", "模型。", Origin.MACHINE, "run-b")
    save_memory(memory_b, store_b, base=base_b)
    # When A saves, Then B's entry survives
    assert set(save_memory(memory_a, store_a, base=base_a)) == {"Loss.", "Model."}
    assert set(_stored(s3)) == {"Loss.", "Model."}


class _RacingStore(S3MemoryStore):
    """A store that someone else writes to just before each of its writes (a memory that never settles)."""

    def __init__(self, client: Any, rival: Callable[[], None]) -> None:
        super().__init__(client, BUCKET, KEY)
        self.rival = rival
        self.writes = 0

    def write(self, data: bytes) -> None:
        self.writes += 1
        self.rival()
        super().write(data)


def test_saving_gives_up_after_a_bounded_number_of_conflicts(s3: Any) -> None:
    _seed(s3, ("Loss.", "损失。", Origin.HUMAN))
    counter = iter(range(1000))

    def rival() -> None:
        _seed(s3, (f"Rival {next(counter)}.", "对手。", Origin.MACHINE))

    store = _RacingStore(s3, rival)
    memory = TranslationMemory.load(store, source_lang="en", target_lang="zh")
    base = memory.model_copy(deep=True)
    _remember(memory, "Data.", "数据。", Origin.MACHINE, "run-a")
    with pytest.raises(MemoryConflictError, match=f"{MAX_SAVE_ATTEMPTS} attempts"):
        save_memory(memory, store, base=base)
    assert store.writes == MAX_SAVE_ATTEMPTS
    assert "Data." not in _stored(s3)  # never a blind overwrite: the rival's entries are all there
    assert len(_stored(s3)) == 1 + MAX_SAVE_ATTEMPTS


class _InterleavingS3:
    """An S3 client that runs ``before`` once, just before the first PUT of the memory (a concurrent Assemble)."""

    def __init__(self, client: Any, before: Callable[[], None]) -> None:
        self._client = client
        self._before: Callable[[], None] | None = before

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def put_object(self, **params: Any) -> Any:
        if params["Key"] == KEY and self._before is not None:
            before, self._before = self._before, None
            before()
        return self._client.put_object(**params)


def test_two_assembles_of_the_same_pair_at_once_keep_both_chapters_memory(book: Book) -> None:
    # Given two executions of en-zh, each with its own chapter staged and translated
    step_a = stage_and_translate(book, "run-a", NEW)
    step_b = stage_and_translate(book, "run-b", EVALUATED)

    # When B's Assemble runs completely between A's read of the memory and A's write of it
    def assemble_b() -> None:
        assemble_pair(step_b, s3_client=book.s3, **BUCKETS)

    result_a = assemble_pair(step_a, s3_client=_InterleavingS3(book.s3, assemble_b), **BUCKETS)

    # Then both chapters are published and the memory holds what each run learned
    assert result_a.chapters_published == 1
    memory = TranslationMemory.load(S3MemoryStore(book.s3, OUTPUT, KEY), source_lang="en", target_lang="zh")
    runs = {entry.provenance.run for entry in memory.entries.values()}
    assert runs == {"run-a", "run-b"}
    assert memory.lookup("This chapter has no translation yet.") is not None  # A's machine translation
    assert memory.lookup("We minimize the loss function over the training set.") is not None  # B's kept human text


def test_memory_round_trips_through_s3() -> None:
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="amts-output-test")
        store = S3MemoryStore(client, "amts-output-test", "state/memory.en-zh.json")
        memory = TranslationMemory.load(store, source_lang="en", target_lang="zh")
        memory.remember(
            "Loss.", "损失。", origin=Origin.HUMAN, level="sentence", file="a.md", segment_id=None, run="r1"
        )
        memory.dump(store)

        loaded = TranslationMemory.load(store, source_lang="en", target_lang="zh")

    assert loaded == memory
    assert store.describe() == "s3://amts-output-test/state/memory.en-zh.json"
