"""Least privilege, proven: check every recorded AWS call against its principal's policies in the template.

The synthesized CloudFormation template names each role's permissions with intrinsic functions (``Ref``,
``Fn::GetAtt``, ``Fn::Join``, ``Fn::Sub``). They are resolved against the local runtime's physical names: which
bucket a logical id is follows from the functions' environment variables (``AMTS_INPUT_BUCKET: {Ref: ...}``),
which function from its ``Handler``, which role from the function, the state machine's ``RoleArn`` and the role
Translate assumes (trust policy ``translate.amazonaws.com``). A call is allowed when an ``Allow`` statement
matches its action, resource and conditions and no ``Deny`` does; grants no call used are listed as well.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amts import config
from amts.errors import InputError
from amts.local.awscalls import (
    STATE_MACHINE_PRINCIPAL,
    TRANSLATE_ROLE_PRINCIPAL,
    CallRecord,
    function_principal,
)
from amts.local.runtime import LocalNames

UNRESOLVED = "<unresolved>"


@dataclass(frozen=True)
class Statement:
    """One policy statement with its patterns resolved to local names."""

    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditions: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    not_actions: tuple[str, ...] = ()
    source: str = ""  # policy logical id (or managed policy ARN) it came from


@dataclass
class PrincipalPolicies:
    principal: str
    role_logical_id: str
    statements: list[Statement] = field(default_factory=list)
    managed_policies: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Violation:
    call: CallRecord
    reason: str


@dataclass(frozen=True)
class UnusedGrant:
    principal: str
    action: str
    resource: str
    source: str


@dataclass
class LeastPrivilegeReport:
    violations: list[Violation]
    unused: list[UnusedGrant]
    checked_calls: int
    principals: list[str]

    def summary(self) -> str:
        lines = [f"{self.checked_calls} distinct calls checked for {len(self.principals)} principals"]
        lines += [
            f"DENIED {v.call.principal}: {v.call.action} on {v.call.resource} ({v.reason})" for v in self.violations
        ]
        lines += [f"unused {u.principal}: {u.action} on {u.resource} [{u.source}]" for u in self.unused]
        return "\n".join(lines)


def load_template(path: Path) -> dict[str, Any]:
    try:
        document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("synthesized template not found (run make synth)", path=str(path)) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg}", path=str(path), line=exc.lineno) from None
    return document


class _Resolver:
    """Resolves intrinsic functions of one template against the local runtime's names."""

    def __init__(self, template: Mapping[str, Any], names: LocalNames) -> None:
        self.resources: Mapping[str, Any] = template.get("Resources", {})
        self.names = names
        self.physical: dict[str, dict[str, str]] = {}  # logical id -> {"Ref": ..., "Arn": ..., ...}
        self._identify()

    def _identify(self) -> None:
        names = self.names
        env_buckets = {
            config.ENV_INPUT_BUCKET: names.input_bucket,
            config.ENV_WORK_BUCKET: names.work_bucket,
            config.ENV_OUTPUT_BUCKET: names.output_bucket,
        }
        handlers = {spec.handler: spec.function_id for spec in config.FUNCTIONS}
        for logical, resource in self.resources.items():
            kind, props = resource.get("Type"), resource.get("Properties", {})
            if kind == "AWS::Lambda::Function" and props.get("Handler") in handlers:
                function_id = handlers[props["Handler"]]
                self.physical[logical] = {
                    "Ref": names.function_name(function_id),
                    "Arn": names.function_arn(function_id),
                    "function_id": function_id,
                }
                variables = props.get("Environment", {}).get("Variables", {})
                for env_name, value in variables.items():
                    target = _ref_target(value)
                    if target is None:
                        continue
                    if env_name in env_buckets:
                        bucket = env_buckets[env_name]
                        self.physical[target] = {"Ref": bucket, "Arn": f"arn:aws:s3:::{bucket}"}
                    elif env_name == config.ENV_TOPIC_ARN:
                        self.physical[target] = {"Ref": names.topic_arn(), "TopicName": names.topic}
                    elif env_name == config.ENV_SPEND_TABLE:
                        self.physical[target] = {"Ref": names.spend_table, "Arn": names.spend_table_arn()}
                    elif env_name == config.ENV_STATE_MACHINE_ARN:
                        self.physical[target] = {
                            "Ref": names.state_machine_arn("pipeline"),
                            "Name": names.state_machine_name("pipeline"),
                            "Arn": names.state_machine_arn("pipeline"),
                        }
            elif kind == "AWS::StepFunctions::StateMachine":
                self.physical.setdefault(
                    logical,
                    {
                        "Ref": names.state_machine_arn("pipeline"),
                        "Name": names.state_machine_name("pipeline"),
                        "Arn": names.state_machine_arn("pipeline"),
                    },
                )
            elif kind == "AWS::Lambda::EventSourceMapping":
                target = _ref_target(props.get("EventSourceArn"))
                if target is not None:
                    queue = names.upload_queue
                    self.physical[target] = {"Ref": _queue_url(names, queue), "Arn": names.queue_arn(queue)}
                    self.physical[target]["QueueName"] = queue
        for logical, resource in self.resources.items():
            kind, props = resource.get("Type"), resource.get("Properties", {})
            if kind == "AWS::SQS::Queue" and logical in self.physical:
                dlq = _ref_target(props.get("RedrivePolicy", {}).get("deadLetterTargetArn"))
                if dlq is not None:
                    queue = names.dead_letter_queue
                    self.physical[dlq] = {"Ref": _queue_url(names, queue), "Arn": names.queue_arn(queue)}
            if kind == "AWS::IAM::Role":
                arn = names.translate_role_arn if _trusts(resource, "translate.amazonaws.com") else None
                role_arn = arn or f"arn:aws:iam::{names.account}:role/{logical}"
                self.physical.setdefault(logical, {"Ref": role_arn.rsplit("/", 1)[-1], "Arn": role_arn})
            if kind == "AWS::Logs::LogGroup":
                group_arn = f"arn:aws:logs:{names.region}:{names.account}:log-group:{logical}:*"
                self.physical.setdefault(logical, {"Ref": logical, "Arn": group_arn})
            if kind == "AWS::KMS::Key":
                key_arn = f"arn:aws:kms:{names.region}:{names.account}:key/{logical}"
                self.physical.setdefault(logical, {"Ref": logical, "Arn": key_arn})

    def resolve(self, value: Any) -> str:
        if isinstance(value, str):
            return value
        if not isinstance(value, dict) or len(value) != 1:
            return UNRESOLVED
        ((function, argument),) = value.items()
        if function == "Ref":
            return self._ref(str(argument))
        if function == "Fn::GetAtt":
            logical, attribute = argument if isinstance(argument, list) else str(argument).split(".", 1)
            return self.physical.get(logical, {}).get(attribute, UNRESOLVED)
        if function == "Fn::Join":
            separator, parts = argument
            return str(separator).join(self.resolve(part) for part in parts)
        if function == "Fn::Sub":
            text, variables = (argument, {}) if isinstance(argument, str) else argument
            return re.sub(
                r"\$\{([^}]+)\}",
                lambda m: (
                    self.resolve(variables[m.group(1)])
                    if m.group(1) in variables
                    else (self._ref(m.group(1)) if "." not in m.group(1) else self.resolve({"Fn::GetAtt": m.group(1)}))
                ),
                text,
            )
        if function == "Fn::Select":
            index, items = argument
            resolved = items if isinstance(items, list) else []
            return self.resolve(resolved[int(index)]) if int(index) < len(resolved) else UNRESOLVED
        return UNRESOLVED

    def _ref(self, name: str) -> str:
        pseudo = {
            "AWS::Partition": "aws",
            "AWS::Region": self.names.region,
            "AWS::AccountId": self.names.account,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": "",
        }
        if name in pseudo:
            return pseudo[name]
        return self.physical.get(name, {}).get("Ref", UNRESOLVED)


def _queue_url(names: LocalNames, queue: str) -> str:
    return f"https://sqs.{names.region}.amazonaws.com/{names.account}/{queue}"


def _ref_target(value: Any) -> str | None:
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            attribute = value["Fn::GetAtt"]
            return str(attribute[0] if isinstance(attribute, list) else str(attribute).split(".")[0])
    return None


def _trusts(role: Mapping[str, Any], service: str) -> bool:
    document = role.get("Properties", {}).get("AssumeRolePolicyDocument", {})
    for statement in _as_list(document.get("Statement")):
        principal = statement.get("Principal", {})
        services = principal.get("Service") if isinstance(principal, dict) else None
        if service in _as_list(services) or any(
            isinstance(item, dict) and service in json.dumps(item) for item in _as_list(services)
        ):
            return True
    return False


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def principal_policies(template: Mapping[str, Any], names: LocalNames) -> dict[str, PrincipalPolicies]:
    """Each principal of the local run (functions, state machine, Translate role) with its statements."""
    resolver = _Resolver(template, names)
    resources: Mapping[str, Any] = template.get("Resources", {})
    role_principal: dict[str, str] = {}
    for logical, resource in resources.items():
        kind, props = resource.get("Type"), resource.get("Properties", {})
        if kind == "AWS::Lambda::Function" and logical in resolver.physical:
            role = _ref_target(props.get("Role"))
            if role is not None:
                role_principal[role] = function_principal(resolver.physical[logical]["function_id"])
        elif kind == "AWS::StepFunctions::StateMachine":
            role = _ref_target(props.get("RoleArn"))
            if role is not None:
                role_principal[role] = STATE_MACHINE_PRINCIPAL
        elif kind == "AWS::IAM::Role" and _trusts(resource, "translate.amazonaws.com"):
            role_principal[logical] = TRANSLATE_ROLE_PRINCIPAL
    result = {principal: PrincipalPolicies(principal, role) for role, principal in role_principal.items()}
    for logical, resource in resources.items():
        kind, props = resource.get("Type"), resource.get("Properties", {})
        if kind == "AWS::IAM::Role" and logical in role_principal:
            target = result[role_principal[logical]]
            for inline in _as_list(props.get("Policies")):
                target.statements += _statements(inline.get("PolicyDocument", {}), resolver, logical)
            target.managed_policies += [resolver.resolve(arn) for arn in _as_list(props.get("ManagedPolicyArns"))]
        if kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            for role_ref in _as_list(props.get("Roles")):
                role = _ref_target(role_ref)
                if role in role_principal:
                    document = props.get("PolicyDocument", {})
                    result[role_principal[role]].statements += _statements(document, resolver, logical)
    return result


def _statements(document: Mapping[str, Any], resolver: _Resolver, source: str) -> list[Statement]:
    statements = []
    for raw in _as_list(document.get("Statement")):
        conditions = {
            operator: {key: tuple(resolver.resolve(v) for v in _as_list(values)) for key, values in keys.items()}
            for operator, keys in (raw.get("Condition") or {}).items()
        }
        statements.append(
            Statement(
                effect=str(raw.get("Effect", "Allow")),
                actions=tuple(str(a) for a in _as_list(raw.get("Action"))),
                not_actions=tuple(str(a) for a in _as_list(raw.get("NotAction"))),
                resources=tuple(resolver.resolve(r) for r in _as_list(raw.get("Resource"))),
                conditions=conditions,
                source=source,
            )
        )
    return statements


def _pattern(text: str, *, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)
    return re.compile(f"^{body}$", re.IGNORECASE if ignore_case else 0)


def _matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    return bool(_pattern(pattern, ignore_case=ignore_case).match(value))


def _conditions_hold(conditions: Mapping[str, Mapping[str, tuple[str, ...]]], call: CallRecord) -> bool:
    context = dict(call.conditions)
    for operator, keys in conditions.items():
        if_exists = operator.endswith("IfExists")
        # One value per request key here, so the set qualifiers reduce to the plain operator.
        base = operator.removesuffix("IfExists").removeprefix("ForAllValues:").removeprefix("ForAnyValue:")
        for key, allowed in keys.items():
            value = context.get(key)
            if value is None:
                if if_exists:
                    continue
                return False
            if base == "StringLike":
                ok = any(_matches(p, value) for p in allowed)
            elif base == "StringEquals":
                ok = value in allowed
            elif base == "StringNotEquals":
                ok = value not in allowed
            elif base == "ArnLike":
                ok = any(_matches(p, value) for p in allowed)
            elif base == "ArnEquals":
                ok = value in allowed
            else:
                return False  # an operator the local run cannot evaluate never grants
            if not ok:
                return False
    return True


def _statement_matches(statement: Statement, call: CallRecord) -> bool:
    if statement.actions:
        action_ok = any(_matches(a, call.action, ignore_case=True) for a in statement.actions)
    else:
        action_ok = not any(_matches(a, call.action, ignore_case=True) for a in statement.not_actions)
    if not action_ok:
        return False
    if not any(_matches(r, call.resource) for r in statement.resources):
        return False
    return _conditions_hold(statement.conditions, call)


def check_calls(
    calls: Iterable[CallRecord],
    policies: Mapping[str, PrincipalPolicies],
    *,
    principals: Iterable[str] | None = None,
) -> LeastPrivilegeReport:
    """Each call of a stack principal must be allowed; every granted (action, resource) should be used."""
    checked = set(principals) if principals is not None else set(policies)
    violations: list[Violation] = []
    used: set[tuple[str, int, str, str]] = set()
    count = 0
    for call in calls:
        if call.principal not in checked:
            continue
        count += 1
        policy = policies.get(call.principal)
        if policy is None:
            violations.append(Violation(call, "no role for this principal in the template"))
            continue
        matching = [s for s in policy.statements if _statement_matches(s, call)]
        if any(s.effect == "Deny" for s in matching):
            violations.append(Violation(call, "explicitly denied"))
            continue
        allows = [s for s in matching if s.effect == "Allow"]
        if not allows:
            violations.append(Violation(call, "no statement allows it"))
            continue
        for statement in allows:
            index = policy.statements.index(statement)
            for action in statement.actions:
                if _matches(action, call.action, ignore_case=True):
                    for resource in statement.resources:
                        if _matches(resource, call.resource):
                            used.add((call.principal, index, action, resource))
    unused = []
    for principal in sorted(checked):
        policy = policies.get(principal)
        if policy is None:
            continue
        for index, statement in enumerate(policy.statements):
            if statement.effect != "Allow":
                continue
            for action in statement.actions:
                for resource in statement.resources:
                    if (principal, index, action, resource) not in used:
                        unused.append(UnusedGrant(principal, action, resource, statement.source))
        unused += [UnusedGrant(principal, "(managed policy)", arn, arn) for arn in policy.managed_policies]
    return LeastPrivilegeReport(violations, unused, count, sorted(checked))
