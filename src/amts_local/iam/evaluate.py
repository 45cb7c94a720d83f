"""The decision for one request, following the IAM policy evaluation logic for a single account.

Rules (IAM User Guide, "Policy evaluation logic" and "IAM JSON policy elements"):

- an explicit ``Deny`` in any applicable policy (identity-based or resource-based) wins;
- otherwise, within one account, an ``Allow`` in the identity-based policies *or* in the resource's policy suffices;
- KMS is the exception: a key policy is always required. The request is allowed when the key policy allows the
  caller itself, or when it allows the account (``arn:aws:iam::<account>:root``, which delegates to IAM) and an
  identity-based policy allows the request (KMS Developer Guide, "Key policies in AWS KMS");
- trust policies are resource-based policies of a role, evaluated for ``sts:AssumeRole`` by a service principal.

Action names match case-insensitively, resources case-sensitively, both with ``*`` and ``?`` wildcards;
``NotAction``/``NotResource``/``NotPrincipal`` match everything not listed. Conditions: every operator and every
key must hold (AND), the values of one key are alternatives (OR; NOR for negated operators). A key absent from the
request fails a condition, except for negated operators (true), ``...IfExists`` (true), ``ForAllValues:`` (true)
and ``Null`` (which tests presence).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from amts_local.iam.model import ANYONE, Context, Decision, Match, Request, ResourcePolicy, Statement


@lru_cache(maxsize=8192)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{body}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM wildcards: ``*`` any run of characters (none included), ``?`` exactly one."""
    return bool(_glob(pattern, ignore_case).match(value))


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


def arn_match(pattern: str, value: str) -> bool:
    """``ArnLike``/``ArnEquals``: each of the six colon-separated parts is matched on its own, wildcards allowed."""
    pattern_parts, value_parts = pattern.split(":", 5), value.split(":", 5)
    if len(pattern_parts) < 6 or len(value_parts) < 6:
        return wildcard_match(pattern, value)
    return all(wildcard_match(p, v) for p, v in zip(pattern_parts, value_parts, strict=True))


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("nan")  # compares false with everything: a non-number never satisfies a numeric condition


_Test = Callable[[str, str], bool]  # (request value, policy value) -> match
_POSITIVE: dict[str, _Test] = {
    "StringEquals": lambda value, wanted: value == wanted,
    "StringEqualsIgnoreCase": lambda value, wanted: value.lower() == wanted.lower(),
    "StringLike": lambda value, wanted: wildcard_match(wanted, value),
    "ArnEquals": lambda value, wanted: arn_match(wanted, value),
    "ArnLike": lambda value, wanted: arn_match(wanted, value),
    "Bool": lambda value, wanted: value.lower() == wanted.lower(),
    "NumericEquals": lambda value, wanted: _number(value) == _number(wanted),
    "NumericLessThan": lambda value, wanted: _number(value) < _number(wanted),
    "NumericLessThanEquals": lambda value, wanted: _number(value) <= _number(wanted),
    "NumericGreaterThan": lambda value, wanted: _number(value) > _number(wanted),
    "NumericGreaterThanEquals": lambda value, wanted: _number(value) >= _number(wanted),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "NumericNotEquals": "NumericEquals",
}
SUPPORTED_OPERATORS = frozenset(_POSITIVE) | frozenset(_NEGATED) | {"Null"}


class UnsupportedCondition(ValueError):
    """A condition operator this evaluator does not implement: refusing is safer than guessing."""


def split_operator(operator: str) -> tuple[str | None, str, bool]:
    """``ForAnyValue:StringLikeIfExists`` -> ("ForAnyValue", "StringLike", True)."""
    qualifier: str | None = None
    if ":" in operator:
        qualifier, operator = operator.split(":", 1)
        if qualifier not in ("ForAnyValue", "ForAllValues"):
            raise UnsupportedCondition(f"unknown set operator {qualifier}")
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    if base not in SUPPORTED_OPERATORS:
        raise UnsupportedCondition(f"condition operator {operator} is not supported")
    return qualifier, base, if_exists


def condition_holds(operator: str, key: str, wanted: Sequence[str], context: Context) -> bool:
    """One ``operator: {key: values}`` entry against the request context."""
    qualifier, base, if_exists = split_operator(operator)
    present = context.get(key.lower(), ())
    if base == "Null":
        return any((not present) == (value.lower() == "true") for value in wanted)
    if not present:
        if qualifier == "ForAllValues" or if_exists:
            return True
        if qualifier == "ForAnyValue":
            return False
        return base in _NEGATED
    negated = base in _NEGATED
    test = _POSITIVE[_NEGATED.get(base, base)]

    def value_matches(value: str) -> bool:
        hit = any(test(value, option) for option in wanted)
        return not hit if negated else hit

    if qualifier == "ForAllValues":
        return all(value_matches(value) for value in present)
    return any(value_matches(value) for value in present)


def conditions_hold(statement: Statement, context: Context) -> bool:
    return all(
        condition_holds(operator, key, values, context)
        for operator, keys in statement.conditions.items()
        for key, values in keys.items()
    )


def matching_action(statement: Statement, action: str) -> tuple[bool, str | None]:
    """(matches, the Action pattern that matched; None when the statement uses NotAction)."""
    if statement.not_actions:
        return not any(wildcard_match(p, action, ignore_case=True) for p in statement.not_actions), None
    for pattern in statement.actions:
        if wildcard_match(pattern, action, ignore_case=True):
            return True, pattern
    return False, None


def matching_resource(statement: Statement, resource: str) -> tuple[bool, str | None]:
    """(matches, the Resource pattern that matched; None for NotResource, or for a trust policy statement,
    which has no Resource element: it is about the role it is attached to)."""
    if not statement.resources and not statement.not_resources:
        return True, None
    if statement.not_resources:
        return not any(wildcard_match(p, resource) for p in statement.not_resources), None
    for pattern in statement.resources:
        if wildcard_match(pattern, resource):
            return True, pattern
    return False, None


def account_root(account: str) -> str:
    return f"AWS:arn:aws:iam::{account}:root"


def principal_matches(statement: Statement, request: Request, *, account_counts: bool) -> bool:
    """Whether a resource-policy statement names the caller. ``account_counts``: the account principal
    (``root``) stands for every principal of the account (true for Deny; for Allow it only delegates to IAM)."""
    identities = set(request.identities)
    if account_counts:
        identities |= {account_root(request.account), f"AWS:{request.account}"}
    if statement.not_principals:
        return not any(p in identities for p in statement.not_principals)
    return ANYONE in statement.principals or any(p in identities for p in statement.principals)


def applies(statement: Statement, request: Request) -> Match | None:
    """The match when the statement's action, resource and conditions cover the request (principal not checked)."""
    action_ok, action = matching_action(statement, request.action)
    if not action_ok:
        return None
    resource_ok, resource = matching_resource(statement, request.resource)
    if not resource_ok or not conditions_hold(statement, request.context):
        return None
    return Match(statement, action, resource)


def _matches(
    statements: Iterable[Statement], request: Request, effect: str, *, principal: bool, account_counts: bool = False
) -> tuple[Match, ...]:
    found = []
    for statement in statements:
        if statement.effect != effect:
            continue
        if principal and not principal_matches(statement, request, account_counts=account_counts):
            continue
        match = applies(statement, request)
        if match is not None:
            found.append(match)
    return tuple(found)


def decide(request: Request, identity: Sequence[Statement], resource_policy: ResourcePolicy | None = None) -> Decision:
    """Allow or deny ``request``, given the caller's identity-based statements and the resource's policy."""
    resource_statements = resource_policy.statements if resource_policy is not None else ()
    denies = _matches(identity, request, "Deny", principal=False)
    denies += _matches(resource_statements, request, "Deny", principal=True, account_counts=True)
    if denies:
        return Decision(False, f"explicitly denied by {', '.join(m.statement.label for m in denies)}", denies=denies)
    allows = _matches(identity, request, "Allow", principal=False)
    resource_allows = _matches(resource_statements, request, "Allow", principal=True)
    if resource_policy is not None and resource_policy.kind == "kms":
        if resource_allows:
            return Decision(True, "allowed by the key policy", allows, resource_allows)
        delegation = Request(
            request.principal,
            (account_root(request.account),),
            request.account,
            request.action,
            request.resource,
            request.context,
        )
        delegated = _matches(resource_statements, delegation, "Allow", principal=True)
        if allows and delegated:
            return Decision(True, "allowed by IAM, delegated by the key policy", allows, delegated)
        if allows:
            return Decision(False, "the key policy neither allows the caller nor delegates to IAM", allows)
        return Decision(False, "no statement allows it")
    if allows or resource_allows:
        return Decision(True, "allowed", allows, resource_allows)
    return Decision(False, "no statement allows it")
