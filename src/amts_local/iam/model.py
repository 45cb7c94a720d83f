"""The IAM vocabulary the evaluator works in: statements, policies, principals, requests and decisions.

Everything here is already resolved: ARNs and names are concrete strings (``amts_local.iam.resolve`` turned the
template's intrinsics into the local runtime's names), so evaluating a request is pure string matching.

Principals inside policies are written as ``"*"`` (anyone), ``"AWS:<arn>"``, ``"Service:<name>"``,
``"Federated:<id>"`` or ``"CanonicalUser:<id>"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

ANYONE = "*"
PolicyKind = Literal["identity", "trust", "s3", "sqs", "sns", "kms"]
Conditions = Mapping[str, Mapping[str, tuple[str, ...]]]  # operator -> condition key -> values
Context = Mapping[str, tuple[str, ...]]  # condition key (lower case) -> values (multi-valued keys have several)


@dataclass(frozen=True, eq=False)
class Statement:
    """One policy statement; exactly one of ``actions``/``not_actions`` and of ``resources``/``not_resources``.

    Statements compare (and hash) by identity: two identical statements in a template are still two grants."""

    effect: Literal["Allow", "Deny"]
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    principals: tuple[str, ...] = ()  # resource and trust policies only
    not_principals: tuple[str, ...] = ()
    conditions: Conditions = field(default_factory=dict)
    sid: str | None = None
    source: str = ""  # logical id of the policy (or role) it was read from
    index: int = 0  # its position in that policy document

    @property
    def label(self) -> str:
        return f"{self.source}[{self.sid or self.index}]"


@dataclass(frozen=True)
class ResourcePolicy:
    """A policy attached to a resource: bucket, queue, topic or key policy (``arns`` are what it governs)."""

    kind: PolicyKind
    source: str
    arns: tuple[str, ...]
    statements: tuple[Statement, ...]

    def governs(self, resource: str) -> bool:
        if self.kind == "s3":
            return any(resource == arn or resource.startswith(arn + "/") for arn in self.arns)
        return resource in self.arns


@dataclass(frozen=True)
class Principal:
    """A role of the stack, named the way people talk about it (``function:Stage``, ``state-machine``, ...)."""

    name: str
    role_logical_id: str
    role_arn: str
    service: str  # the one service that must be able to assume the role, e.g. "lambda.amazonaws.com"
    statements: tuple[Statement, ...]  # identity-based: inline and attached policies
    trust: tuple[Statement, ...]  # the role's AssumeRolePolicyDocument
    managed_policies: tuple[str, ...] = ()
    log_groups: tuple[str, ...] = ()  # ARNs of the log groups its function or state machine writes to
    function_logical_id: str | None = None


@dataclass(frozen=True)
class Request:
    """One authorization request: who (as policy principals), which action, on what, with which context."""

    principal: str  # friendly name, for reports
    identities: tuple[str, ...]  # how resource policies name the caller, e.g. ("AWS:arn:aws:iam::1:role/r",)
    account: str
    action: str
    resource: str
    context: Context = field(default_factory=dict)


@dataclass(frozen=True)
class Match:
    """A statement that applied, with the action and resource pattern that matched (None for Not* elements)."""

    statement: Statement
    action: str | None
    resource: str | None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    allows: tuple[Match, ...] = ()  # identity-based statements that allowed the request
    resource_allows: tuple[Match, ...] = ()  # resource-based statements that allowed it
    denies: tuple[Match, ...] = ()


def context_of(pairs: tuple[tuple[str, str], ...] | Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """A request context from ``(key, value)`` pairs (a key given twice is multi-valued); keys are case-insensitive."""
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    context: dict[str, tuple[str, ...]] = {}
    for key, value in items:
        context[key.lower()] = (*context.get(key.lower(), ()), value)
    return context
