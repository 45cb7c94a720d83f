"""The S3 trigger: Object Created under the source prefix -> EventBridge rule -> SQS queue (with DLQ) -> starter.

The queue and its batching window turn the hundreds of events of a whole book upload into one starter batch (normally:
see docs/decisions.md "Pipeline concurrency" for when a drop is split, and why a split is safe); the starter derives
a deterministic execution name from the batch, so a redelivered event never starts a second run.
"""

from __future__ import annotations

from typing import cast

import aws_cdk as cdk
import jsii
from amts import config
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

# Messages stay long enough for a weekend outage of the starter (SQS allows 14 days at most).
RETENTION = cdk.Duration.days(14)
MAX_RECEIVE_COUNT = 5
# What Lambda's SQS poller does with the function's role (Lambda Developer Guide, "Using Lambda with Amazon SQS";
# the AWSLambdaSQSQueueExecutionRole managed policy holds exactly these). CDK's SqsEventSource would also grant
# sqs:ChangeMessageVisibility and sqs:GetQueueUrl, which the poller does not use.
EVENT_SOURCE_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
RETRY_ATTEMPTS = 185
MAX_EVENT_AGE = cdk.Duration.hours(24)
# The lowest maximum concurrency Lambda accepts for an SQS event source (2-1000): at most two Starter invocations,
# so at most two batches of one drop are read and started at the same time.
MAX_CONCURRENT_BATCHES = 2


class Trigger(Construct):
    """EventBridge rule on the input bucket's source prefix, feeding a queue that the starter drains in batches."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        input_bucket: s3.IBucket,
        starter: lambda_.IFunction,
        starter_timeout: cdk.Duration,
        batch_window_seconds: int,
        batch_size: int,
    ) -> None:
        super().__init__(scope, construct_id)
        # One DLQ for both failure points: events EventBridge cannot deliver, and messages the starter keeps failing.
        self.dead_letter_queue = self._queue("DeadLetterQueue")
        self.queue = self._queue(
            "Queue",
            # AWS guidance for Lambda event sources: at least six times the function timeout, plus the window.
            visibility_timeout=cdk.Duration.seconds(6 * starter_timeout.to_seconds() + batch_window_seconds),
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.dead_letter_queue, max_receive_count=MAX_RECEIVE_COUNT),
        )
        self.rule = events.Rule(
            self,
            "SourceObjectCreated",
            description=f"Object Created under {config.SOURCE_PREFIX} in the input bucket",
            event_pattern=events.EventPattern(
                source=["aws.s3"],
                detail_type=["Object Created"],
                detail={
                    "bucket": {"name": [input_bucket.bucket_name]},
                    "object": {"key": [{"prefix": config.SOURCE_PREFIX}]},
                },
            ),
            targets=[cast(events.IRuleTarget, QueueTarget(self.queue, dead_letter_queue=self.dead_letter_queue))],
        )
        starter.add_to_role_policy(
            iam.PolicyStatement(
                sid="PollUploadQueue", actions=list(EVENT_SOURCE_ACTIONS), resources=[self.queue.queue_arn]
            )
        )
        self.event_source = lambda_.EventSourceMapping(
            self,
            "StarterEventSource",
            target=starter,
            event_source_arn=self.queue.queue_arn,
            batch_size=batch_size,
            max_batching_window=cdk.Duration.seconds(batch_window_seconds),
            report_batch_item_failures=True,
            # Few concurrent batches: a book dropped at once should land in as few batches as possible.
            max_concurrency=MAX_CONCURRENT_BATCHES,
        )
        # Lambda checks the role's SQS permissions when it creates the mapping: the grant must exist first.
        assert starter.role is not None
        self.event_source.node.add_dependency(starter.role)

    def _queue(
        self,
        construct_id: str,
        *,
        visibility_timeout: cdk.Duration | None = None,
        dead_letter_queue: sqs.DeadLetterQueue | None = None,
    ) -> sqs.Queue:
        """An SSE-SQS encrypted, TLS-only queue keeping its messages for ``RETENTION``."""
        return sqs.Queue(
            self,
            construct_id,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=RETENTION,
            visibility_timeout=visibility_timeout,
            dead_letter_queue=dead_letter_queue,
        )


@jsii.implements(events.IRuleTarget)
class QueueTarget:
    """An SQS target that lets EventBridge send to the queue and its DLQ for this rule only, and nothing else.

    CDK's ``targets.SqsQueue`` also grants EventBridge sqs:GetQueueAttributes and sqs:GetQueueUrl, which delivery
    does not use (EventBridge User Guide, "Amazon SQS permissions": sqs:SendMessage with aws:SourceArn).
    """

    def __init__(self, queue: sqs.Queue, *, dead_letter_queue: sqs.Queue) -> None:
        self.queue = queue
        self.dead_letter_queue = dead_letter_queue

    def bind(self, rule: events.IRule, _id: str | None = None) -> events.RuleTargetConfig:
        for queue in (self.queue, self.dead_letter_queue):
            queue.add_to_resource_policy(
                iam.PolicyStatement(
                    sid=f"EventBridgeSendFor{cdk.Names.node_unique_id(rule.node)[-20:]}",
                    principals=[iam.ServicePrincipal("events.amazonaws.com")],
                    actions=["sqs:SendMessage"],
                    resources=[queue.queue_arn],
                    conditions={"ArnEquals": {"aws:SourceArn": rule.rule_arn}},
                )
            )
        return events.RuleTargetConfig(
            arn=self.queue.queue_arn,
            dead_letter_config=events.CfnRule.DeadLetterConfigProperty(arn=self.dead_letter_queue.queue_arn),
            retry_policy=events.CfnRule.RetryPolicyProperty(
                maximum_retry_attempts=RETRY_ATTEMPTS, maximum_event_age_in_seconds=int(MAX_EVENT_AGE.to_seconds())
            ),
        )
