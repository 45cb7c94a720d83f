"""Notifications and alarms: an encrypted SNS topic for run results and failures, and the alarms that feed it."""

from __future__ import annotations

from collections.abc import Mapping

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct


class Notifications(Construct):
    """The topic the workflow publishes run results and failures to, encrypted with a customer-managed key.

    A customer-managed key, because CloudWatch alarms cannot publish to a topic under the AWS-managed SNS key.
    """

    def __init__(self, scope: Construct, construct_id: str, *, email: str | None) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            "TopicKey",
            description="AMTS notifications topic",
            enable_key_rotation=True,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        # Alarms publish as the CloudWatch service, which needs the key to encrypt the message.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarms",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],  # in a key policy "*" means this key
                conditions={"StringEquals": {"aws:SourceAccount": cdk.Stack.of(self).account}},
            )
        )
        self.topic = sns.Topic(
            self, "Topic", display_name="AMTS translation runs", master_key=self.key, enforce_ssl=True
        )
        # The TLS-only topic policy replaces SNS's default one, which let the account's alarms publish: allow
        # CloudWatch to publish for this account's alarms only (confused-deputy guard on account and alarm ARN).
        stack = cdk.Stack.of(self)
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowAccountAlarms",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {
                        "aws:SourceArn": f"arn:{stack.partition}:cloudwatch:{stack.region}:{stack.account}:alarm:*"
                    },
                },
            )
        )
        if email is not None:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))


class Alarms(Construct):
    """Alarms on failed executions, anything in the dead-letter queue, and function errors."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        topic: sns.ITopic,
        state_machine: sfn.IStateMachine,
        dead_letter_queue: sqs.IQueue,
        functions: Mapping[str, lambda_.IFunction],
    ) -> None:
        super().__init__(scope, construct_id)
        action = actions.SnsAction(topic)
        period = cdk.Duration.minutes(5)
        self.alarms: list[cloudwatch.Alarm] = []

        def add(alarm: cloudwatch.Alarm) -> None:
            alarm.add_alarm_action(action)
            self.alarms.append(alarm)

        for metric_id, metric in (
            ("ExecutionsFailed", state_machine.metric_failed(period=period, statistic="Sum")),
            ("ExecutionsTimedOut", state_machine.metric_timed_out(period=period, statistic="Sum")),
            ("ExecutionsAborted", state_machine.metric_aborted(period=period, statistic="Sum")),
        ):
            add(
                metric.create_alarm(
                    self,
                    metric_id,
                    alarm_description=f"AMTS pipeline: {metric_id} (see the state machine's execution history)",
                    threshold=1,
                    evaluation_periods=1,
                    comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                    treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                )
            )
        add(
            dead_letter_queue.metric_approximate_number_of_messages_visible(
                period=period, statistic="Maximum"
            ).create_alarm(
                self,
                "DeadLetterQueueNotEmpty",
                alarm_description="AMTS: S3 events that could not start a run are waiting in the dead-letter queue",
                threshold=1,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
        )
        for function_id, function in functions.items():
            add(
                function.metric_errors(period=period, statistic="Sum").create_alarm(
                    self,
                    f"{function_id}Errors",
                    alarm_description=f"AMTS: the {function_id} function raised errors",
                    threshold=1,
                    evaluation_periods=1,
                    comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                    treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                )
            )
