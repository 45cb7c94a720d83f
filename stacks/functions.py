"""One Lambda factory, and the pipeline's functions built with it from ``amts.config.FUNCTIONS``.

Each function gets its own role holding only what the factory grants (its log group, X-Ray); the stack grants the
rest, per function, on named resources. No AWS managed policy is attached.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import aws_cdk as cdk
from amts import config
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from stacks.bundling import lambda_code

RUNTIMES: dict[str, lambda_.Runtime] = {"3.12": lambda_.Runtime.PYTHON_3_12, "3.13": lambda_.Runtime.PYTHON_3_13}
ARCHITECTURES: dict[str, lambda_.Architecture] = {
    "x86_64": lambda_.Architecture.X86_64,
    "arm64": lambda_.Architecture.ARM_64,
}


@dataclass(frozen=True)
class FunctionSizing:
    """What differs between functions: memory (CPU scales with it) and timeout."""

    memory_mb: int
    timeout_seconds: int


# The starter only validates objects and starts an execution; the book steps parse, align and score whole books
# (1,769 MB is one full vCPU; 15 minutes is Lambda's maximum, needed by alignment over a large book).
SIZING: Mapping[str, FunctionSizing] = {
    "Starter": FunctionSizing(memory_mb=512, timeout_seconds=300),  # a batch of a few thousand uploads, each read
    "Plan": FunctionSizing(memory_mb=1024, timeout_seconds=120),
    "BuildParallelData": FunctionSizing(memory_mb=3008, timeout_seconds=900),
    "Stage": FunctionSizing(memory_mb=1769, timeout_seconds=300),
    "Budget": FunctionSizing(memory_mb=256, timeout_seconds=60),  # sums figures, one DynamoDB transaction
    "Release": FunctionSizing(memory_mb=512, timeout_seconds=300),  # copies a pair's staged documents
    "Assemble": FunctionSizing(memory_mb=1769, timeout_seconds=600),
    "Score": FunctionSizing(memory_mb=1769, timeout_seconds=600),
}


class PythonFunctionFactory:
    """Builds every function the same way: runtime, architecture, bundled code, JSON logs, X-Ray, Powertools."""

    def __init__(
        self,
        *,
        python_version: str,
        architecture: str,
        log_retention: logs.RetentionDays,
        environment: Mapping[str, str],
    ) -> None:
        self.runtime = RUNTIMES[python_version]
        self.architecture = ARCHITECTURES[architecture]
        self._log_retention = log_retention
        self._environment = dict(environment)
        self._code = lambda_code(architecture=architecture, python_version=python_version, runtime=self.runtime)

    def create(
        self,
        scope: Construct,
        construct_id: str,
        *,
        handler: str,
        description: str,
        sizing: FunctionSizing,
        environment: Mapping[str, str] | None = None,
    ) -> lambda_.Function:
        log_group = logs.LogGroup(
            scope,
            f"{construct_id}LogGroup",
            retention=self._log_retention,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        role = iam.Role(
            scope,
            f"{construct_id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"AMTS {construct_id} function",
        )
        # The function writes only to its own log group (the basic-execution managed policy allows every group).
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[log_group.log_group_arn],
            )
        )
        return lambda_.Function(
            scope,
            construct_id,
            runtime=self.runtime,
            architecture=self.architecture,
            code=self._code,
            handler=handler,
            description=f"AMTS: {description}",
            memory_size=sizing.memory_mb,
            timeout=cdk.Duration.seconds(sizing.timeout_seconds),
            role=role,
            log_group=log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            tracing=lambda_.Tracing.ACTIVE,
            environment={
                **config.POWERTOOLS_ENVIRONMENT,
                "POWERTOOLS_LOG_LEVEL": "INFO",
                **config.THREAD_ENVIRONMENT,  # one vCPU is not shared by a pool of BLAS threads
                **self._environment,
                **(environment or {}),
            },
        )


class Functions(Construct):
    """The pipeline's functions, one per ``amts.config.FUNCTIONS`` entry, keyed by ``function_id``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        factory: PythonFunctionFactory,
    ) -> None:
        super().__init__(scope, construct_id)
        self.by_id: dict[str, lambda_.Function] = {}
        for spec in config.FUNCTIONS:
            self.by_id[spec.function_id] = factory.create(
                self,
                spec.function_id,
                handler=spec.handler,
                description=spec.description,
                sizing=SIZING[spec.function_id],
            )

    @property
    def starter(self) -> lambda_.Function:
        return self.by_id["Starter"]

    @property
    def workflow_functions(self) -> dict[str, lambda_.Function]:
        """The functions the state machine invokes, keyed by their ASL placeholder."""
        return {
            spec.asl_placeholder: self.by_id[spec.function_id]
            for spec in config.FUNCTIONS
            if spec.asl_placeholder is not None
        }
