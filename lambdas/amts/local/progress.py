"""Live progress of local executions: states as they run, one line per language pair, a bar per pair.

On a terminal the block of lines is redrawn in place; when stdout is not a TTY (CI, a pipe, a log file) every
state change is one plain line, so the output stays readable in logs.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any, TextIO

from amts.local.runtime import ProgressEvent

BAR_WIDTH = 24


def pair_states(definition: str) -> set[str]:
    """Names of the states inside the state machine's Map iterations (the per-pair steps), branches included."""
    names: set[str] = set()

    def visit(node: dict[str, Any], inside_map: bool) -> None:
        for name, state in node.get("States", {}).items():
            if inside_map:
                names.add(name)
            processor = state.get("ItemProcessor") or state.get("Iterator")
            if processor:
                visit(processor, True)
            for branch in state.get("Branches", []):
                visit(branch, inside_map)

    visit(json.loads(definition), False)
    return names


@dataclass
class _PairLine:
    state: str = "waiting"
    done: set[str] = field(default_factory=set)
    failed: str | None = None
    finished: bool = False
    started: float = field(default_factory=time.monotonic)


class ProgressDisplay:
    """Receives ``ProgressEvent``s (from ``LocalRuntime.wait_for_execution``) and shows them."""

    def __init__(self, *, stream: TextIO | None = None, per_pair_states: set[str] | None = None) -> None:
        self.stream = stream or sys.stdout
        self.interactive = bool(getattr(self.stream, "isatty", lambda: False)())
        self.per_pair_states = per_pair_states or set()
        self.pairs: dict[str, _PairLine] = {}
        self.lines_drawn = 0
        self.lock = threading.Lock()
        self.title = ""

    def start(self, title: str) -> None:
        with self.lock:
            self.title = title
            self.pairs.clear()
            self.lines_drawn = 0
            self._print(f"== {title}")

    def __call__(self, event: ProgressEvent) -> None:
        with self.lock:
            self._handle(event)

    def _handle(self, event: ProgressEvent) -> None:
        if event.kind == "execution":
            self._finish_pairs(event.state)
            self._redraw()
            self._print(f"   execution {event.state.lower()}")
            self.lines_drawn = 0
            return
        if event.kind == "failed":
            line = self.pairs.get(event.pair or "") if event.pair else None
            if line is not None:
                line.failed = event.detail
            if not self.interactive:
                self._print(f"   ! {event.detail}")
            return
        if event.pair is None or event.state not in self.per_pair_states:
            if event.kind == "entered":
                if self.interactive:
                    self._redraw(extra=f"   ▶ {event.state}")
                else:
                    self._print(f"   ▶ {event.state}")
            return
        line = self.pairs.setdefault(event.pair, _PairLine())
        if event.kind == "entered":
            line.state = event.state
            if not self.interactive:
                self._print(f"   [{event.pair}] ▶ {event.state}")
        elif event.kind == "exited":
            line.done.add(event.state)
        self._redraw()

    def _finish_pairs(self, status: str) -> None:
        for line in self.pairs.values():
            line.finished = True
            line.state = "done" if status == "Succeeded" and line.failed is None else line.state

    def _bar(self, line: _PairLine) -> str:
        total = max(1, len(self.per_pair_states))
        fraction = 1.0 if line.finished and line.failed is None else min(len(line.done) / total, 0.99)
        filled = round(fraction * BAR_WIDTH)
        return f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {int(fraction * 100):3d}%"

    def _redraw(self, extra: str | None = None) -> None:
        if not self.interactive:
            return
        if self.lines_drawn:
            self.stream.write(f"\x1b[{self.lines_drawn}F\x1b[J")
        lines = []
        for pair, line in sorted(self.pairs.items()):
            status = "FAILED" if line.failed else line.state
            elapsed = time.monotonic() - line.started
            lines.append(f"   {pair:<8} {self._bar(line)}  {status:<28} {elapsed:6.1f}s")
        if extra:
            lines.append(extra)
        for text in lines:
            self.stream.write(text + "\n")
        self.stream.flush()
        self.lines_drawn = len(lines)

    def _print(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def message(self, text: str) -> None:
        """A line outside the live block (a step of the scenario)."""
        with self.lock:
            self.lines_drawn = 0
            self._print(text)
