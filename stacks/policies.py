"""Each principal's IAM statements, read from the synthesized template, and a checker for concrete calls.

Used by the infrastructure tests (what each role may do) and by the local runtime's least-privilege proof (every
call a principal made during a run must be allowed by that principal's statements, after resolving the template's
``Ref``/``Fn::GetAtt``/``Fn::Join``/``Fn::Sub`` against the local resource names).

Principals are named the way people talk about them: ``function:<FunctionId>`` (ids from ``amts.config.FUNCTIONS``),
``state-machine`` and ``translate-data-access``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from amts import config

STATE_MACHINE = "state-machine"
TRANSLATE_DATA_ACCESS = "translate-data-access"

# Pseudo parameters a resolver needs; the local runtime passes its own region and account.
DEFAULT_PSEUDO = {
    "AWS::Partition": "aws",
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::URLSuffix": "amazonaws.com",
}


def function_principal(function_id: str) -> str:
    return f"function:{function_id}"


@dataclass(frozen=True)
class Statement:
    """One ``Allow`` statement as written in the template (resources may hold CloudFormation intrinsics)."""

    actions: tuple[str, ...]
    resources: tuple[Any, ...]
    conditions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    sid: str | None = None
    effect: str = "Allow"


@dataclass(frozen=True)
class Principal:
    """A role in the template: its friendly name, logical id, trusted services and statements."""

    name: str
    role_logical_id: str
    trusted_services: tuple[str, ...]
    statements: tuple[Statement, ...]

    @property
    def actions(self) -> set[str]:
        return {action for statement in self.statements for action in statement.actions}


def load_template(path: str | Path) -> dict[str, Any]:
    """A synthesized template (``cdk.out/<stack>.template.json``)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "Resources" not in data:
        raise ValueError(f"{path}: not a CloudFormation template (no Resources)")
    return data


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _statements(document: Mapping[str, Any]) -> list[Statement]:
    return [
        Statement(
            actions=tuple(_as_list(raw.get("Action", []))),
            resources=tuple(_as_list(raw.get("Resource", []))),
            conditions=raw.get("Condition", {}),
            sid=raw.get("Sid"),
            effect=raw.get("Effect", "Allow"),
        )
        for raw in _as_list(document.get("Statement", []))
    ]


def _role_ref(value: Any) -> str | None:
    """The logical id a ``Role``/``RoleArn`` property points at (``Ref`` or ``Fn::GetAtt [id, Arn]``)."""
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            return str(value["Fn::GetAtt"][0])
    return None


def principals(template: Mapping[str, Any]) -> dict[str, Principal]:
    """Every role of the template with its statements (inline and attached ``AWS::IAM::Policy``), by friendly name."""
    resources: Mapping[str, Any] = template["Resources"]
    statements: dict[str, list[Statement]] = {}
    trusted: dict[str, tuple[str, ...]] = {}
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        props = resource.get("Properties", {})
        services: list[Any] = []
        for raw in _as_list(props.get("AssumeRolePolicyDocument", {}).get("Statement", [])):
            services.extend(_as_list(raw.get("Principal", {}).get("Service", [])))
        trusted[logical_id] = tuple(str(s) for s in services)
        statements[logical_id] = [
            s for policy in props.get("Policies", []) for s in _statements(policy["PolicyDocument"])
        ]
    for resource in resources.values():
        if resource["Type"] != "AWS::IAM::Policy":
            continue
        props = resource["Properties"]
        for role in props.get("Roles", []):
            role_id = _role_ref(role)
            if role_id in statements:
                statements[role_id].extend(_statements(props["PolicyDocument"]))

    names: dict[str, str] = {}
    handlers = {spec.handler: spec.function_id for spec in config.FUNCTIONS}
    for resource in resources.values():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::Lambda::Function" and props.get("Handler") in handlers:
            role_id = _role_ref(props.get("Role"))
            if role_id is not None:
                names[role_id] = function_principal(handlers[props["Handler"]])
        elif resource["Type"] == "AWS::StepFunctions::StateMachine":
            role_id = _role_ref(props.get("RoleArn"))
            if role_id is not None:
                names[role_id] = STATE_MACHINE
    for role_id, role_services in trusted.items():
        if "translate.amazonaws.com" in role_services:
            names[role_id] = TRANSLATE_DATA_ACCESS
    return {
        names.get(role_id, role_id): Principal(
            name=names.get(role_id, role_id),
            role_logical_id=role_id,
            trusted_services=trusted[role_id],
            statements=tuple(statements[role_id]),
        )
        for role_id in statements
    }


# ----------------------------------------------------------------------------------------------------------------
# Resolving intrinsics against concrete names (the local runtime's, or made-up ones in tests)
# ----------------------------------------------------------------------------------------------------------------


class UnresolvedReference(KeyError):
    """The template refers to a resource the caller gave no name for."""


def resolve(
    value: Any,
    *,
    names: Mapping[str, Mapping[str, str]],
    pseudo: Mapping[str, str] = DEFAULT_PSEUDO,
) -> Any:
    """Replace ``Ref``/``Fn::GetAtt``/``Fn::Join``/``Fn::Sub`` with concrete strings.

    ``names`` maps a logical id to its attributes: ``{"Ref": <name or ARN>, "Arn": ..., ...}``.
    """
    if isinstance(value, list):
        return [resolve(item, names=names, pseudo=pseudo) for item in value]
    if not isinstance(value, dict):
        return value
    if "Ref" in value:
        ref = str(value["Ref"])
        if ref in pseudo:
            return pseudo[ref]
        return _attribute(names, ref, "Ref")
    if "Fn::GetAtt" in value:
        logical_id, attribute = value["Fn::GetAtt"]
        return _attribute(names, str(logical_id), str(attribute))
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(str(resolve(part, names=names, pseudo=pseudo)) for part in parts)
    if "Fn::Sub" in value:
        text = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]

        def substitute(match: re.Match[str]) -> str:
            key = match.group(1)
            if key in pseudo:
                return pseudo[key]
            logical_id, _, attribute = key.partition(".")
            return _attribute(names, logical_id, attribute or "Ref")

        return re.sub(r"\$\{([^}]+)\}", substitute, text)
    return {key: resolve(item, names=names, pseudo=pseudo) for key, item in value.items()}


def _attribute(names: Mapping[str, Mapping[str, str]], logical_id: str, attribute: str) -> str:
    try:
        return names[logical_id][attribute]
    except KeyError:
        raise UnresolvedReference(f"no {attribute} given for {logical_id}") from None


# ----------------------------------------------------------------------------------------------------------------
# Is a concrete call allowed?
# ----------------------------------------------------------------------------------------------------------------


def _matches(pattern: str, value: str) -> bool:
    # IAM wildcards: * any run of characters, ? one character; action names are case-insensitive.
    return fnmatchcase(value, pattern)


def _condition_holds(conditions: Mapping[str, Mapping[str, Any]], context: Mapping[str, str]) -> bool:
    for operator, clauses in conditions.items():
        for key, expected in clauses.items():
            actual = context.get(key)
            if actual is None:
                return False  # IAM: a condition on an absent key does not match (no ...IfExists used here)
            options = [str(v) for v in _as_list(expected)]
            if operator in ("StringEquals", "ArnEquals"):
                ok = actual in options
            elif operator in ("StringLike", "ArnLike"):
                ok = any(_matches(option, actual) for option in options)
            else:
                raise ValueError(f"condition operator {operator} is not supported by this checker")
            if not ok:
                return False
    return True


def allows(
    statements: Iterable[Statement],
    action: str,
    resource: str,
    *,
    names: Mapping[str, Mapping[str, str]],
    context: Mapping[str, str] | None = None,
    pseudo: Mapping[str, str] = DEFAULT_PSEUDO,
) -> Statement | None:
    """The first statement allowing ``action`` on ``resource`` (resolved with ``names``), else None."""
    for statement in statements:
        if statement.effect != "Allow":
            continue
        if not any(_matches(pattern.lower(), action.lower()) for pattern in statement.actions):
            continue
        patterns = [str(resolve(r, names=names, pseudo=pseudo)) for r in statement.resources]
        if not any(_matches(pattern, resource) for pattern in patterns):
            continue
        if statement.conditions:
            resolved = resolve(dict(statement.conditions), names=names, pseudo=pseudo)
            if not _condition_holds(resolved, context or {}):
                continue
        return statement
    return None
