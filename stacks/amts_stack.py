"""The one AMTS stack: storage, functions, workflow, trigger and monitoring, wired together with explicit grants."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
from amts import config
from amts.pipeline_config import PipelineConfig, asl_limit_substitutions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from stacks.access import function_access, s3_statements
from stacks.functions import SIZING, Functions, PythonFunctionFactory
from stacks.monitoring import Alarms, Notifications
from stacks.nag import acknowledge_findings
from stacks.settings import DeploymentSettings
from stacks.storage import Storage
from stacks.trigger import Trigger
from stacks.workflow import ASL_FILE, TranslateDataAccessRole, Workflow


class AmtsStack(cdk.Stack):
    """Everything ``cdk deploy`` stands up for one AMTS deployment."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        pipeline: PipelineConfig,
        settings: DeploymentSettings,
        asl_file: Path = ASL_FILE,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.pipeline = pipeline
        self.function_access = function_access(
            (p.reference_prefix or "" for p in pipeline.language_pairs),
            glossary_keys=(p.terminology_key for p in pipeline.language_pairs if p.terminology_key),
        )
        for table, where in ((self.function_access, "stacks/access.py"), (SIZING, "stacks/functions.py SIZING")):
            missing = [spec.function_id for spec in config.FUNCTIONS if spec.function_id not in table]
            if missing:
                raise ValueError(f"{where} has no entry for function(s) {', '.join(missing)} of amts.config.FUNCTIONS")

        self.storage = Storage(
            self,
            "Storage",
            work_expiry_days=settings.work_expiry_days,
            access_log_expiry_days=settings.access_log_expiry_days,
            input_noncurrent_version_expiry_days=settings.input_noncurrent_version_expiry_days,
            output_noncurrent_version_expiry_days=settings.output_noncurrent_version_expiry_days,
        )
        self.notifications = Notifications(self, "Notifications", email=settings.alarm_email)
        if settings.alarm_email is None:
            cdk.Annotations.of(self).add_warning_v2(
                "amts:no-alarm-email",
                "amts:deployment.alarm_email is not set: alarms and run notifications reach a topic nobody "
                "subscribes to. Set it in cdk.json, or subscribe to the TopicArn output after deploying "
                "(aws sns subscribe --topic-arn <TopicArn> --protocol email --notification-endpoint you@example.com).",
            )
        self.translate_role = TranslateDataAccessRole(
            self, "TranslateDataAccess", work_bucket=self.storage.work_bucket
        ).role

        factory = PythonFunctionFactory(
            python_version=config.LAMBDA_PYTHON_VERSION,
            architecture=config.LAMBDA_ARCHITECTURE,
            log_retention=settings.log_retention,
            environment={
                config.ENV_INPUT_BUCKET: self.storage.input_bucket.bucket_name,
                config.ENV_WORK_BUCKET: self.storage.work_bucket.bucket_name,
                config.ENV_OUTPUT_BUCKET: self.storage.output_bucket.bucket_name,
                config.ENV_TRANSLATE_ROLE_ARN: self.translate_role.role_arn,
                config.ENV_TOPIC_ARN: self.notifications.topic.topic_arn,
                config.ENV_PIPELINE_CONFIG: pipeline.to_env_json(),
            },
        )
        self.functions = Functions(self, "Functions", factory=factory)
        self._grant_function_storage()
        self._grant_spend_ledger()

        substitutions = {
            **{placeholder: fn.function_arn for placeholder, fn in self.functions.workflow_functions.items()},
            config.ASL_INPUT_BUCKET: self.storage.input_bucket.bucket_name,
            config.ASL_WORK_BUCKET: self.storage.work_bucket.bucket_name,
            config.ASL_OUTPUT_BUCKET: self.storage.output_bucket.bucket_name,
            config.ASL_TRANSLATE_ROLE_ARN: self.translate_role.role_arn,
            config.ASL_TOPIC_ARN: self.notifications.topic.topic_arn,
            **asl_limit_substitutions(pipeline),
        }
        self.workflow = Workflow(
            self, "Workflow", substitutions=substitutions, log_retention=settings.log_retention, asl_file=asl_file
        )
        self._grant_state_machine()

        starter = self.functions.starter
        starter.add_environment(config.ENV_STATE_MACHINE_ARN, self.workflow.state_machine.state_machine_arn)
        self.workflow.state_machine.grant_start_execution(starter)
        self.trigger = Trigger(
            self,
            "Trigger",
            input_bucket=self.storage.input_bucket,
            starter=starter,
            starter_timeout=cdk.Duration.seconds(SIZING["Starter"].timeout_seconds),
            batch_window_seconds=settings.starter_batch_window_seconds,
            batch_size=settings.starter_batch_size,
        )
        self.alarms = Alarms(
            self,
            "Alarms",
            topic=self.notifications.topic,
            state_machine=self.workflow.state_machine,
            dead_letter_queue=self.trigger.dead_letter_queue,
            functions=self.functions.by_id,
        )
        self._outputs()
        self.acknowledgments = acknowledge_findings(self)

    @property
    def buckets(self) -> dict[str, s3.Bucket]:
        return {
            "input": self.storage.input_bucket,
            "work": self.storage.work_bucket,
            "output": self.storage.output_bucket,
        }

    def _grant_function_storage(self) -> None:
        for function_id, function in self.functions.by_id.items():
            access = self.function_access[function_id]
            for bucket_name, prefixes in access.buckets.items():
                sid = f"{bucket_name.capitalize()}Bucket"
                for statement in s3_statements(sid, self.buckets[bucket_name], prefixes):
                    function.add_to_role_policy(statement)

    def _grant_spend_ledger(self) -> None:
        """Only the Budget function touches the ledger: it reads items, and writes them only in transactions."""
        budget = self.functions.by_id["Budget"]
        table = self.storage.spend_table
        budget.add_environment(config.ENV_SPEND_TABLE, table.table_name)
        budget.add_to_role_policy(
            iam.PolicyStatement(sid="ReadSpendLedger", actions=["dynamodb:GetItem"], resources=[table.table_arn])
        )
        budget.add_to_role_policy(
            iam.PolicyStatement(
                sid="ReserveAndSettleSpend",
                actions=["dynamodb:PutItem", "dynamodb:UpdateItem"],
                resources=[table.table_arn],
                # ForAnyValue (not ForAllValues, which holds when the key is absent): a plain PutItem/UpdateItem,
                # outside a transaction, carries no EnclosingOperation and is refused.
                conditions={"ForAnyValue:StringEquals": {"dynamodb:EnclosingOperation": ["TransactWriteItems"]}},
            )
        )

    def _grant_state_machine(self) -> None:
        role = self.workflow.role
        stack = cdk.Stack.of(self)
        # Unqualified function ARNs only: the ASL invokes $LATEST, so no version or alias wildcard (":*").
        role.add_to_policy(
            iam.PolicyStatement(
                sid="InvokePipelineFunctions",
                actions=["lambda:InvokeFunction"],
                resources=[fn.function_arn for fn in self.functions.workflow_functions.values()],
            )
        )
        parallel_data_arns = [
            stack.format_arn(
                service="translate",
                resource="parallel-data",
                resource_name=pair.parallel_data_name,
                arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME,
            )
            for pair in self.pipeline.language_pairs
        ]
        role.add_to_policy(
            iam.PolicyStatement(
                sid="ManageParallelData",
                actions=["translate:CreateParallelData", "translate:UpdateParallelData", "translate:GetParallelData"],
                resources=parallel_data_arns,
            )
        )
        # Translate takes no resource-level permission for these (Service Authorization Reference): "*" only.
        role.add_to_policy(
            iam.PolicyStatement(
                sid="RunTranslationJobs",
                actions=["translate:StartTextTranslationJob", "translate:DescribeTextTranslationJob"],
                resources=["*"],
            )
        )
        # Create/UpdateParallelData read the file with the caller's identity (there is no role parameter).
        role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadParallelDataFiles",
                actions=["s3:GetObject"],
                resources=[self.storage.work_bucket.arn_for_objects(f"{config.PARALLEL_DATA_PREFIX}*")],
            )
        )
        # Only the state machine starts jobs, so only it may hand Translate the data-access role.
        role.add_to_policy(
            iam.PolicyStatement(
                sid="PassRoleToTranslate",
                actions=["iam:PassRole"],
                resources=[self.translate_role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": "translate.amazonaws.com"}},
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(sid="Notify", actions=["sns:Publish"], resources=[self.notifications.topic.topic_arn])
        )
        # Publishing to the encrypted topic encrypts with its key (grant_publish would allow GenerateDataKey*).
        role.add_to_policy(
            iam.PolicyStatement(
                sid="EncryptNotifications",
                actions=["kms:GenerateDataKey", "kms:Decrypt"],
                resources=[self.notifications.key.key_arn],
            )
        )

    def _outputs(self) -> None:
        for output_id, value, description in (
            ("InputBucketName", self.storage.input_bucket.bucket_name, "upload book/<lang>/<path>.md here"),
            ("WorkBucketName", self.storage.work_bucket.bucket_name, "parallel data and Translate jobs"),
            ("OutputBucketName", self.storage.output_bucket.bucket_name, "translated chapters, state, reports"),
            ("StateMachineArn", self.workflow.state_machine.state_machine_arn, "the pipeline's state machine"),
            ("TopicArn", self.notifications.topic.topic_arn, "run results and failures"),
            ("DeadLetterQueueUrl", self.trigger.dead_letter_queue.queue_url, "events that could not start a run"),
        ):
            cdk.CfnOutput(self, output_id, value=value, description=description)
