"""The stack's IAM, read from a synthesized template: principals, their policies, resource and trust policies.

Principals are the stack's roles, named as the call recorder names them (``amts_local.awscalls``): a function's role
is ``function:<FunctionId>`` (its ``Handler`` says which function), the state machine's ``RoleArn`` is
``state-machine``, and the role the state machine hands to Translate (its ``TranslateDataAccessRoleArn``
substitution) is ``translate-data-access``. Any other role is ``role:<logical id>``. Besides policies the model keeps
what the service-behaviour checks and the breadth check need to know about the stack's wiring: event source
mappings, rules and their SQS targets, encrypted topics and the alarms that publish to them, access logging.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from amts import config

from amts_local.awscalls import STATE_MACHINE_PRINCIPAL, TRANSLATE_ROLE_PRINCIPAL, CallRecord, function_principal
from amts_local.iam.evaluate import account_root, decide
from amts_local.iam.model import (
    ANYONE,
    Decision,
    PolicyKind,
    Principal,
    Request,
    ResourcePolicy,
    Statement,
    context_of,
)
from amts_local.iam.resolve import Resolver, as_list, ref_target
from amts_local.runtime import LocalNames

SERVICE_OF = {"function": "lambda.amazonaws.com", "state-machine": "states.amazonaws.com"}
TRANSLATE_SERVICE = "translate.amazonaws.com"
_POLICY_KINDS: dict[str, PolicyKind] = {
    "AWS::S3::BucketPolicy": "s3",
    "AWS::SQS::QueuePolicy": "sqs",
    "AWS::SNS::TopicPolicy": "sns",
}


@dataclass(frozen=True)
class EventSourceMapping:
    principal: str  # the function's principal, which polls with its role
    queue_arn: str


@dataclass(frozen=True)
class Delivery:
    """A resource an AWS service sends from, and where it sends: an EventBridge rule and the SQS queues it delivers to
    (targets and their dead-letter queues), or a CloudWatch alarm and the SNS topics it notifies."""

    source_arn: str
    target_arns: tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    arn: str
    key_arn: str | None  # KmsMasterKeyId, when the topic is encrypted with a customer-managed key


@dataclass(frozen=True)
class AccessLogging:
    """S3 server access logging: ``source`` bucket's logs delivered to ``destination`` under ``prefix``."""

    source_arn: str
    destination_arn: str
    prefix: str


@dataclass(frozen=True)
class StackModel:
    names: LocalNames
    principals: Mapping[str, Principal]
    resource_policies: tuple[ResourcePolicy, ...]
    event_source_mappings: tuple[EventSourceMapping, ...]
    rule_deliveries: tuple[Delivery, ...]  # EventBridge rules -> SQS queues
    topics: tuple[Topic, ...]
    alarms: tuple[Delivery, ...]  # CloudWatch alarms -> SNS topics
    access_logging: tuple[AccessLogging, ...]
    translate_roles: tuple[str, ...]  # role ARNs the workflow passes to Translate
    workflow_functions: tuple[str, ...]  # function ARNs the state machine invokes
    buckets: Mapping[str, str]  # "input" / "work" / "output" -> bucket ARN

    def resource_policy(self, resource: str) -> ResourcePolicy | None:
        for policy in self.resource_policies:
            if policy.governs(resource):
                return policy
        return None

    def request(self, principal: str, action: str, resource: str, context: Iterable[tuple[str, str]] = ()) -> Request:
        """A request by one of the stack's principals (identified to resource policies by its role ARN)."""
        role = self.principals.get(principal)
        identities = (f"AWS:{role.role_arn}",) if role is not None else (f"AWS:{principal}",)
        values = context_of(tuple(context))
        values.setdefault("aws:principalaccount", (self.names.account,))
        if role is not None:
            values.setdefault("aws:principalarn", (role.role_arn,))
        return Request(principal, identities, self.names.account, action, resource, values)

    def request_for(self, call: CallRecord) -> Request:
        return self.request(call.principal, call.action, call.resource, call.conditions)

    def service_request(
        self, service: str, action: str, resource: str, context: Iterable[tuple[str, str]] = ()
    ) -> Request:
        """A request an AWS service makes as its service principal (EventBridge delivering, CloudWatch, ...)."""
        values = context_of((("aws:SecureTransport", "true"), *context))
        return Request(f"service:{service}", (f"Service:{service}",), self.names.account, action, resource, values)

    def decide(self, request: Request) -> Decision:
        role = self.principals.get(request.principal)
        identity = role.statements if role is not None else ()
        return decide(request, identity, self.resource_policy(request.resource))

    def may(self, principal: str, action: str, resource: str, context: Iterable[tuple[str, str]] = ()) -> bool:
        """Whether ``principal`` may do ``action`` on ``resource`` (over TLS, with the given context)."""
        return self.decide(
            self.request(principal, action, resource, (("aws:SecureTransport", "true"), *context))
        ).allowed

    def assume(self, principal: str, service: str, context: Iterable[tuple[str, str]] = ()) -> Decision:
        """May ``service`` assume the role of ``principal``? (its trust policy, as a resource policy)."""
        role = self.principals[principal]
        request = self.service_request(service, "sts:AssumeRole", role.role_arn, context)
        return decide(request, (), ResourcePolicy("trust", role.role_logical_id, (role.role_arn,), role.trust))


def statements_of(document: Mapping[str, Any], resolver: Resolver, source: str) -> tuple[Statement, ...]:
    """The statements of one policy document, intrinsics resolved."""
    statements = []
    for index, raw in enumerate(as_list(document.get("Statement"))):
        conditions = {
            str(operator): {
                str(key): tuple(resolver.resolve_text(v) for v in as_list(values)) for key, values in keys.items()
            }
            for operator, keys in (raw.get("Condition") or {}).items()
        }
        statements.append(
            Statement(
                effect="Deny" if raw.get("Effect") == "Deny" else "Allow",
                actions=tuple(str(a) for a in as_list(raw.get("Action"))),
                not_actions=tuple(str(a) for a in as_list(raw.get("NotAction"))),
                resources=tuple(resolver.resolve_text(r) for r in as_list(raw.get("Resource"))),
                not_resources=tuple(resolver.resolve_text(r) for r in as_list(raw.get("NotResource"))),
                principals=_principals(raw.get("Principal"), resolver),
                not_principals=_principals(raw.get("NotPrincipal"), resolver),
                conditions=conditions,
                sid=raw.get("Sid"),
                source=source,
                index=index,
            )
        )
    return tuple(statements)


def _principals(value: Any, resolver: Resolver) -> tuple[str, ...]:
    if value is None:
        return ()
    if value == ANYONE:
        return (ANYONE,)
    found: list[str] = []
    for kind, entries in value.items() if isinstance(value, dict) else [("AWS", value)]:
        for entry in as_list(entries):
            text = resolver.resolve_text(entry)
            if kind == "AWS" and text == ANYONE:
                found.append(ANYONE)
            elif kind == "AWS" and text.isdigit():
                found.append(account_root(text))
            else:
                found.append(f"{kind}:{text}")
    return tuple(found)


def _trusted_services(trust: Iterable[Statement]) -> list[str]:
    return [
        p.removeprefix("Service:")
        for s in trust
        if s.effect == "Allow"
        for p in s.principals
        if p.startswith("Service:")
    ]


class _Reader:
    """Reads one template: its resources by type, with intrinsics resolved by ``resolver``."""

    def __init__(self, template: Mapping[str, Any], resolver: Resolver) -> None:
        self.resources: Mapping[str, Any] = template.get("Resources", {})
        self.resolver = resolver
        self.names = resolver.names

    def of(self, kind: str) -> list[tuple[str, Mapping[str, Any]]]:
        return [(k, r.get("Properties", {})) for k, r in self.resources.items() if r.get("Type") == kind]

    def arn(self, value: Any, attribute: str = "Arn") -> str:
        return self.resolver.attribute(ref_target(value) or "", attribute)

    def text(self, value: Any) -> str:
        return self.resolver.resolve_text(value)

    def role_uses(self) -> dict[str, tuple[str, str, str | None, tuple[str, ...]]]:
        """Role logical id -> (principal name, kind, function logical id, log group ARNs), from who uses the role."""
        uses: dict[str, tuple[str, str, str | None, tuple[str, ...]]] = {}
        names = self.names
        for logical, props in self.of("AWS::Lambda::Function"):
            role = ref_target(props.get("Role"))
            if role is None:
                continue
            group = props.get("LoggingConfig", {}).get("LogGroup")
            function_name = self.resolver.attribute(logical, "Ref")
            default_group = f"arn:aws:logs:{names.region}:{names.account}:log-group:/aws/lambda/{function_name}:*"
            log_arn = self.arn(group) if group is not None else default_group
            function_id = Resolver.function_id(props) or logical
            uses[role] = (function_principal(function_id), "function", logical, (log_arn,))
        for position, (logical, props) in enumerate(self.of("AWS::StepFunctions::StateMachine")):
            role = ref_target(props.get("RoleArn"))
            destinations = as_list(props.get("LoggingConfiguration", {}).get("Destinations"))
            logs = tuple(self.text(d.get("CloudWatchLogsLogGroup", {}).get("LogGroupArn")) for d in destinations)
            if role is not None:
                name = STATE_MACHINE_PRINCIPAL if position == 0 else f"{STATE_MACHINE_PRINCIPAL}:{logical}"
                uses[role] = (name, "state-machine", None, logs)
        return uses

    def workflow_functions(self) -> list[str]:
        return [
            self.arn(value)
            for _, props in self.of("AWS::StepFunctions::StateMachine")
            for value in props.get("DefinitionSubstitutions", {}).values()
            if self.resources.get(ref_target(value) or "", {}).get("Type") == "AWS::Lambda::Function"
        ]

    def translate_roles(self) -> set[str]:
        """Role ARNs handed to Translate: the ASL's data-access role substitution and the functions' variable."""
        roles = {
            self.arn(props["DefinitionSubstitutions"][config.ASL_TRANSLATE_ROLE_ARN])
            for _, props in self.of("AWS::StepFunctions::StateMachine")
            if config.ASL_TRANSLATE_ROLE_ARN in props.get("DefinitionSubstitutions", {})
        }
        for _, props in self.of("AWS::Lambda::Function"):
            value = props.get("Environment", {}).get("Variables", {}).get(config.ENV_TRANSLATE_ROLE_ARN)
            if value is not None:
                roles.add(self.arn(value))
        return roles

    def principals(self) -> dict[str, Principal]:
        uses, translate_roles = self.role_uses(), self.translate_roles()
        principals: dict[str, Principal] = {}
        for logical, props in self.of("AWS::IAM::Role"):
            role_arn = self.resolver.attribute(logical, "Arn")
            trust = statements_of(props.get("AssumeRolePolicyDocument", {}), self.resolver, logical)
            trusted = _trusted_services(trust)
            function: str | None = None
            logs: tuple[str, ...] = ()
            if role_arn in translate_roles or (not translate_roles and TRANSLATE_SERVICE in trusted):
                name, service = TRANSLATE_ROLE_PRINCIPAL, TRANSLATE_SERVICE
            elif logical in uses:
                name, kind, function, logs = uses[logical]
                service = SERVICE_OF[kind]
            else:
                name, service = f"role:{logical}", trusted[0] if trusted else ""
            inline = [
                statement
                for policy in as_list(props.get("Policies"))
                for statement in statements_of(policy.get("PolicyDocument", {}), self.resolver, logical)
            ]
            principals[name] = Principal(
                name=name,
                role_logical_id=logical,
                role_arn=role_arn,
                service=service,
                statements=tuple(inline),
                trust=trust,
                managed_policies=tuple(self.text(a) for a in as_list(props.get("ManagedPolicyArns"))),
                log_groups=logs,
                function_logical_id=function,
            )
        by_role = {p.role_logical_id: p.name for p in principals.values()}
        for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            for logical, props in self.of(kind):
                attached = statements_of(props.get("PolicyDocument", {}), self.resolver, logical)
                for role_ref in as_list(props.get("Roles")):
                    name = by_role.get(ref_target(role_ref) or "", "")
                    if name in principals:
                        role = principals[name]
                        principals[name] = dataclasses.replace(role, statements=role.statements + attached)
        return principals

    def resource_policies(self) -> list[ResourcePolicy]:
        policies: list[ResourcePolicy] = []
        for kind, policy_kind in _POLICY_KINDS.items():
            attribute = "Ref" if policy_kind == "sns" else "Arn"
            for logical, props in self.of(kind):
                targets = as_list(props.get("Bucket")) + as_list(props.get("Queues")) + as_list(props.get("Topics"))
                governed = tuple(self.arn(target, attribute) for target in targets)
                statements = statements_of(props.get("PolicyDocument", {}), self.resolver, logical)
                policies.append(ResourcePolicy(policy_kind, logical, governed, statements))
        for logical, props in self.of("AWS::KMS::Key"):
            key = (self.resolver.attribute(logical, "Arn"),)
            policies.append(
                ResourcePolicy("kms", logical, key, statements_of(props.get("KeyPolicy", {}), self.resolver, logical))
            )
        return policies

    def event_source_mappings(self, functions: Mapping[str, str]) -> tuple[EventSourceMapping, ...]:
        return tuple(
            EventSourceMapping(functions.get(ref_target(props.get("FunctionName")) or "", "?"), source)
            for _, props in self.of("AWS::Lambda::EventSourceMapping")
            if ":sqs:" in (source := self.text(props.get("EventSourceArn")))
        )

    def rule_deliveries(self) -> tuple[Delivery, ...]:
        deliveries = []
        for logical, props in self.of("AWS::Events::Rule"):
            queues = [
                text
                for target in as_list(props.get("Targets"))
                for value in (target.get("Arn"), target.get("DeadLetterConfig", {}).get("Arn"))
                if value is not None and ":sqs:" in (text := self.text(value))
            ]
            if queues:
                deliveries.append(Delivery(self.resolver.attribute(logical, "Arn"), tuple(dict.fromkeys(queues))))
        return tuple(deliveries)

    def topics(self) -> tuple[Topic, ...]:
        return tuple(
            Topic(
                self.resolver.attribute(logical, "Ref"),
                self.arn(props["KmsMasterKeyId"]) if "KmsMasterKeyId" in props else None,
            )
            for logical, props in self.of("AWS::SNS::Topic")
        )

    def alarms(self) -> tuple[Delivery, ...]:
        prefix = f"arn:aws:cloudwatch:{self.names.region}:{self.names.account}:alarm:"
        return tuple(
            Delivery(
                f"{prefix}{logical}",
                tuple(t for a in as_list(props.get("AlarmActions")) if ":sns:" in (t := self.text(a))),
            )
            for logical, props in self.of("AWS::CloudWatch::Alarm")
        )

    def access_logging(self) -> tuple[AccessLogging, ...]:
        return tuple(
            AccessLogging(
                self.resolver.attribute(logical, "Arn"),
                f"arn:aws:s3:::{self.text(props['LoggingConfiguration'].get('DestinationBucketName'))}",
                str(props["LoggingConfiguration"].get("LogFilePrefix", "")),
            )
            for logical, props in self.of("AWS::S3::Bucket")
            if "LoggingConfiguration" in props
        )


def stack_model(
    template: Mapping[str, Any], names: LocalNames | None = None, bindings: Mapping[str, str] | None = None
) -> StackModel:
    """Read ``template`` (a synthesized CloudFormation template) with ``names`` for its resources.

    ``bindings`` adds environment variables / ASL placeholders the local runtime binds beyond ``LocalNames``
    (``LocalRuntime.function_environment()`` and ``asl_substitutions()``), so a new resource that the functions find
    through a new environment variable gets the very name the local run used.
    """
    names = names or LocalNames()
    reader = _Reader(template, Resolver(template, names, bindings))
    principals = reader.principals()
    functions = {p.function_logical_id: p.name for p in principals.values() if p.function_logical_id is not None}
    buckets = (("input", names.input_bucket), ("work", names.work_bucket), ("output", names.output_bucket))
    return StackModel(
        names=names,
        principals=principals,
        resource_policies=tuple(reader.resource_policies()),
        event_source_mappings=reader.event_source_mappings(functions),
        rule_deliveries=reader.rule_deliveries(),
        topics=reader.topics(),
        alarms=reader.alarms(),
        access_logging=reader.access_logging(),
        translate_roles=tuple(sorted(reader.translate_roles())),
        workflow_functions=tuple(dict.fromkeys(reader.workflow_functions())),
        buckets={role: f"arn:aws:s3:::{bucket}" for role, bucket in buckets},
    )
