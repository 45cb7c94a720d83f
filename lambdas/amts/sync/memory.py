"""The translation memory: normalised source text -> target text, with origin and provenance.

One JSON document per language pair (an S3 object in the pipeline, a file under the book's state folder
locally). Machine outputs carry the hash of the text as published, so a later run can tell that a person
edited them: such text becomes human memory and is never overwritten by the machine.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, Field, PrivateAttr, ValidationError

from amts.book import without_slide_marks
from amts.errors import AmtsError, InputError
from amts.fsio import decode_text, write_atomic

MEMORY_FORMAT_VERSION = 1
# How often ``save_memory`` reloads and merges when another writer got there first (then it gives up).
MAX_SAVE_ATTEMPTS = 5
# S3 errors of a refused conditional PUT: the ETag no longer matches (412), another conditional write is in
# flight (409), or the object read earlier was deleted meanwhile (If-Match on a missing key gives 404).
_WHITESPACE = re.compile(r"\s+")


class Origin(StrEnum):
    """Who made a target text: a person, the machine, the machine and then a person, or a person's translation of a
    slightly different source kept for review (fuzzy-kept, not yet confirmed by a reviewer)."""

    HUMAN = "human"
    MACHINE = "machine"
    MACHINE_EDITED = "machine-edited"
    FUZZY = "fuzzy"


# Origins whose text a reviewer has not confirmed yet: the hash of the text as published tells an edit apart.
UNCONFIRMED = frozenset({Origin.MACHINE, Origin.FUZZY})


Level = Literal["segment", "sentence"]


def normalise(text: str) -> str:
    """The memory key of a source text: NFC, whitespace collapsed, trimmed (line wrapping is not content)."""
    collapsed: str = _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text))
    return collapsed.strip()


def loose_key(text: str) -> str:
    """The key of a text once slide marks are ignored (``[**…**]``/``(**…**)`` unwrapped, slides-only
    ``[~~…~~]`` text deleted): two texts with the same loose key need no translation work between them."""
    return normalise("".join(piece for piece, _ in without_slide_marks(text)))


def text_hash(text: str) -> str:
    """Hash of a target text as published, insensitive to re-wrapping only."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()[:32]


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class Provenance(BaseModel):
    """Where an entry came from: the file, the segment id in that file's source, the run, and when."""

    file: str
    segment_id: str | None = None
    run: str
    created: datetime
    updated: datetime


class MemoryEntry(BaseModel):
    source: str
    target: str
    origin: Origin
    level: Level
    provenance: Provenance
    machine_hash: str | None = Field(
        default=None, description="hash of the machine output as published; a differing target means a human edit"
    )
    engine: str | None = None
    machine_chars: int | None = None  # of a machine segment: how many source characters were machine-translated
    note: str | None = None  # of a fuzzy-kept text: the source change a reviewer must bring into it
    # Of an unconfirmed segment: its sentences and characters per class (fuzzy_kept, mt, verbatim ...), so a later
    # sync that keeps it still says what in it is left to review.
    classes: dict[str, list[int]] | None = None

    def edited_by_human(self, current_target: str) -> bool:
        """True when this entry is unconfirmed (machine or fuzzy-kept) text and ``current_target`` is no longer it."""
        return (
            self.origin in UNCONFIRMED
            and self.machine_hash is not None
            and text_hash(current_target) != self.machine_hash
        )


class MemoryConflictError(AmtsError):
    """The memory changed since it was read (another run wrote it), so the write was refused."""


class MemoryStore(Protocol):
    """Where the memory document lives: ``read`` returns None when it does not exist yet.

    ``write`` may raise ``MemoryConflictError`` when the document changed since this store last read it
    (``S3MemoryStore``); ``save_memory`` then reloads, merges and writes again.
    """

    def read(self) -> bytes | None: ...

    def write(self, data: bytes) -> None: ...

    def describe(self) -> str: ...


class LocalMemoryStore:
    """A JSON file, written atomically (the book's state folder, e.g. ``.amts/memory.en-zh.json``)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def read(self) -> bytes | None:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return None

    def write(self, data: bytes) -> None:
        write_atomic(self.path, data)

    def describe(self) -> str:
        return str(self.path)


class TranslationMemory(BaseModel):
    """Entries keyed by ``normalise(source)``; one memory per language pair."""

    version: int = MEMORY_FORMAT_VERSION
    source_lang: str
    target_lang: str
    entries: dict[str, MemoryEntry] = Field(default_factory=dict)
    _loose: dict[str, str] | None = PrivateAttr(default=None)  # loose key -> entry key, built on first use
    _written: list[str] = PrivateAttr(default_factory=list)  # keys of the entries written since loading, in order
    _derived: dict[str, object] = PrivateAttr(default_factory=dict)  # indexes others keep over the entries

    # -- storage -------------------------------------------------------------------------------------------
    @classmethod
    def load(cls, store: MemoryStore, *, source_lang: str, target_lang: str) -> TranslationMemory:
        """Read the memory from ``store``; a missing document gives an empty memory."""
        return cls.from_bytes(store.read(), where=store.describe(), source_lang=source_lang, target_lang=target_lang)

    @classmethod
    def from_bytes(cls, data: bytes | None, *, where: str, source_lang: str, target_lang: str) -> TranslationMemory:
        """The memory in a stored document (``None``: no document yet, an empty memory); ``where`` names it."""
        if data is None:
            return cls(source_lang=source_lang, target_lang=target_lang)
        text = decode_text(data, path=where)
        try:
            memory = cls.model_validate_json(text)
        except ValidationError as exc:
            first = exc.errors()[0]
            location = ".".join(str(part) for part in first["loc"])
            raise InputError(f"not a translation memory: {location}: {first['msg']}", path=where) from None
        if memory.version != MEMORY_FORMAT_VERSION:
            raise InputError(f"memory format version {memory.version} is not supported", path=where)
        if (memory.source_lang, memory.target_lang) != (source_lang, target_lang):
            raise InputError(
                f"memory is for {memory.source_lang}-{memory.target_lang}, not {source_lang}-{target_lang}",
                path=where,
            )
        return memory

    def dump(self, store: MemoryStore) -> None:
        store.write(self.to_json().encode("utf-8"))

    def to_json(self) -> str:
        # Sorted keys: the same memory always serialises to the same bytes (stable diffs, idempotent runs).
        payload = self.model_dump(mode="json")
        return json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    # -- queries -------------------------------------------------------------------------------------------
    def lookup(self, source: str) -> MemoryEntry | None:
        return self.entries.get(normalise(source))

    def derived(self, name: str) -> object | None:
        """An index another module keeps over the entries; it brings it up to date itself with ``written_since``."""
        return self._derived.get(name)

    def written_since(self, position: int) -> tuple[list[str], int]:
        """The keys of entries added or replaced since ``position`` in the log of writes (0: since loading), and
        the position to ask from next time: an index over the entries reads only what changed."""
        return self._written[position:], len(self._written)

    def keep_derived(self, name: str, value: object) -> None:
        self._derived[name] = value

    def lookup_loose(self, key: str) -> MemoryEntry | None:
        """The entry whose source has this ``loose_key`` (slide marks ignored); human work first."""
        if self._loose is None:
            self._loose = {}
            for entry_key, entry in sorted(self.entries.items(), key=lambda item: item[1].origin in UNCONFIRMED):
                self._loose.setdefault(loose_key(entry.source), entry_key)
        found = self._loose.get(key)
        return self.entries.get(found) if found is not None else None

    def __len__(self) -> int:
        return len(self.entries)

    def __eq__(self, other: object) -> bool:
        """The same memory: the same pair and entries (its indexes and log of writes are not its content)."""
        if not isinstance(other, TranslationMemory):
            return NotImplemented
        return (self.version, self.source_lang, self.target_lang, self.entries) == (
            other.version,
            other.source_lang,
            other.target_lang,
            other.entries,
        )

    def __iter__(self) -> Iterator[str]:  # type: ignore[override]
        return iter(self.entries)

    def counts(self) -> dict[str, int]:
        totals = {origin.value: 0 for origin in Origin}
        for entry in self.entries.values():
            totals[entry.origin.value] += 1
        return totals

    # -- updates -------------------------------------------------------------------------------------------
    def remember(
        self,
        source: str,
        target: str,
        *,
        origin: Origin,
        level: Level,
        file: str,
        segment_id: str | None,
        run: str,
        engine: str | None = None,
        now: datetime | None = None,
        machine_chars: int | None = None,
        note: str | None = None,
        classes: dict[str, list[int]] | None = None,
    ) -> MemoryEntry | None:
        """Record a translation; human work is never replaced by machine output. Returns the stored entry."""
        key = normalise(source)
        if not key or not normalise(target):
            return None
        stamp = now or utc_now()
        existing = self.entries.get(key)
        if existing is not None:
            if origin in UNCONFIRMED and existing.origin not in UNCONFIRMED:
                return existing
            if (
                existing.target == target
                and existing.origin is origin
                and existing.machine_chars == machine_chars
                and existing.note == note
                and existing.classes == classes
            ):
                return existing
        created = existing.provenance.created if existing is not None else stamp
        entry = MemoryEntry(
            source=source,
            target=target,
            origin=origin,
            level=level,
            provenance=Provenance(file=file, segment_id=segment_id, run=run, created=created, updated=stamp),
            machine_hash=text_hash(target) if origin in UNCONFIRMED else None,
            engine=engine if origin is Origin.MACHINE or origin is Origin.MACHINE_EDITED else None,
            machine_chars=machine_chars if origin is Origin.MACHINE else None,
            note=note if origin in UNCONFIRMED else None,
            classes=classes if origin in UNCONFIRMED else None,
        )
        self._store(key, entry)
        return entry

    def _store(self, key: str, entry: MemoryEntry) -> None:
        """Set an entry and bring the loose-key index (when built) up to date with it: an entry takes a loose key
        that is free, or held by unconfirmed text when it is not (human work first)."""
        self.entries[key] = entry
        self._written.append(key)
        if self._loose is None:
            return
        loose = loose_key(entry.source)
        holder = self.entries.get(self._loose.get(loose, ""))
        if holder is None or (holder.origin in UNCONFIRMED and entry.origin not in UNCONFIRMED):
            self._loose[loose] = key

    def changes_since(self, base: TranslationMemory) -> dict[str, MemoryEntry]:
        """The entries this memory added or replaced since it was ``base`` (the memory has no deletions)."""
        return {key: entry for key, entry in self.entries.items() if base.entries.get(key) != entry}

    def merge(self, changes: Mapping[str, MemoryEntry]) -> None:
        """Apply another writer's ``changes`` to this (newer) memory, with the rule of ``remember``: machine
        output never replaces human or machine-edited memory; otherwise the change wins."""
        for key, entry in changes.items():
            existing = self.entries.get(key)
            if existing is not None and entry.origin in UNCONFIRMED and existing.origin not in UNCONFIRMED:
                continue
            self._store(key, entry)

    def mark_human_edit(self, source: str, edited_target: str, *, file: str, segment_id: str | None, run: str) -> None:
        """A person changed machine output: the edited text becomes human memory for that source."""
        self.remember(
            source,
            edited_target,
            origin=Origin.MACHINE_EDITED,
            level="segment",
            file=file,
            segment_id=segment_id,
            run=run,
        )


def save_memory(
    memory: TranslationMemory,
    store: MemoryStore,
    *,
    base: TranslationMemory,
    attempts: int = MAX_SAVE_ATTEMPTS,
) -> TranslationMemory:
    """Write ``memory`` (read from ``store`` as ``base``, then updated) without losing another writer's work.

    When the store refuses the write because someone wrote the document meanwhile, the newest document is
    reloaded, this run's changes (entries added or replaced since ``base``) are merged into it with the origin
    rules of ``TranslationMemory.merge``, and the write is tried again, at most ``attempts`` times in all.
    Returns the memory as stored.
    """
    changes = memory.changes_since(base)
    current = memory
    for _ in range(attempts):
        try:
            current.dump(store)
        except MemoryConflictError:
            current = TranslationMemory.load(store, source_lang=memory.source_lang, target_lang=memory.target_lang)
            if not changes:  # the other writer's document already holds everything this run knows
                return current
            current.merge(changes)
            continue
        return current
    raise MemoryConflictError(
        f"the memory kept changing while {attempts} attempts to save it were made; run again to retry",
        path=store.describe(),
    )


def memory_path(state_dir: str | Path, source_lang: str, target_lang: str) -> Path:
    """The local memory file of a book: ``<state>/memory.<src>-<tgt>.json``."""
    return Path(state_dir) / f"memory.{source_lang}-{target_lang}.json"
