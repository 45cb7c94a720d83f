"""``TranslateStandIn``: the operations of every part, one lock, one dispatcher, and the boto3 hooks."""

from __future__ import annotations

import contextlib
import copy
import functools
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from botocore.exceptions import ClientError

from amts_local.standin.core import ServiceError
from amts_local.standin.faults import FaultInjection
from amts_local.standin.hooks import BotocoreHooks
from amts_local.standin.jobs import JobOps
from amts_local.standin.realtime import RealTimeOps


class TranslateStandIn(JobOps, RealTimeOps, FaultInjection):
    """Amazon Translate, offline. ``s3_client`` reads inputs and writes outputs (moto in tests)."""

    @functools.cached_property
    def hooks(self) -> BotocoreHooks:
        """The boto3 hooks that route Translate calls to ``call``."""
        return BotocoreHooks(
            lambda operation, params, region: self.call(operation, params, region=region), default_region=self.region
        )

    @property
    def unmodelled_errors(self) -> list[tuple[str, str]]:
        """(operation, error code) answered but not in botocore's model: a stand-in bug; tests check it stays empty."""
        return self.hooks.unmodelled_errors

    def install(self, *targets: Any) -> None:
        """Hook into boto3: a ``boto3.Session``, a botocore session, a client, or (none given) the default session."""
        self.hooks.install(*targets)

    def uninstall(self) -> None:
        self.hooks.uninstall()

    @contextlib.contextmanager
    def installed(self, *targets: Any) -> Iterator[TranslateStandIn]:
        self.install(*targets)
        try:
            yield self
        finally:
            self.uninstall()

    def call(self, operation: str, params: dict[str, Any], *, region: str | None = None) -> dict[str, Any]:
        """Answer one API call (the hook's entry point); raises ``ServiceError``."""
        with self._lock:
            self.clock.tick()
            self.calls.append((operation, copy.deepcopy(params)))
            for k, wanted in enumerate(self.faults.throttles):
                if wanted is None or wanted == operation:
                    del self.faults.throttles[k]
                    raise ServiceError("TooManyRequestsException", "You have made too many requests. Slow down.")
            if operation not in self.OPERATIONS:
                raise ServiceError("InvalidRequestException", f"The stand-in does not implement {operation}.")
            self._refresh()
            handler: Callable[[dict[str, Any], str], dict[str, Any]] = getattr(self, "_op_" + _snake(operation))
            body = handler(params, region or self.region)
            metadata = body.setdefault("ResponseMetadata", {"HTTPStatusCode": 200, "HTTPHeaders": {}})
            metadata.setdefault("RequestId", str(uuid.uuid4()))
            metadata.setdefault("HTTPHeaders", {})["x-amts-standin"] = "true"
            return body

    def client_error(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """``call`` for code that does not go through boto3: errors raised as botocore ``ClientError``."""
        try:
            return self.call(operation, params)
        except ServiceError as exc:
            raise ClientError(exc.response(), operation) from None

    def _refresh(self) -> None:
        now = self.clock.now()
        self._refresh_parallel_data(now)
        self._advance_jobs(now)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
