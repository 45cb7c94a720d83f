"""Replay recorded calls against the template: every call must be allowed, and each grant learns which calls it let
through (what the breadth check judges it by)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from amts_local.awscalls import CallRecord
from amts_local.iam.model import Statement
from amts_local.iam.template import StackModel


@dataclass(frozen=True)
class Violation:
    call: CallRecord
    reason: str


@dataclass(frozen=True)
class Grant:
    """One action pattern on one resource pattern of one statement (None: the statement's NotAction/NotResource)."""

    principal: str
    statement: Statement
    action: str | None
    resource: str | None


@dataclass
class ReplayReport:
    violations: list[Violation]
    usage: dict[Grant, list[CallRecord]] = field(default_factory=dict)  # identity-based grants -> calls allowed
    resource_usage: dict[Statement, list[CallRecord]] = field(default_factory=dict)  # resource-policy statements
    checked_calls: int = 0
    principals: list[str] = field(default_factory=list)

    def calls_of(self, grant: Grant) -> list[CallRecord]:
        return self.usage.get(grant, [])

    def summary(self) -> str:
        lines = [f"{self.checked_calls} distinct calls checked for {len(self.principals)} principals"]
        lines += [
            f"DENIED {v.call.principal}: {v.call.action} on {v.call.resource} "
            f"{dict(v.call.conditions) or ''} ({v.call.operation}: {v.reason})"
            for v in self.violations
        ]
        return "\n".join(lines)


def replay(calls: Iterable[CallRecord], model: StackModel, *, principals: Iterable[str] | None = None) -> ReplayReport:
    """Check each call of the stack's principals (or of ``principals``); others (the local user) are not checked."""
    checked = set(principals) if principals is not None else set(model.principals)
    report = ReplayReport(violations=[], principals=sorted(checked))
    for call in calls:
        if call.principal not in checked:
            continue
        report.checked_calls += 1
        if call.principal not in model.principals:
            report.violations.append(Violation(call, "no role for this principal in the template"))
            continue
        decision = model.decide(model.request_for(call))
        if not decision.allowed:
            report.violations.append(Violation(call, decision.reason))
            continue
        for match in decision.allows:
            grant = Grant(call.principal, match.statement, match.action, match.resource)
            report.usage.setdefault(grant, []).append(call)
        for match in decision.resource_allows:
            report.resource_usage.setdefault(match.statement, []).append(call)
    return report
