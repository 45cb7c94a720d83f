"""Live progress: plain lines when stdout is not a terminal, a redrawn block with a bar per pair when it is."""

from __future__ import annotations

import io
import json

from amts.local.progress import ProgressDisplay, pair_states
from amts.local.runtime import ProgressEvent

DEFINITION = json.dumps(
    {
        "StartAt": "Plan",
        "States": {
            "Plan": {"Type": "Pass", "Next": "Pairs"},
            "Pairs": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "Stage",
                    "States": {
                        "Stage": {"Type": "Pass", "Next": "Jobs"},
                        "Jobs": {
                            "Type": "Parallel",
                            "Branches": [{"StartAt": "Act", "States": {"Act": {"Type": "Pass", "End": True}}}],
                            "End": True,
                        },
                    },
                },
                "End": True,
            },
        },
    }
)


def _event(kind: str, state: str, pair: str | None = None) -> ProgressEvent:
    return ProgressEvent("arn:exec", kind, state, pair, "", 0.0)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _feed(display: ProgressDisplay) -> None:
    display.start("run")
    display(_event("entered", "Plan"))
    for state in ("Stage", "Jobs", "Act"):
        display(_event("entered", state, "en-zh"))
        display(_event("exited", state, "en-zh"))
    display(_event("entered", "Stage", "en-es"))
    display(_event("execution", "Succeeded"))


def test_the_per_pair_states_include_parallel_branches() -> None:
    assert pair_states(DEFINITION) == {"Stage", "Jobs", "Act"}


def test_plain_lines_when_not_a_terminal() -> None:
    stream = io.StringIO()
    _feed(ProgressDisplay(stream=stream, per_pair_states=pair_states(DEFINITION)))
    text = stream.getvalue()
    assert "\x1b[" not in text
    assert "   ▶ Plan" in text
    assert "[en-zh] ▶ Stage" in text
    assert "[en-es] ▶ Stage" in text
    assert text.rstrip().endswith("execution succeeded")


def test_a_redrawn_block_with_bars_on_a_terminal() -> None:
    stream = _Terminal()
    _feed(ProgressDisplay(stream=stream, per_pair_states=pair_states(DEFINITION)))
    text = stream.getvalue()
    assert "\x1b[" in text  # cursor movement: the block is redrawn in place
    assert "en-zh    [########################] 100%  done" in text
    assert "en-es" in text
