"""The workflow: the state machine (ASL file + substitutions) and the role Amazon Translate assumes for its jobs."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import aws_cdk as cdk
from amts import asl, config
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

REPO_ROOT = Path(__file__).resolve().parents[1]
ASL_FILE = REPO_ROOT / "statemachine" / "pipeline.asl.json"


def asl_placeholders(path: Path = ASL_FILE) -> set[str]:
    """Every ``${Name}`` the ASL file expects the deployment to substitute."""
    return asl.placeholders(path.read_text(encoding="utf-8"))


class TranslateDataAccessRole(Construct):
    """The role Amazon Translate assumes to read a job's input and write its output, and nothing else."""

    def __init__(self, scope: Construct, construct_id: str, *, work_bucket: s3.IBucket) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        self.role = iam.Role(
            self,
            "Role",
            description="Amazon Translate batch jobs: read jobs/input/, write jobs/output/ of the working bucket",
            # Confused-deputy guard: only Translate acting for this account (and its own resources) may assume it.
            assumed_by=iam.ServicePrincipal(
                "translate.amazonaws.com",
                conditions={
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {"aws:SourceArn": f"arn:{stack.partition}:translate:{stack.region}:{stack.account}:*"},
                },
            ),
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadJobInput",
                actions=["s3:GetObject"],
                resources=[work_bucket.arn_for_objects(f"{config.JOB_INPUT_PREFIX}*")],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="WriteJobOutput",
                actions=["s3:PutObject"],
                resources=[work_bucket.arn_for_objects(f"{config.JOB_OUTPUT_PREFIX}*")],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="ListJobPrefixes",
                actions=["s3:ListBucket"],
                resources=[work_bucket.bucket_arn],
                conditions={
                    "StringLike": {"s3:prefix": [f"{config.JOB_INPUT_PREFIX}*", f"{config.JOB_OUTPUT_PREFIX}*"]}
                },
            )
        )


class Workflow(Construct):
    """The Standard state machine defined by ``statemachine/pipeline.asl.json``, with its role, logs and tracing."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        substitutions: Mapping[str, str],
        log_retention: logs.RetentionDays,
        asl_file: Path = ASL_FILE,
    ) -> None:
        super().__init__(scope, construct_id)
        missing = sorted(asl_placeholders(asl_file) - set(substitutions))
        if missing:
            raise ValueError(f"{asl_file}: no substitution for placeholder(s) {', '.join(missing)}")
        self.log_group = logs.LogGroup(
            self, "LogGroup", retention=log_retention, removal_policy=cdk.RemovalPolicy.DESTROY
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("states.amazonaws.com"),
            description="AMTS pipeline state machine",
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_file(str(asl_file)),
            definition_substitutions=dict(substitutions),
            role=self.role,
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=self.log_group, level=sfn.LogLevel.ALL, include_execution_data=True),
        )
