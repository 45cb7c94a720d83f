"""Over-broad trust and resource policies: who besides the stack's own roles may act, and on what.

- Trust policies: a role may trust only the one service that runs it (``Principal.service``), for ``sts:AssumeRole``
  only; a role assumed by a service on behalf of a job (Translate's data-access role) must also carry the
  confused-deputy conditions ``aws:SourceAccount`` (this account) and ``aws:SourceArn`` (that service, this account)
  (Amazon Translate Developer Guide, async-prereqs.md, "Example Trust policy"; IAM User Guide, "The confused deputy
  problem").
- Resource policies (bucket, queue, topic, key): an ``Allow`` to ``*`` is always reported (the stack's resource
  policies may hold only the TLS-only ``Deny`` for everyone); any other ``Allow`` must be one of the service-to-resource
  grants the stack's wiring needs (``needed_service_grants``), with that grant's conditions, or allow-listed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from amts_local.iam.allowlist import ALLOWLIST, AllowEntry, covering_entry, placeholders
from amts_local.iam.breadth import BreadthReport, Finding
from amts_local.iam.evaluate import account_root, has_wildcard, split_operator, wildcard_match
from amts_local.iam.model import ANYONE, Principal, Statement
from amts_local.iam.template import StackModel

# Services that assume a role for a job started by someone else, and so need the confused-deputy conditions.
CONFUSED_DEPUTY_SERVICES = {"translate.amazonaws.com": "translate"}


@dataclass(frozen=True)
class ServiceGrant:
    """A grant a resource policy must make for the stack to work: who, which actions, where, on which conditions."""

    principal: str
    actions: frozenset[str]  # lower case
    resources: tuple[str, ...]  # patterns the statement's resources must fall within
    conditions: Mapping[str, str]  # condition key (lower case) -> the exact value the statement must require
    reason: str


def needed_service_grants(model: StackModel) -> list[ServiceGrant]:
    """The service-to-resource grants the stack's wiring needs, derived from the template."""
    grants = []
    for delivery in model.rule_deliveries:
        for queue in delivery.target_arns:
            grants.append(
                ServiceGrant(
                    "Service:events.amazonaws.com",
                    frozenset({"sqs:sendmessage"}),
                    (queue,),
                    {"aws:sourcearn": delivery.source_arn},
                    "EventBridge delivers the rule's events (and its dead letters) to the queue",
                )
            )
    for logging in model.access_logging:
        grants.append(
            ServiceGrant(
                "Service:logging.s3.amazonaws.com",
                frozenset({"s3:putobject"}),
                (f"{logging.destination_arn}/{logging.prefix}*",),
                {"aws:sourcearn": logging.source_arn, "aws:sourceaccount": model.names.account},
                "S3 server access logging delivers the source bucket's logs",
            )
        )
    alarmed = {arn for alarm in model.alarms for arn in alarm.target_arns}
    for topic in model.topics:
        if topic.key_arn is not None and topic.arn in alarmed:
            grants.append(
                ServiceGrant(
                    "Service:cloudwatch.amazonaws.com",
                    frozenset({"kms:decrypt", "kms:generatedatakey", "kms:generatedatakey*"}),
                    ("*", topic.key_arn),
                    {"aws:sourceaccount": model.names.account},
                    "CloudWatch alarms publish to the topic, encrypted with its key",
                )
            )
        if topic.arn in alarmed:
            grants.append(
                ServiceGrant(
                    "Service:cloudwatch.amazonaws.com",
                    frozenset({"sns:publish"}),
                    (topic.arn,),
                    {"aws:sourceaccount": model.names.account},
                    "CloudWatch alarms publish to the topic",
                )
            )
    for policy in model.resource_policies:
        if policy.kind == "kms":
            grants.append(
                ServiceGrant(
                    account_root(model.names.account),
                    frozenset({"kms:*"}),
                    ("*", *policy.arns),
                    {},
                    "the default key policy: lets IAM policies grant the key and keeps it manageable "
                    "(KMS Developer Guide, 'Default key policy')",
                )
            )
    return grants


def _requires(statement: Statement, key: str, value: str) -> bool:
    """Whether the statement requires ``key`` to be exactly ``value`` (every listed value equal, no wildcard)."""
    for operator, keys in statement.conditions.items():
        qualifier, base, if_exists = split_operator(operator)
        if qualifier is not None or if_exists or base not in ("StringEquals", "StringLike", "ArnEquals", "ArnLike"):
            continue
        for name, wanted in keys.items():
            if name.lower() == key and wanted and all(w == value for w in wanted):
                return True
    return False


def _covered_by_need(
    statement: Statement, principal: str, action: str, resource: str, needs: list[ServiceGrant]
) -> bool:
    return any(
        need.principal == principal
        and action.lower() in need.actions
        and any(wildcard_match(pattern, resource) for pattern in need.resources)
        and all(_requires(statement, key, value) for key, value in need.conditions.items())
        for need in needs
    )


def resource_policy_breadth(model: StackModel, *, entries: Sequence[AllowEntry] = ALLOWLIST) -> BreadthReport:
    report = BreadthReport()
    needs = needed_service_grants(model)
    values = placeholders(model, None)
    for policy in model.resource_policies:
        governed = policy.arns[0] if policy.arns else policy.source
        for statement in policy.statements:
            if statement.effect != "Allow":
                continue
            where = ", ".join(statement.resources) or governed
            if ANYONE in statement.principals or statement.not_principals:
                report.findings.append(
                    Finding(
                        ANYONE,
                        "public",
                        ", ".join(statement.actions or statement.not_actions),
                        where,
                        "a resource policy allows anyone (or everyone but someone)",
                        statement.label,
                    )
                )
                continue
            if statement.not_actions or statement.not_resources:
                report.findings.append(
                    Finding(
                        ", ".join(statement.principals),
                        "resource-policy",
                        "NotAction/NotResource",
                        where,
                        "a resource policy grants by exclusion",
                        statement.label,
                    )
                )
                continue
            for principal in statement.principals:
                for action in statement.actions:
                    for resource in statement.resources or (governed,):
                        if _covered_by_need(statement, principal, action, resource, needs):
                            continue
                        found = Finding(
                            principal,
                            "resource-policy",
                            action,
                            resource,
                            "not a service grant the stack needs (or without its conditions)",
                            statement.label,
                        )
                        entry = covering_entry(principal, action, resource, values=values, entries=entries)
                        if entry is not None:
                            report.covered.append((found, entry))
                            report.used.append((entry, False))  # service calls are never recorded
                        else:
                            report.findings.append(found)
    return report


def trust_breadth(model: StackModel) -> BreadthReport:
    report = BreadthReport()
    for role in model.principals.values():
        for statement in role.trust:
            if statement.effect != "Allow":
                continue
            report.findings += [
                Finding(role.name, "trust", action, role.role_arn, detail, statement.label)
                for action, detail in _trust_problems(role, statement, model.names.account)
            ]
    return report


def _trust_problems(role: Principal, statement: Statement, account: str) -> Iterator[tuple[str, str]]:
    """(action, what is wrong) for each way an allowing trust statement is broader than the role's one service."""
    expected = f"Service:{role.service}"
    others = [p for p in statement.principals if p != expected]
    if others or statement.not_principals or not statement.principals:
        who = others or [f"NotPrincipal {list(statement.not_principals)}"]
        yield "sts:AssumeRole", f"trusts {who}; it needs only {role.service}"
    actions = [a for a in statement.actions if a.lower() != "sts:assumerole"] + list(statement.not_actions)
    if actions:
        yield ", ".join(actions), "a trust policy granting more than sts:AssumeRole"
    service_prefix = CONFUSED_DEPUTY_SERVICES.get(role.service)
    if service_prefix is not None and expected in statement.principals:
        missing = _confused_deputy_gaps(statement, service_prefix, account)
        if missing:
            yield "sts:AssumeRole", f"no confused-deputy condition: {'; '.join(missing)}"


def _confused_deputy_gaps(statement: Statement, service: str, account: str) -> list[str]:
    gaps = []
    if not _requires(statement, "aws:sourceaccount", account):
        gaps.append(f"aws:SourceAccount must equal {account}")
    arns = [
        value
        for operator, keys in statement.conditions.items()
        if split_operator(operator)[1] in ("ArnLike", "ArnEquals", "StringLike", "StringEquals")
        and not split_operator(operator)[2]
        for key, wanted in keys.items()
        if key.lower() == "aws:sourcearn"
        for value in wanted
    ]
    scoped = arns and all(
        len(parts := arn.split(":", 5)) == 6
        and parts[2] == service
        and parts[4] == account
        and not has_wildcard(parts[4])
        for arn in arns
    )
    if not scoped:
        gaps.append(f"aws:SourceArn must name {service} in account {account}")
    return gaps
