"""The stand-in hooked into boto3 through botocore's events, so unchanged client code talks to it.

``before-parameter-build`` keeps the request's parameters; ``before-call`` answers the call (a short-circuited call
skips botocore's retry handler, so throttling reaches the caller). Hooks must be installed before a client is
created: botocore copies a session's event handlers into each new client.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import botocore.session
from botocore.awsrequest import AWSResponse

from amts_local.standin.core import ServiceError

_HOOK_ID = "amts-translate-standin"

Answer = Callable[[str, dict[str, Any], str | None], dict[str, Any]]


class BotocoreHooks:
    """Routes every Translate call of the hooked sessions or clients to ``answer(operation, params, region)``."""

    def __init__(self, answer: Answer, *, default_region: str) -> None:
        self._answer = answer
        self._default_region = default_region
        self.events: list[Any] = []  # the event emitters hooked, for uninstall
        self.unmodelled_errors: list[tuple[str, str]] = []  # (operation, error code) not in botocore's model

    def install(self, *targets: Any) -> None:
        """Hook into boto3: a ``boto3.Session``, a botocore session, a client, or (none given) the default session."""
        if not targets:
            if boto3.DEFAULT_SESSION is None:
                boto3.setup_default_session()
            targets = (boto3.DEFAULT_SESSION,)
        for target in targets:
            events = _events_of(target)
            events.register("before-parameter-build.translate", _capture_params, unique_id=f"{_HOOK_ID}-params")
            events.register("before-call.translate", self._answer_call, unique_id=f"{_HOOK_ID}-call")
            self.events.append(events)

    def uninstall(self) -> None:
        for events in self.events:
            events.unregister("before-parameter-build.translate", unique_id=f"{_HOOK_ID}-params")
            events.unregister("before-call.translate", unique_id=f"{_HOOK_ID}-call")
        self.events.clear()

    def _answer_call(self, model: Any, context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        params = context.get("amts_translate_params", {})
        region = context.get("client_region") or self._default_region
        url = f"https://translate.{region}.amazonaws.com/"
        try:
            body = self._answer(model.name, params, region)
        except ServiceError as exc:
            if exc.code not in {shape.name for shape in model.error_shapes}:
                self.unmodelled_errors.append((model.name, exc.code))  # a stand-in bug: tests check this stays empty
            return AWSResponse(url, exc.status, {}, None), exc.response()
        return AWSResponse(url, 200, {}, None), body


def _events_of(target: Any) -> Any:
    if isinstance(target, boto3.Session):
        return target._session.get_component("event_emitter")
    if isinstance(target, botocore.session.Session):
        return target.get_component("event_emitter")
    if hasattr(target, "meta") and hasattr(target.meta, "events"):
        return target.meta.events
    raise TypeError(f"cannot install the Translate stand-in on {target!r}")


def _capture_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    # The same dict is filled in later (idempotency tokens), so keep the reference, not a copy.
    context["amts_translate_params"] = params
