"""The buckets: input (the books, versioned, EventBridge notifications), working (expiring), output (versioned),
access logs; and the cost guard's spend ledger (a DynamoDB table)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from constructs import Construct


class Storage(Construct):
    """Four private, encrypted, TLS-only buckets; the first three log their access to the fourth."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        work_expiry_days: int,
        access_log_expiry_days: int,
        input_noncurrent_version_expiry_days: int,
        output_noncurrent_version_expiry_days: int,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        # The server-access-log delivery service writes only to SSE-S3 encrypted targets (every bucket here is).
        self.access_log_bucket = self._bucket(
            "AccessLogBucket", removal_policy, _expire("ExpireAccessLogs", access_log_expiry_days), log_prefix=None
        )
        self.input_bucket = self._bucket(
            "InputBucket",
            removal_policy,
            _expire("ExpireOldVersions", input_noncurrent_version_expiry_days, noncurrent=True, abort_uploads_after=7),
            log_prefix="input/",
        )
        # EventBridge notifications set directly on the bucket resource: ``event_bridge_enabled=True`` would add
        # CDK's Custom::S3BucketNotifications Lambda (an extra function, role and managed policy) for one flag.
        cfn_input = self.input_bucket.node.default_child
        assert isinstance(cfn_input, s3.CfnBucket)
        cfn_input.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
            event_bridge_configuration=s3.CfnBucket.EventBridgeConfigurationProperty(event_bridge_enabled=True)
        )
        self.work_bucket = self._bucket(
            "WorkBucket",
            removal_policy,
            _expire("ExpireWorkingData", work_expiry_days, abort_uploads_after=1),
            log_prefix="work/",
        )
        # Versioned: a published chapter, the memory or a report overwritten by a bad run can be restored.
        self.output_bucket = self._bucket(
            "OutputBucket",
            removal_policy,
            _expire("ExpireOldVersions", output_noncurrent_version_expiry_days, noncurrent=True, abort_uploads_after=7),
            log_prefix="output/",
        )
        # The spend ledger: one item per run, UTC day and month, updated only in conditional transactions.
        self.spend_table = dynamodb.Table(
            self,
            "SpendLedger",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute="expires_at",
            removal_policy=removal_policy,
        )

    def _bucket(
        self,
        construct_id: str,
        removal_policy: cdk.RemovalPolicy,
        lifecycle_rule: s3.LifecycleRule,
        *,
        log_prefix: str | None,
    ) -> s3.Bucket:
        """A private, SSE-S3 encrypted, TLS-only bucket; versioned when its rule expires old versions, and logging
        its access under ``log_prefix`` of the access-log bucket (None: it is the access-log bucket)."""
        return s3.Bucket(
            self,
            construct_id,
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=lifecycle_rule.noncurrent_version_expiration is not None,
            server_access_logs_bucket=None if log_prefix is None else self.access_log_bucket,
            server_access_logs_prefix=log_prefix,
            lifecycle_rules=[lifecycle_rule],
            removal_policy=removal_policy,
        )


def _expire(
    rule_id: str, days: int, *, noncurrent: bool = False, abort_uploads_after: int | None = None
) -> s3.LifecycleRule:
    """Expire the objects (or, with ``noncurrent``, their old versions) after ``days``; abort incomplete
    multipart uploads after ``abort_uploads_after`` days."""
    expiry = cdk.Duration.days(days)
    return s3.LifecycleRule(
        id=rule_id,
        expiration=None if noncurrent else expiry,
        noncurrent_version_expiration=expiry if noncurrent else None,
        abort_incomplete_multipart_upload_after=(
            None if abort_uploads_after is None else cdk.Duration.days(abort_uploads_after)
        ),
    )
