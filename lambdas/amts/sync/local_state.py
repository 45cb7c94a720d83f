"""A book's local sync state: its translation memory file, a lock, and a journal that publishes as one step.

The outputs of a sync (chapters, proposals) and the memory that records what was machine-translated in them must
change together: an output without its memory record would let a reviewer's later edit go unnoticed. Files cannot
be replaced together atomically, so a journal makes the step all-or-nothing across crashes:

1. the journal names the planned replacements (``prepare``), then every new file is written beside its target;
2. the journal is rewritten as ``commit``: the commit point;
3. each file is renamed over its target, and the journal is removed.

Whoever next takes the lock finishes an interrupted step: a committed journal is rolled forward (the renames are
done), a prepared one rolled back (the new files are removed). Between two runs, outputs and memory are therefore
both old or both new, whether the run was killed or the machine lost power: the new files and the journal are
flushed to disk (``os.fsync``) before the commit point, and their folders before and after the renames.

Runs that share the memory do not lose each other's entries: each reads the memory when it starts, and publishes
under the lock; if the memory changed since it was read, the other run's entries are merged with this run's first
(``TranslationMemory.merge``: human work is never replaced by machine output).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from amts.errors import InputError
from amts.fsio import fsync_folder, sweep_temporaries, write_atomic
from amts.sync.memory import LocalMemoryStore, MemoryConflictError, TranslationMemory

LOCK_TIMEOUT_S = 600.0  # a whole-book sync publishes in seconds; waiting longer means a stuck run


class LocalState:
    """The memory file of a book (``<state>/memory.<src>-<tgt>.json``) with its lock and journal beside it."""

    def __init__(self, memory_file: str | os.PathLike[str], *, lock_timeout: float = LOCK_TIMEOUT_S) -> None:
        self.memory_file = Path(memory_file).absolute()
        self.store = LocalMemoryStore(self.memory_file)
        self.journal = self.memory_file.with_name(self.memory_file.name + ".journal")
        self._lock = FileLock(str(self.memory_file) + ".lock", timeout=lock_timeout)
        self._read: bytes | None = None
        self.recovered: str | None = None  # "rolled forward" / "rolled back" when an interrupted step was finished

    @contextmanager
    def locked(self) -> Iterator[None]:
        self.memory_file.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self._lock:
                yield
        except Timeout:
            raise MemoryConflictError(
                f"another amts sync has held the memory lock for {self._lock.timeout:.0f} s; try again when it ends",
                path=str(self.memory_file),
            ) from None

    def load(self, *, source_lang: str, target_lang: str) -> TranslationMemory:
        """The memory as it is now (an interrupted publish is finished first). A memory folder that does not exist
        yet holds no memory and no journal: it is created by ``publish``, so a run refused before that leaves none."""
        if not self.memory_file.parent.is_dir():
            self.recovered, self._read = None, None
        else:
            with self.locked():
                self.recovered = self._recover()
                self._read = self.store.read()
        return TranslationMemory.from_bytes(
            self._read, where=str(self.memory_file), source_lang=source_lang, target_lang=target_lang
        )

    def publish(
        self, outputs: Mapping[Path, str], memory: TranslationMemory, *, base: TranslationMemory
    ) -> TranslationMemory:
        """Write ``outputs`` and ``memory`` as one step. ``base`` is the memory as ``load`` returned it; entries
        another run added since are merged in. Returns the memory as written."""
        with self.locked():
            self._recover()
            current = self.store.read()
            if current != self._read:
                merged = TranslationMemory.from_bytes(
                    current, where=str(self.memory_file), source_lang=memory.source_lang, target_lang=memory.target_lang
                )
                merged.merge(memory.changes_since(base))
                memory = merged
            files: dict[Path, bytes] = {Path(path).absolute(): text.encode("utf-8") for path, text in outputs.items()}
            files[self.memory_file] = memory.to_json().encode("utf-8")
            self._commit(files)
            self._read = files[self.memory_file]
        return memory

    # -- the journal --------------------------------------------------------------------------------------------
    def _commit(self, files: Mapping[Path, bytes]) -> None:
        token = secrets.token_hex(4)
        moves = [(str(path.with_name(f".{path.name}.amts-{token}.tmp")), str(path)) for path in files]
        self._write_journal("prepare", moves)
        for (temporary, _), data in zip(moves, files.values(), strict=True):
            Path(temporary).parent.mkdir(parents=True, exist_ok=True)
            with open(temporary, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        _fsync_folders(moves)  # the temporary files are on disk, under their names, before the commit point
        self._write_journal("commit", moves)
        self._finish(moves)

    def _write_journal(self, state: str, moves: list[tuple[str, str]]) -> None:
        # Durable: after a power loss the journal still says what was prepared or committed.
        write_atomic(self.journal, json.dumps({"state": state, "moves": moves}, indent=1) + "\n", durable=True)

    def _finish(self, moves: list[tuple[str, str]]) -> None:
        for temporary, final in moves:
            if Path(temporary).exists():
                os.replace(temporary, final)
        _fsync_folders(moves)  # the renames are on disk before the journal goes
        self.journal.unlink()
        fsync_folder(self.journal.parent)

    def _recover(self) -> str | None:
        """Finish a step a crash interrupted: roll a committed journal forward, a prepared one back."""
        sweep_temporaries(self.journal.parent, once=False)  # a journal write a kill cut short left its temporary file
        if not self.journal.exists():
            return None
        try:
            journal = json.loads(self.journal.read_text(encoding="utf-8"))
            moves = [(str(a), str(b)) for a, b in journal["moves"]]
            state = journal["state"]
        except (ValueError, KeyError, TypeError):
            raise InputError(
                "the sync journal is damaged; check the outputs it names, then delete it", path=str(self.journal)
            ) from None
        if state == "commit":
            self._finish(moves)
            return "rolled forward"
        for temporary, _ in moves:
            Path(temporary).unlink(missing_ok=True)
        _fsync_folders(moves)
        self.journal.unlink()
        fsync_folder(self.journal.parent)
        return "rolled back"


def _fsync_folders(moves: list[tuple[str, str]]) -> None:
    for folder in sorted({str(Path(final).parent) for _, final in moves}):
        fsync_folder(folder)
