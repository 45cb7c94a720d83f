"""Live progress of long commands on standard error, in units of work, with elapsed time and an ETA (``rich``).

Shown only on a terminal and without ``-q``: in a pipe, a log or CI, a command prints its results and nothing
else. ``rich`` redraws on its own clock, so the elapsed time moves even while one long file is being aligned.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from amts_local.cli.options import Verbosity

Advance = Callable[[Path, str], None]
"""Called after each file with the file done and a short account of the work so far (e.g. "1,234 pairs")."""


def live(stream: TextIO | None = None) -> bool:
    """Whether live progress is wanted: a terminal on ``stream`` (standard error by default) and no ``-q``."""
    target = stream or sys.stderr
    return not Verbosity.quiet and bool(getattr(target, "isatty", lambda: False)())


def note(message: str) -> None:
    """Information about an expected condition (not a warning), one line on standard error; silent with ``-q``."""
    if not Verbosity.quiet:
        print(f"amts {message}", file=sys.stderr)


class ElapsedColumn(ProgressColumn):
    """Time since the task's ``since`` field when it has one (kept across ``Progress.reset``, which a task that moves
    to another unit of work needs for an honest ETA), else since the task started."""

    def render(self, task: Task) -> Text:
        since = task.fields.get("since")
        elapsed = time.monotonic() - since if isinstance(since, float) else (task.elapsed or 0.0)
        minutes, seconds = divmod(int(elapsed), 60)
        hours, minutes = divmod(minutes, 60)
        return Text(f"{hours}:{minutes:02d}:{seconds:02d}", style="progress.elapsed")


def work_progress(*, stream: TextIO | None = None) -> Progress:
    """A ``rich`` progress display: what is done of how much, in the task's unit, elapsed time and ETA.

    Tasks take the fields ``unit`` (e.g. "files", "chars") and ``detail`` (free text after the counts). Disabled,
    so that it prints nothing, when ``live()`` is false."""
    target = stream or sys.stderr
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(bar_width=24),
        TextColumn("{task.completed:,.0f}/{task.total:,.0f} {task.fields[unit]}"),
        TextColumn("{task.fields[detail]}"),
        ElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(file=target),
        disable=not live(target),
        refresh_per_second=4,
    )


@contextmanager
def file_progress(description: str, files: Sequence[Path]) -> Iterator[Advance]:
    """Progress over ``files`` counted in source bytes (so one long chapter weighs what it costs), files done as
    the detail. Yields ``advance(file, detail)``."""
    sizes = {path: _size(path) for path in files}
    done = 0
    with work_progress() as progress:
        task = progress.add_task(description, total=sum(sizes.values()) or 1, unit="bytes", detail="")

        def advance(path: Path, detail: str) -> None:
            nonlocal done
            done += 1
            progress.update(task, advance=sizes.get(path, 0), detail=f"{done}/{len(files)} files, {detail}")

        yield advance


@contextmanager
def counted_progress(description: str, total: int, unit: str) -> Iterator[Callable[[str], None]]:
    """Progress over ``total`` units of work; yields ``advance(detail)`` to call after each."""
    with work_progress() as progress:
        task: TaskID = progress.add_task(description, total=max(total, 1), unit=unit, detail="")

        def advance(detail: str) -> None:
            progress.update(task, advance=1, detail=detail)

        yield advance


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # reading it will name the problem
        return 0
