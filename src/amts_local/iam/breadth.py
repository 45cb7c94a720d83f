"""Over-broad identity grants: what a principal may do beyond what the recorded calls (and the allow-list) need.

Each identity grant (one action pattern on one resource pattern of one ``Allow`` statement) is judged by the calls
the replay says it allowed:

- a wildcard action (``s3:*``), ``NotAction`` or ``NotResource`` grants what nobody can enumerate: always reported;
- an action no recorded call used on that resource is reported unless the allow-list covers it;
- ``*`` is too wide unless the action has no resource-level permissions (``allowlist.NO_RESOURCE_LEVEL``);
- an S3 object pattern ``bucket/<literal>*`` is too wide unless ``<literal>`` starts with the used prefix
  (``layout.used_prefix``) of a call it allowed; any other wildcard pattern matches more than the recorded resources;
- ``s3:ListBucket`` needs an ``s3:prefix`` condition whose every value some call used, each no wider than the used
  prefixes of the listings it allowed;
- ``iam:PassRole`` needs a named role and an ``iam:PassedToService`` condition; managed policies are reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from amts_local.awscalls import CallRecord
from amts_local.iam.allowlist import ALLOWLIST, NO_RESOURCE_LEVEL, AllowEntry, covering_entry, placeholders
from amts_local.iam.evaluate import has_wildcard, split_operator, wildcard_match
from amts_local.iam.layout import literal_part, used_prefix
from amts_local.iam.model import Principal, Statement
from amts_local.iam.replay import Grant, ReplayReport
from amts_local.iam.template import StackModel

S3_ARN = "arn:aws:s3:::"


@dataclass(frozen=True)
class Finding:
    principal: str  # a principal of the stack, or the principal a resource policy names
    check: str  # what is too broad: "unused", "wildcard-action", "wide-resource", "list-prefix", "trust", ...
    action: str
    resource: str
    detail: str
    source: str  # the statement: policy logical id and Sid (or index)

    def __str__(self) -> str:
        return f"{self.principal}: [{self.check}] {self.action} on {self.resource}: {self.detail} ({self.source})"


@dataclass
class BreadthReport:
    findings: list[Finding] = field(default_factory=list)
    covered: list[tuple[Finding, AllowEntry]] = field(default_factory=list)  # what the allow-list accepted
    used: list[tuple[AllowEntry, bool]] = field(default_factory=list)  # each acceptance: did recorded calls use it?

    def extend(self, other: BreadthReport) -> None:
        self.findings += other.findings
        self.covered += other.covered
        self.used += other.used

    def exercised_entries(self) -> list[AllowEntry]:
        """``unexercised`` entries whose every accepted grant recorded calls now use: the entry can go."""
        uses: dict[int, list[bool]] = {}
        for entry, used in self.used:
            uses.setdefault(id(entry), []).append(used)
        return [e for e in {id(e): e for e, _ in self.used}.values() if e.kind == "unexercised" and all(uses[id(e)])]

    def unused_entries(self, entries: Iterable[AllowEntry] = ALLOWLIST) -> list[AllowEntry]:
        """Allow-list entries that covered nothing (stale: the grant is gone, or a scenario now records it)."""
        used = {id(entry) for _, entry in self.covered}
        return [entry for entry in entries if id(entry) not in used]

    def summary(self) -> str:
        return "\n".join(str(finding) for finding in self.findings) or "no over-broad grant"


class _Judge:
    def __init__(
        self,
        model: StackModel,
        replay: ReplayReport,
        prefixes: Sequence[str],
        entries: Sequence[AllowEntry],
        principal: Principal,
    ) -> None:
        self.model, self.replay, self.prefixes, self.entries = model, replay, prefixes, entries
        self.principal = principal
        self.values = placeholders(model, principal.name)
        self.report = BreadthReport()
        self.called = {
            call.action.lower()
            for grant, calls in replay.usage.items()
            if grant.principal == principal.name
            for call in calls
        }

    def finding(self, check: str, action: str, resource: str, detail: str, statement: Statement) -> Finding:
        found = Finding(self.principal.name, check, action, resource, detail, statement.label)
        self.report.findings.append(found)
        return found

    def covered(self, action: str, resource: str, prefix: str | None = None) -> AllowEntry | None:
        return covering_entry(
            self.principal.name, action, resource, values=self.values, prefix=prefix, entries=self.entries
        )

    def accept(self, entry: AllowEntry, action: str, resource: str, statement: Statement, *, used: bool) -> None:
        found = Finding(self.principal.name, "allow-listed", action, resource, entry.reason, statement.label)
        self.report.covered.append((found, entry))
        self.report.used.append((entry, used))

    def statement(self, statement: Statement) -> None:
        if statement.not_actions:
            self.finding(
                "not-action", f"NotAction {list(statement.not_actions)}", "-", "grants every other action", statement
            )
        if statement.not_resources:
            self.finding(
                "not-resource",
                "-",
                f"NotResource {list(statement.not_resources)}",
                "grants every other resource",
                statement,
            )
        for action in statement.actions:
            if has_wildcard(action):
                self.finding(
                    "wildcard-action",
                    action,
                    ", ".join(statement.resources) or "NotResource",
                    "a wildcard action grants actions no call needs",
                    statement,
                )
            for resource in statement.resources or (None,):
                grant = Grant(self.principal.name, statement, action, resource)
                self.grant(grant, self.replay.calls_of(grant))

    def grant(self, grant: Grant, calls: list[CallRecord]) -> None:
        statement, action, resource = grant.statement, grant.action or "", grant.resource
        text = resource if resource is not None else "NotResource"
        if wildcard_match(action, "iam:PassRole", ignore_case=True):
            self.pass_role(statement, action, text)
        if (
            wildcard_match(action, "s3:ListBucket", ignore_case=True)
            and resource is not None
            and (resource == "*" or (resource.startswith(S3_ARN) and "/" not in resource))
        ):
            self.listing(statement, action, resource, calls)
            return
        entry = self.covered(action, text) if not has_wildcard(action) else None
        if entry is not None:
            self.accept(entry, action, text, statement, used=bool(calls))
            return
        if not calls:
            never = action.lower() not in self.called and not has_wildcard(action)
            detail = "the action was never called" if never else "no recorded call used this grant"
            self.finding("unused", action, text, detail, statement)
            return
        if resource is not None:
            wide = self.too_wide(action, resource, calls)
            if wide is not None:
                self.finding("wide-resource", action, resource, wide, statement)

    def too_wide(self, action: str, pattern: str, calls: list[CallRecord]) -> str | None:
        if pattern == "*":
            return None if action in NO_RESOURCE_LEVEL else "'*' for an action with resource-level permissions"
        if pattern.startswith(S3_ARN):
            bucket, slash, key = pattern.removeprefix(S3_ARN).partition("/")
            if has_wildcard(bucket):
                return "a wildcard in the bucket name"
            if not slash or not has_wildcard(key):
                return None
            used = sorted(
                {used_prefix(c.resource.removeprefix(S3_ARN).partition("/")[2], self.prefixes) for c in calls}
            )
            if any(literal_part(key).startswith(prefix) for prefix in used):
                return None
            return f"{key!r} is wider than the prefixes the calls used: {used}"
        if has_wildcard(pattern):
            recorded = sorted({call.resource for call in calls})
            return f"matches more than the recorded resources {recorded[:3]}{' ...' if len(recorded) > 3 else ''}"
        return None

    def listing(self, statement: Statement, action: str, bucket: str, calls: list[CallRecord]) -> None:
        if bucket == "*" or has_wildcard(bucket):
            self.finding("wide-resource", action, bucket, "s3:ListBucket on more than one named bucket", statement)
        values = []
        for operator, keys in statement.conditions.items():
            qualifier, base, if_exists = split_operator(operator)
            for key, wanted in keys.items():
                if key.lower() == "s3:prefix" and base in ("StringLike", "StringEquals") and not if_exists:
                    values += [(base, value) for value in wanted if qualifier is None]
        if not values:
            self.finding("list-prefix", action, bucket, "s3:ListBucket without an s3:prefix condition", statement)
            return
        for base, value in values:
            prefixes = [dict(c.conditions).get("s3:prefix", "") for c in calls]
            matched = [p for p in prefixes if (wildcard_match(value, p) if base == "StringLike" else p == value)]
            where = f"{bucket} s3:prefix={value}"
            entry = self.covered("s3:ListBucket", bucket, prefix=value)
            if entry is not None:
                self.accept(entry, action, where, statement, used=bool(matched))
                continue
            if not matched:
                self.finding("unused", action, where, "no recorded listing used this prefix", statement)
            elif base == "StringLike" and has_wildcard(value):
                used = sorted({used_prefix(p, self.prefixes) for p in matched})
                if not any(literal_part(value).startswith(prefix) for prefix in used):
                    self.finding("list-prefix", action, where, f"wider than the used prefixes {used}", statement)

    def pass_role(self, statement: Statement, action: str, resource: str) -> None:
        if resource == "NotResource" or has_wildcard(resource):
            self.finding("pass-role", action, resource, "iam:PassRole on any role, not on named roles", statement)
        scoped = any(
            key.lower() == "iam:passedtoservice"
            and split_operator(operator)[1] in ("StringEquals", "StringLike")
            and not split_operator(operator)[2]
            and not any(has_wildcard(v) for v in wanted)
            for operator, keys in statement.conditions.items()
            for key, wanted in keys.items()
        )
        if not scoped:
            self.finding(
                "pass-role", action, resource, "iam:PassRole without an iam:PassedToService condition", statement
            )


def identity_breadth(
    model: StackModel,
    replay: ReplayReport,
    prefixes: Sequence[str],
    *,
    entries: Sequence[AllowEntry] = ALLOWLIST,
) -> BreadthReport:
    """Every identity grant of every principal that allows more than the recorded calls and the allow-list need."""
    report = BreadthReport()
    for principal in model.principals.values():
        judge = _Judge(model, replay, prefixes, entries, principal)
        for arn in principal.managed_policies:
            judge.report.findings.append(
                Finding(
                    principal.name,
                    "managed-policy",
                    "-",
                    arn,
                    "a managed policy nobody here reviewed grant by grant",
                    principal.role_logical_id,
                )
            )
        for statement in principal.statements:
            if statement.effect == "Allow":
                judge.statement(statement)
        report.extend(judge.report)
    return report
