"""Live progress of a local run: work per pair (chapters aligned, characters staged and translated, chapters
assembled) on a terminal; titles and outcomes as plain lines elsewhere; expected conditions as information."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from amts_local import progress
from amts_local.cli import progress as cli_progress
from amts_local.cli.options import Verbosity
from amts_local.progress import ProgressDisplay, expected_condition
from amts_local.runtime import ProgressEvent

FIRST_RUN = "translate.ResourceNotFoundException: The parallel data resource amts-en-zh does not exist."


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _event(kind: str, state: str, pair: str | None = None, data: dict[str, Any] | None = None) -> ProgressEvent:
    return ProgressEvent("arn:exec", kind, state, pair, "", 0.0, json.dumps(data or {}))


def _failed(detail: str) -> ProgressEvent:
    return ProgressEvent("arn:exec", "failed", "", None, detail, 0.0)


def _feed(display: ProgressDisplay) -> None:
    display.start("run")
    display(_event("entered", "Plan"))
    display(_event("entered", "BuildParallelData", "en-zh", {"task": {"pair": {"source": "en", "target": "zh"}}}))
    display(
        _event("exited", "BuildParallelData", "en-zh", {"parallel_data": {"pair_count": 1234, "chapters_aligned": 2}})
    )
    display(_event("exited", "Stage", "en-zh", {"stage": {"documents": 2, "characters": 5000}}))
    display(_failed(FIRST_RUN))
    display(_event("entered", "Release", "en-zh"))
    display(_event("exited", "TranslateJobs", "en-zh"))
    display(_event("entered", "Assemble", "en-zh", {"stage": {"documents": 2}}))
    display(_event("exited", "Assemble", "en-zh", {"assemble": {"chapters_published": 2}}))
    display(_event("entered", "BuildParallelData", "en-es", {"task": {"pair": {"source": "en", "target": "es"}}}))
    display(_event("execution", "Succeeded"))


@pytest.fixture(autouse=True)
def _default_verbosity() -> Any:
    yield
    Verbosity.quiet, Verbosity.verbose = False, 0


def test_a_first_run_without_parallel_data_is_expected_and_a_real_failure_is_not() -> None:
    assert expected_condition(FIRST_RUN) == "parallel data amts-en-zh does not exist yet (a first run): it is created"
    assert expected_condition("States.TaskFailed: the handler raised KeyError") is None


def test_plain_lines_when_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given standard error is not a terminal (a pipe, a log, CI)
    monkeypatch.setattr(progress, "live", lambda stream=None: False)
    stream = io.StringIO()
    _feed(ProgressDisplay(stream=stream))
    text = stream.getvalue()
    # Then the title and the outcome are plain lines, and the expected condition is no warning
    assert "\x1b[" not in text
    assert text.splitlines() == ["== run", "   execution succeeded"]
    # And a real caught failure is shown as one
    display = ProgressDisplay(stream=stream)
    display(_failed("States.TaskFailed: the handler raised KeyError"))
    assert stream.getvalue().splitlines()[-1] == "   ! States.TaskFailed: the handler raised KeyError"


def test_verbose_prints_every_step_and_the_expected_condition_as_information(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "live", lambda stream=None: False)
    Verbosity.verbose = 1
    stream = io.StringIO()
    _feed(ProgressDisplay(stream=stream))
    lines = stream.getvalue().splitlines()
    assert "   [en-zh] ▶ BuildParallelData" in lines
    assert "   · parallel data amts-en-zh does not exist yet (a first run): it is created" in lines
    assert not [line for line in lines if line.startswith("   !")]


def test_a_terminal_shows_work_per_pair_with_a_timer(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given standard error is a terminal
    terminal = _Terminal()
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(progress, "live", lambda stream=None: True)
    monkeypatch.setattr(progress, "work_progress", lambda: cli_progress.work_progress(stream=terminal))
    monkeypatch.setattr(cli_progress, "live", lambda stream=None: True)
    # When a run's events arrive
    _feed(ProgressDisplay(stream=io.StringIO()))
    text = terminal.getvalue()
    # Then each pair's bar counts the work its steps did, not states (the last frame: the run ended)
    assert "\x1b[" in text  # redrawn in place
    assert "1,234 pairs from 2 ch · staged 2 ch / 5,000 chars · translated 5,000 chars · published 2 ch" in text
    assert "en-zh   done" in text
    assert "2/2 chapters" in text
    assert "en-es   done" in text
    assert "0:00:0" in text  # the pair's elapsed time
    assert "parallel data amts-en-zh does not exist yet (a first run): it is created" in text


def test_quiet_shows_nothing_live(monkeypatch: pytest.MonkeyPatch) -> None:
    Verbosity.quiet = True
    assert cli_progress.live(_Terminal()) is False
