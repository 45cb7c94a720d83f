"""Concrete names for the template's logical ids, and CloudFormation intrinsics resolved against them.

CloudFormation names most resources itself; the local runtime names them after ``LocalNames``. Which logical id is
which local resource follows from the template: the functions' environment variables and the state machine's
``DefinitionSubstitutions`` refer to the buckets, topic, roles and functions by the same names the local runtime
binds (``bindings``), the event source mapping names the upload queue, its redrive policy the dead-letter queue, and
the rule targeting that queue is the upload rule. Anything else gets a name made from its logical id. Then ``Ref``,
``Fn::GetAtt``, ``Fn::Join``, ``Fn::Sub``, ``Fn::Select`` and ``Fn::Split`` resolve to plain strings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from amts import config

from amts_local.names import LocalNames
from amts_local.resources import asl_name_substitutions

UNRESOLVED = "<unresolved>"
Attributes = dict[str, str]


def local_bindings(names: LocalNames) -> dict[str, str]:
    """Environment variable and ASL placeholder -> the local runtime's value (``LocalRuntime`` binds the same)."""
    bindings = {
        config.ENV_INPUT_BUCKET: names.input_bucket,
        config.ENV_WORK_BUCKET: names.work_bucket,
        config.ENV_OUTPUT_BUCKET: names.output_bucket,
        config.ENV_TOPIC_ARN: names.topic_arn(),
        config.ENV_TRANSLATE_ROLE_ARN: names.translate_role_arn,
        config.ENV_STATE_MACHINE_ARN: names.state_machine_arn("pipeline"),
    }
    return {**bindings, **asl_name_substitutions(names)}


def ref_target(value: Any) -> str | None:
    """The logical id a ``Ref`` or ``Fn::GetAtt`` points at."""
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            attribute = value["Fn::GetAtt"]
            return str(attribute[0] if isinstance(attribute, list) else str(attribute).split(".")[0])
    return None


def _attribute_name(value: Any) -> str:
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        attribute = value["Fn::GetAtt"]
        return str(attribute[1] if isinstance(attribute, list) else str(attribute).split(".", 1)[1])
    return "Ref"


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class Resolver:
    """Physical names of one template's resources, and intrinsics resolved to strings."""

    def __init__(
        self, template: Mapping[str, Any], names: LocalNames, bindings: Mapping[str, str] | None = None
    ) -> None:
        self.resources: Mapping[str, Any] = template.get("Resources", {})
        self.names = names
        self.bindings = {**local_bindings(names), **(bindings or {})}
        self.physical: dict[str, Attributes] = {}
        self._bind()
        for logical, resource in self.resources.items():
            self.physical[logical] = self._complete(logical, str(resource.get("Type", "")), self.physical.get(logical))

    # ------------------------------------------------------------------------------------------ naming
    def _bind(self) -> None:
        """What the environment variables and ASL substitutions say each referenced logical id is."""
        for resource in self.resources.values():
            props = resource.get("Properties", {})
            bound: Mapping[str, Any] = {}
            if resource.get("Type") == "AWS::Lambda::Function":
                bound = props.get("Environment", {}).get("Variables", {})
            elif resource.get("Type") == "AWS::StepFunctions::StateMachine":
                bound = props.get("DefinitionSubstitutions", {})
            for name, value in bound.items():
                target = ref_target(value)
                if target is not None and name in self.bindings:
                    self.physical.setdefault(target, {})[_attribute_name(value)] = self.bindings[name]
        for logical, resource in self.resources.items():
            props = resource.get("Properties", {})
            if resource.get("Type") == "AWS::Lambda::Function":
                function_id = self.function_id(props)
                if function_id is not None:
                    self.physical.setdefault(logical, {})["Ref"] = self.names.prefixed(function_id)
            elif resource.get("Type") == "AWS::Lambda::EventSourceMapping":
                self._name_queue(ref_target(props.get("EventSourceArn")), self.names.upload_queue)
            elif resource.get("Type") == "AWS::StepFunctions::StateMachine":
                self.physical.setdefault(logical, {}).setdefault("Arn", self.names.state_machine_arn("pipeline"))
                role = ref_target(props.get("RoleArn"))
                if role is not None:
                    self.physical.setdefault(role, {}).setdefault("Arn", self.names.state_machine_role_arn)
        for logical, resource in self.resources.items():
            props = resource.get("Properties", {})
            if resource.get("Type") == "AWS::Events::Rule":
                targets = {ref_target(target.get("Arn")) for target in as_list(props.get("Targets"))}
                if any(self._queue_name(target) == self.names.upload_queue for target in targets):
                    self.physical.setdefault(logical, {})["Ref"] = self.names.upload_rule
            elif resource.get("Type") == "AWS::SQS::Queue" and self._queue_name(logical) == self.names.upload_queue:
                dead_letter = ref_target(props.get("RedrivePolicy", {}).get("deadLetterTargetArn"))
                self._name_queue(dead_letter, self.names.dead_letter_queue)

    def _queue_name(self, logical: str | None) -> str | None:
        return self.physical.get(logical, {}).get("QueueName") if logical is not None else None

    def _name_queue(self, logical: str | None, name: str) -> None:
        if logical is not None:
            self.physical.setdefault(logical, {}).setdefault("QueueName", name)

    @staticmethod
    def function_id(props: Mapping[str, Any]) -> str | None:
        handlers = {spec.handler: spec.function_id for spec in config.FUNCTIONS}
        handler = props.get("Handler")
        return handlers.get(handler) if isinstance(handler, str) else None

    def _complete(self, logical: str, kind: str, known: Attributes | None) -> Attributes:
        """Every attribute the template may ask for, from what is known (or from the logical id)."""
        names, attributes = self.names, dict(known or {})
        region, account, fallback = names.region, names.account, f"{names.prefix}-{logical}"
        if kind == "AWS::S3::Bucket":
            bucket = attributes.get("Ref") or attributes.get("Arn", "").removeprefix("arn:aws:s3:::") or fallback
            return {"Ref": bucket, "Arn": f"arn:aws:s3:::{bucket}", "DomainName": f"{bucket}.s3.amazonaws.com"}
        if kind == "AWS::SNS::Topic":
            arn = attributes.get("Ref") or attributes.get("TopicArn") or f"arn:aws:sns:{region}:{account}:{fallback}"
            return {"Ref": arn, "TopicArn": arn, "TopicName": arn.rsplit(":", 1)[-1]}
        if kind == "AWS::SQS::Queue":
            queue = attributes.get("QueueName") or fallback
            url = f"https://sqs.{region}.amazonaws.com/{account}/{queue}"
            return {"Ref": url, "QueueUrl": url, "QueueName": queue, "Arn": names.queue_arn(queue)}
        if kind == "AWS::Lambda::Function":
            name = attributes.get("Ref") or fallback
            return {"Ref": name, "Arn": f"arn:aws:lambda:{region}:{account}:function:{name}"}
        if kind == "AWS::StepFunctions::StateMachine":
            arn = (
                attributes.get("Ref")
                or attributes.get("Arn")
                or f"arn:aws:states:{region}:{account}:stateMachine:{fallback}"
            )
            return {"Ref": arn, "Arn": arn, "Name": arn.rsplit(":", 1)[-1]}
        if kind == "AWS::IAM::Role":
            arn = attributes.get("Arn") or names.role_arn(logical)
            return {"Ref": arn.rsplit("/", 1)[-1], "Arn": arn, "RoleId": f"AROA{logical.upper()[:16]}"}
        if kind == "AWS::Events::Rule":
            rule = attributes.get("Ref") or fallback
            return {"Ref": rule, "Arn": f"arn:aws:events:{region}:{account}:rule/{rule}"}
        if kind == "AWS::KMS::Key":
            key_id = f"key-{logical.lower()}"
            return {"Ref": key_id, "KeyId": key_id, "Arn": f"arn:aws:kms:{region}:{account}:key/{key_id}"}
        if kind == "AWS::Logs::LogGroup":
            group = attributes.get("Ref") or fallback
            return {"Ref": group, "Arn": f"arn:aws:logs:{region}:{account}:log-group:{group}:*"}
        if kind == "AWS::DynamoDB::Table":
            table = attributes.get("Ref") or fallback
            arn = f"arn:aws:dynamodb:{region}:{account}:table/{table}"
            return {"Ref": table, "Arn": arn, "StreamArn": f"{arn}/stream/local"}
        service = kind.split("::")[1].lower() if kind.count("::") == 2 else "unknown"
        return {
            "Ref": attributes.get("Ref", fallback),
            "Arn": f"arn:aws:{service}:{region}:{account}:{fallback}",
            **attributes,
        }

    # --------------------------------------------------------------------------------------- intrinsics
    def pseudo(self, name: str) -> str | None:
        return {
            "AWS::Partition": "aws",
            "AWS::Region": self.names.region,
            "AWS::AccountId": self.names.account,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self.names.prefix,
            "AWS::NoValue": "",
        }.get(name)

    def attribute(self, logical: str, attribute: str) -> str:
        if attribute == "Ref":
            pseudo = self.pseudo(logical)
            if pseudo is not None:
                return pseudo
        return self.physical.get(logical, {}).get(attribute, UNRESOLVED)

    def resolve(self, value: Any) -> Any:
        """A string for a string-valued intrinsic; lists stay lists (``Fn::Split``, ``Fn::GetAZs`` aside)."""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float | str):
            return str(value)
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict) or len(value) != 1:
            return UNRESOLVED
        ((function, argument),) = value.items()
        if function == "Ref":
            return self.attribute(str(argument), "Ref")
        if function == "Fn::GetAtt":
            return self.attribute(ref_target(value) or "", _attribute_name(value))
        if function == "Fn::Join":
            separator, parts = argument
            return str(separator).join(str(self.resolve(part)) for part in parts)
        if function == "Fn::Sub":
            text, variables = (argument, {}) if isinstance(argument, str) else argument
            return self._substitute(str(text), variables)
        if function == "Fn::Select":
            index, items = argument
            resolved = self.resolve(items)
            return resolved[int(index)] if isinstance(resolved, list) and int(index) < len(resolved) else UNRESOLVED
        if function == "Fn::Split":
            separator, text = argument
            return str(self.resolve(text)).split(str(separator))
        return UNRESOLVED

    def resolve_text(self, value: Any) -> str:
        resolved = self.resolve(value)
        return resolved if isinstance(resolved, str) else UNRESOLVED

    def _substitute(self, text: str, variables: Mapping[str, Any]) -> str:
        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return self.resolve_text(variables[name])
            logical, _, attribute = name.partition(".")
            return self.attribute(logical, attribute or "Ref")

        return re.sub(r"\$\{([^}!]+)\}", one, text)
