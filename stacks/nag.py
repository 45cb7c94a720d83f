"""Every cdk-nag acknowledgment of the app, in one place, each with the reason it is acceptable.

Findings that could be fixed were fixed instead (no managed policies, no ``GenerateDataKey*``, no ``function:*``
version wildcards, no S3-notification custom resource). What remains is listed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import aws_cdk as cdk
from amts import config
from aws_cdk import aws_s3 as s3
from constructs import IConstruct

if TYPE_CHECKING:
    from stacks.amts_stack import AmtsStack

PACK = "AwsSolutions::"

RUNTIME_REASON = (
    f"Python {config.LAMBDA_PYTHON_VERSION} on purpose: the project supports 3.12/3.13, the bundle is pip-installed "
    f"for cp{config.LAMBDA_PYTHON_VERSION.replace('.', '')} wheels and import-tested with a local CPython "
    f"{config.LAMBDA_PYTHON_VERSION} (tests/infrastructure), which no newer runtime could be here."
)
XRAY_REASON = (
    "xray:PutTraceSegments/PutTelemetryRecords (active tracing) accept no resource-level permission: Resource is *."
)
WORKFLOW_STAR_REASON = (
    "Only actions without resource-level permissions use *: X-Ray tracing, CloudWatch Logs vended log delivery "
    "(CDK's state machine logging), and translate:StartTextTranslationJob/DescribeTextTranslationJob (the Service "
    "Authorization Reference allows only * for job APIs). Parallel data and the data-access role are named."
)
PREFIX_REASON = (
    "Object keys below this prefix are chapter paths and job ids chosen at run time, so the object ARN must end in "
    "'*'. The prefix is one the principal owns (stacks/access.py); actions are exactly s3:GetObject/s3:PutObject."
)


@dataclass(frozen=True)
class Acknowledged:
    """One acknowledgment: the construct path it covers, the finding id and the reason."""

    path: str
    rule: str
    reason: str


def _ack(acks: list[Acknowledged], scope: IConstruct, rule: str, reason: str) -> None:
    cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=f"{PACK}{rule}", reason=reason))
    acks.append(Acknowledged(path=scope.node.path, rule=rule, reason=reason))


def _object_arn_finding(stack: cdk.Stack, bucket: s3.IBucket, prefix: str) -> str:
    cfn_bucket = bucket.node.default_child
    assert isinstance(cfn_bucket, cdk.CfnElement)
    logical_id = stack.resolve(stack.get_logical_id(cfn_bucket))
    return f"AwsSolutions-IAM5[Resource::<{logical_id}.Arn>/{prefix}*]"


def prefix_grants(stack: AmtsStack) -> dict[str, set[tuple[str, str]]]:
    """Per role construct path: (bucket role, prefix) of every object-ARN wildcard that role is granted."""
    grants: dict[str, set[tuple[str, str]]] = {}
    for function_id, access in stack.function_access.items():
        role = stack.functions.by_id[function_id].role
        assert role is not None
        grants[role.node.path] = {
            (bucket, prefix)
            for bucket, prefixes in access.buckets.items()
            for prefix in (*prefixes.read, *prefixes.write, *prefixes.read_versions)
        }
    grants[stack.translate_role.node.path] = {("work", config.JOB_INPUT_PREFIX), ("work", config.JOB_OUTPUT_PREFIX)}
    grants[stack.workflow.role.node.path] = {("work", config.PARALLEL_DATA_PREFIX)}  # Create/UpdateParallelData
    return grants


def acknowledge_findings(stack: AmtsStack) -> list[Acknowledged]:
    """Acknowledge the findings that remain after fixing everything that could be fixed; return them.

    Each acknowledgment is attached to the one role it is about and names the exact finding (bucket and prefix),
    so a role that picks up another prefix raises a new finding instead of inheriting an acknowledgment.
    """
    acks: list[Acknowledged] = []
    roles: dict[str, IConstruct] = {
        stack.translate_role.node.path: stack.translate_role,
        stack.workflow.role.node.path: stack.workflow.role,
    }
    for function in stack.functions.by_id.values():
        _ack(acks, function, "AwsSolutions-L1", RUNTIME_REASON)
        assert function.role is not None
        _ack(acks, function.role, "AwsSolutions-IAM5[Resource::*]", XRAY_REASON)
        roles[function.role.node.path] = function.role
    _ack(acks, stack.workflow.role, "AwsSolutions-IAM5[Resource::*]", WORKFLOW_STAR_REASON)
    for path, grants in sorted(prefix_grants(stack).items()):
        for bucket, prefix in sorted(grants):
            _ack(acks, roles[path], _object_arn_finding(stack, stack.buckets[bucket], prefix), PREFIX_REASON)
    return acks
