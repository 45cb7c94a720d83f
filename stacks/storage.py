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
        self.access_log_bucket = s3.Bucket(
            self,
            "AccessLogBucket",
            # The server-access-log delivery service writes only to SSE-S3 encrypted targets.
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[
                s3.LifecycleRule(id="ExpireAccessLogs", expiration=cdk.Duration.days(access_log_expiry_days))
            ],
            removal_policy=removal_policy,
        )
        self.input_bucket = self._bucket(
            "InputBucket",
            log_prefix="input/",
            removal_policy=removal_policy,
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ExpireOldVersions",
                    noncurrent_version_expiration=cdk.Duration.days(input_noncurrent_version_expiry_days),
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(7),
                )
            ],
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
            log_prefix="work/",
            removal_policy=removal_policy,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ExpireWorkingData",
                    expiration=cdk.Duration.days(work_expiry_days),
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(1),
                )
            ],
        )
        # Versioned: a published chapter, the memory or a report overwritten by a bad run can be restored.
        self.output_bucket = self._bucket(
            "OutputBucket",
            log_prefix="output/",
            removal_policy=removal_policy,
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ExpireOldVersions",
                    noncurrent_version_expiration=cdk.Duration.days(output_noncurrent_version_expiry_days),
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(7),
                )
            ],
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
        *,
        log_prefix: str,
        removal_policy: cdk.RemovalPolicy,
        lifecycle_rules: list[s3.LifecycleRule],
        versioned: bool = False,
    ) -> s3.Bucket:
        return s3.Bucket(
            self,
            construct_id,
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=versioned,
            server_access_logs_bucket=self.access_log_bucket,
            server_access_logs_prefix=log_prefix,
            lifecycle_rules=lifecycle_rules,
            removal_policy=removal_policy,
        )
