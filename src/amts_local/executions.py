"""Executions of the local state machine: listing, history, waiting, and the progress steps a person sees."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}


@dataclass(frozen=True)
class ProgressEvent:
    """One step of an execution, for live progress: a state entered/exited/failed, or the execution's end."""

    execution_arn: str
    kind: str  # "entered", "exited", "failed", "retry", "execution"
    state: str
    pair: str | None
    detail: str
    timestamp: float
    data: str = ""  # the state's input (entered) or output (exited), JSON: what the step did, for counting work


_PAIR_KEYS = ("pair", "pair_key", "language_pair")


def _pair_of(text: str | None) -> str | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key in _PAIR_KEYS:
                found = item.get(key)
                if isinstance(found, str):
                    return found
                if isinstance(found, dict) and "source" in found and "target" in found:
                    return f"{found['source']}-{found['target']}"
            if isinstance(item.get("source"), str) and isinstance(item.get("target"), str):
                return f"{item['source']}-{item['target']}"
            stack.extend(v for v in item.values() if isinstance(v, dict))
    return None


def progress_event(execution_arn: str, event: dict[str, Any]) -> ProgressEvent | None:
    """Turn one history event into a progress step (None for the ones a person need not see)."""
    kind = str(event["type"])
    stamp = event["timestamp"].timestamp() if hasattr(event["timestamp"], "timestamp") else time.time()
    if kind.endswith("StateEntered"):
        details = event.get("stateEnteredEventDetails", {})
        data = details.get("input") or ""
        return ProgressEvent(execution_arn, "entered", details.get("name", ""), _pair_of(data), "", stamp, data)
    if kind.endswith("StateExited"):
        details = event.get("stateExitedEventDetails", {})
        data = details.get("output") or ""
        return ProgressEvent(execution_arn, "exited", details.get("name", ""), _pair_of(data), "", stamp, data)
    if kind in {"TaskFailed", "LambdaFunctionFailed", "MapIterationFailed"}:
        empty: dict[str, Any] = {}
        failure: dict[str, Any] = next((v for k, v in event.items() if k.endswith("EventDetails")), empty)
        detail = f"{failure.get('error', '')}: {str(failure.get('cause', ''))[:200]}"
        return ProgressEvent(execution_arn, "failed", "", None, detail, stamp)
    if kind.startswith("Execution") and kind != "ExecutionStarted":
        return ProgressEvent(execution_arn, "execution", kind.removeprefix("Execution"), None, "", stamp)
    return None


def list_executions(sfn: Any, state_machine_arn: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = sfn.list_executions(stateMachineArn=state_machine_arn)["executions"]
    return found


def execution_history(sfn: Any, execution_arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
    while True:
        page = sfn.get_execution_history(**kwargs)
        events.extend(page["events"])
        if not page.get("nextToken"):
            return events
        kwargs["nextToken"] = page["nextToken"]


def wait_for_execution(
    sfn: Any,
    execution_arn: str,
    *,
    timeout: float = 300.0,
    on_event: Callable[[ProgressEvent], None] | None = None,
    poll_seconds: float = 0.2,
) -> dict[str, Any]:
    """Poll ``describe_execution`` (and the history, for progress) until the execution ends."""
    deadline = time.monotonic() + timeout
    seen = 0
    while True:
        description: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
        if on_event is not None:
            history = execution_history(sfn, execution_arn)
            for event in history[seen:]:
                progress = progress_event(execution_arn, event)
                if progress is not None:
                    on_event(progress)
            seen = len(history)
        if description["status"] in _TERMINAL:
            return description
        if time.monotonic() > deadline:
            raise TimeoutError(f"execution {execution_arn} still {description['status']} after {timeout:.0f} s")
        time.sleep(poll_seconds)
