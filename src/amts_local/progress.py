"""Live progress of local executions, counted in work: chapters aligned, characters staged and translated, chapters
assembled, per language pair, with a running timer and an ETA (``rich``, redrawn on its own clock).

The counts come from what the steps did, not from how many states ran: chapters read by BuildParallelData and
source snapshots written by Assemble (the runtime's record of AWS calls, read live), and the counts Stage and
Assemble return. Expected conditions (a first run's parallel data that does not exist yet) are information, not
warnings. On a terminal the bars are live on standard error; elsewhere the titles and outcomes are plain lines on
``stream``, with every step as a line under ``-v``; ``-q`` shows nothing live.
"""

from __future__ import annotations

import atexit
import json
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from amts import config
from rich.progress import Progress, TaskID

from amts_local.awscalls import function_principal
from amts_local.cli.options import Verbosity
from amts_local.cli.progress import live, work_progress
from amts_local.runtime import LocalRuntime, ProgressEvent

TICK_SECONDS = 0.5
# Caught failures a run expects, shown as information: (error pattern, what it means).
EXPECTED = (
    (
        re.compile(r"ResourceNotFoundException.*parallel data resource (\S+) does not exist", re.IGNORECASE),
        "parallel data {0} does not exist yet (a first run): it is created",
    ),
)


def expected_condition(detail: str) -> str | None:
    """What a caught failure means when the pipeline expects it (None for a real problem)."""
    for pattern, meaning in EXPECTED:
        match = pattern.search(detail)
        if match:
            return meaning.format(*(group.rstrip(".") for group in match.groups()))
    return None


@dataclass
class _Pair:
    """One pair's current piece of work: its unit, how much of how much, and what the finished pieces gave."""

    name: str
    phase: str = "waiting"
    unit: str = "chapters"
    total: int = 0
    done: int = 0
    counter: Callable[[], int] | None = None  # live count of the current piece of work, from the AWS calls
    baseline: int = 0
    outcomes: list[str] = field(default_factory=list)
    task: TaskID | None = None
    shown: str = ""  # the phase the bar shows (a new phase restarts the bar and its ETA, not the pair's timer)
    since: float = field(default_factory=time.monotonic)


class ProgressDisplay:
    """Receives ``ProgressEvent``s (from ``LocalRuntime.wait_for_execution``) and shows the work they stand for."""

    def __init__(self, runtime: LocalRuntime | None = None, *, stream: TextIO | None = None) -> None:
        self.runtime = runtime
        self.stream = stream or sys.stdout
        self.pairs: dict[str, _Pair] = {}
        self.lock = threading.Lock()
        self.progress: Progress | None = None
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()

    # ------------------------------------------------------------------------------------------------ phases
    def start(self, title: str) -> None:
        """A new execution: a title line, then a live bar per pair (on a terminal)."""
        self.stop()
        with self.lock:
            self.pairs.clear()
            if not Verbosity.quiet:
                self._print(f"== {title}")
            if live():
                self.progress = work_progress()
                self.progress.start()
                atexit.register(self.stop)  # a run that ends in an exception still gives the terminal its cursor back
                self._stop.clear()
                self._ticker = threading.Thread(target=self._tick, name="amts-progress", daemon=True)
                self._ticker.start()

    def stop(self) -> None:
        if self._ticker is not None:
            self._stop.set()
            self._ticker.join()
            self._ticker = None
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

    def message(self, text: str) -> None:
        """A line outside the live bars (a step of the scenario)."""
        with self.lock:
            self._print(text)

    # ------------------------------------------------------------------------------------------------ events
    def __call__(self, event: ProgressEvent) -> None:
        with self.lock:
            self._handle(event)
        if event.kind == "execution":
            self.stop()
            if not Verbosity.quiet:
                self._print(f"   execution {event.state.lower()}")

    def _handle(self, event: ProgressEvent) -> None:
        if event.kind == "failed":
            meaning = expected_condition(event.detail)
            if meaning is not None:
                self._note(f"   · {meaning}")
            elif not Verbosity.quiet:
                self._print(f"   ! {event.detail}")
            return
        if event.kind == "execution":
            for pair in self.pairs.values():
                if pair.phase != "done":
                    pair.phase = "stopped" if event.state != "Succeeded" else "done"
                self._show(pair)
            return
        if Verbosity.verbose and event.kind == "entered":
            self._print(f"   {'[' + event.pair + '] ' if event.pair else ''}▶ {event.state}")
        if event.pair is None:
            return
        pair = self.pairs.setdefault(event.pair, _Pair(event.pair))
        data = _json(event.data)
        if event.kind == "entered":
            self._entered(event.pair, pair, event.state, data)
        elif event.kind == "exited":
            self._exited(event.pair, pair, event.state, data)
        self._show(pair)

    def _entered(self, name: str, pair: _Pair, state: str, data: dict[str, Any]) -> None:
        if state == "BuildParallelData":
            chapters = self._chapters(data, reference=True)
            self._begin(pair, "aligning", "chapters", chapters, self._reads_counter(data))
        elif state == "Release":
            self._begin(pair, "translating", "chars", pair.total if pair.unit == "chars" else 0, None)
        elif state == "Assemble":  # every chapter of the source is published: the staged ones and the unchanged
            chapters = self._chapters(data, reference=False)
            self._begin(pair, "assembling", "chapters", chapters, self._assembled_counter(name))

    def _exited(self, name: str, pair: _Pair, state: str, data: dict[str, Any]) -> None:
        if state == "BuildParallelData":
            built = data.get("parallel_data", {})
            pair.done = max(pair.done, int(built.get("chapters_aligned", 0)))
            pair.outcomes.append(f"{built.get('pair_count', 0):,} pairs from {built.get('chapters_aligned', 0)} ch")
        elif state == "Stage":
            stage = data.get("stage", {})
            chars, documents = int(stage.get("characters", 0)), int(stage.get("documents", 0))
            pair.outcomes.append(f"staged {documents} ch / {chars:,} chars")
            self._begin(pair, "staged", "chars", chars, None)
        elif state == "TranslateJobs":
            pair.done = pair.total
            pair.outcomes.append(f"translated {pair.total:,} chars")
        elif state == "Assemble":
            assembled = data.get("assemble", {})
            pair.done = max(pair.done, int(assembled.get("chapters_published", 0)))
            pair.outcomes.append(f"published {assembled.get('chapters_published', 0)} ch")
            pair.phase, pair.counter = "done", None

    @staticmethod
    def _begin(pair: _Pair, phase: str, unit: str, total: int, counter: Callable[[], int] | None) -> None:
        pair.phase, pair.unit, pair.total, pair.done, pair.counter = phase, unit, total, 0, counter
        pair.baseline = counter() if counter is not None else 0

    # ------------------------------------------------------------------------------------------ live counts
    def _chapters(self, data: dict[str, Any], *, reference: bool) -> int:
        """The source's chapters in the input bucket; with ``reference``, those with a human translation at the same
        path (what BuildParallelData aligns)."""
        if self.runtime is None:
            return 0
        task = data.get("task", {}).get("pair", {})
        source = f"{config.SOURCE_PREFIX}{task.get('source', '')}/"
        bucket = self.runtime.names.input_bucket
        sources = {key.removeprefix(source) for key in self.runtime.list_keys(bucket, source) if key.endswith(".md")}
        if not reference:
            return len(sources)
        prefix = str(task.get("reference_prefix", ""))
        return sum(1 for key in self.runtime.list_keys(bucket, prefix) if key.removeprefix(prefix) in sources)

    def _reads_counter(self, data: dict[str, Any]) -> Callable[[], int] | None:
        if self.runtime is None:
            return None
        reference = str(data.get("task", {}).get("pair", {}).get("reference_prefix", ""))
        arn = f"arn:aws:s3:::{self.runtime.names.input_bucket}/{reference}"
        return self._counter("BuildParallelData", "s3:GetObject", arn)

    def _assembled_counter(self, pair_name: str) -> Callable[[], int] | None:
        if self.runtime is None:
            return None
        arn = f"arn:aws:s3:::{self.runtime.names.output_bucket}/{config.STATE_PREFIX}{pair_name}/source/"
        return self._counter("Assemble", "s3:PutObject", arn)

    def _counter(self, function_id: str, action: str, arn_prefix: str) -> Callable[[], int]:
        runtime, principal = self.runtime, function_principal(function_id)
        assert runtime is not None

        def count() -> int:
            for _ in range(5):  # the handlers' threads add records while this one reads
                try:
                    calls = list(runtime.calls.items())
                except RuntimeError:
                    continue
                return sum(
                    n
                    for c, n in calls
                    if c.principal == principal and c.action == action and c.resource.startswith(arn_prefix)
                )
            return 0

        return count

    def _tick(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            with self.lock:
                for pair in self.pairs.values():
                    if pair.counter is not None:
                        pair.done = max(pair.done, pair.counter() - pair.baseline)
                    self._show(pair)

    # -------------------------------------------------------------------------------------------- rendering
    def _show(self, pair: _Pair) -> None:
        if self.progress is None:
            return
        if pair.phase == "done":
            pair.done = pair.total = max(pair.total, pair.done, 1)
        total = max(pair.total, pair.done, 1)
        detail = " · ".join(pair.outcomes)
        description = f"{pair.name:<7} {pair.phase:<11}"
        fields: dict[str, Any] = {"unit": pair.unit, "detail": detail, "since": pair.since}
        if pair.task is None:
            pair.task = self.progress.add_task(description, total=total, **fields)
        if pair.shown != pair.phase:  # a new unit of work: its own bar and ETA, the pair's timer goes on
            self.progress.reset(pair.task, total=total, completed=0, description=description, **fields)
            pair.shown = pair.phase
        self.progress.update(
            pair.task, description=description, total=total, completed=pair.done, unit=pair.unit, detail=detail
        )

    def _print(self, text: str) -> None:
        if self.progress is not None:
            self.progress.console.print(text, highlight=False, markup=False)
            if self.stream is sys.stdout:
                return
        self.stream.write(text + "\n")
        self.stream.flush()

    def _note(self, text: str) -> None:
        """Information: on the live display, or as a line with ``-v``."""
        if self.progress is not None or Verbosity.verbose:
            self._print(text)


def _json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}
