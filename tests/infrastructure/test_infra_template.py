"""The synthesized template: every resource and its important properties, the trigger path and the ASL wiring."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from amts import config
from amts.pipeline_config import asl_limit_substitutions, cdk_context, load_pipeline_config
from amts_handlers import shared
from aws_cdk import assertions

from stacks.app import CDK_JSON
from stacks.functions import SIZING
from stacks.workflow import ASL_FILE, asl_placeholders
from tests.infrastructure.conftest import Synthesized

PIPELINE = load_pipeline_config(cdk_context(CDK_JSON)[config.CDK_CONTEXT_PIPELINE])


def _ref(logical_id: str) -> dict[str, str]:
    return {"Ref": logical_id}


def _logical_id(synthesized: Synthesized, resource_type: str, prefix: str) -> str:
    matches = [k for k in synthesized.resources(resource_type) if k.startswith(prefix)]
    assert len(matches) == 1, f"{prefix}: {matches}"
    return matches[0]


@pytest.fixture(scope="module")
def assert_template(template: dict[str, Any]) -> assertions.Template:
    return assertions.Template.from_json(template)


# --- counts: nothing more, nothing less ---------------------------------------------------------------------------


def test_resource_counts(assert_template: assertions.Template) -> None:
    functions = len(config.FUNCTIONS)
    assert_template.resource_count_is("AWS::S3::Bucket", 4)
    assert_template.resource_count_is("AWS::Lambda::Function", functions)  # no CDK helper functions at all
    assert_template.resource_count_is("AWS::IAM::Role", functions + 2)  # + state machine + Translate data access
    assert_template.resource_count_is("AWS::StepFunctions::StateMachine", 1)
    assert_template.resource_count_is("AWS::SQS::Queue", 2)
    assert_template.resource_count_is("AWS::Events::Rule", 1)
    assert_template.resource_count_is("AWS::SNS::Topic", 1)
    assert_template.resource_count_is("AWS::KMS::Key", 1)
    assert_template.resource_count_is("AWS::Lambda::EventSourceMapping", 1)
    assert_template.resource_count_is("AWS::Logs::LogGroup", functions + 1)
    assert_template.resource_count_is("AWS::CloudWatch::Alarm", 3 + 1 + functions)
    assert_template.resource_count_is("AWS::IAM::ManagedPolicy", 0)


# --- storage ------------------------------------------------------------------------------------------------------


def test_every_bucket_is_private_encrypted_and_tls_only(synthesized: Synthesized) -> None:
    buckets = synthesized.resources("AWS::S3::Bucket")
    policies = synthesized.resources("AWS::S3::BucketPolicy")
    for logical_id, bucket in buckets.items():
        props = bucket["Properties"]
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }, logical_id
        (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256", logical_id
        assert bucket["DeletionPolicy"] == "Retain", logical_id
        deny_insecure = [
            s
            for p in policies.values()
            if p["Properties"]["Bucket"] == _ref(logical_id)
            for s in p["Properties"]["PolicyDocument"]["Statement"]
            if s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        ]
        assert len(deny_insecure) == 1, f"{logical_id} does not deny plain HTTP"
        assert deny_insecure[0]["Action"] == "s3:*"


def test_data_buckets_log_access_to_the_log_bucket(synthesized: Synthesized) -> None:
    log_bucket = _logical_id(synthesized, "AWS::S3::Bucket", "StorageAccessLogBucket")
    prefixes = {}
    for logical_id, bucket in synthesized.resources("AWS::S3::Bucket").items():
        if logical_id == log_bucket:
            assert "LoggingConfiguration" not in bucket["Properties"]
            continue
        logging = bucket["Properties"]["LoggingConfiguration"]
        assert logging["DestinationBucketName"] == _ref(log_bucket)
        prefixes[logical_id] = logging["LogFilePrefix"]
    assert sorted(prefixes.values()) == ["input/", "output/", "work/"]
    # S3's log delivery service may write there, for this account's buckets only.
    (policy,) = [
        p
        for p in synthesized.resources("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == _ref(log_bucket)
    ]
    grants = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert grants
    assert all(s["Principal"] == {"Service": "logging.s3.amazonaws.com"} for s in grants)
    assert all(s["Action"] == "s3:PutObject" for s in grants)


def test_input_bucket_is_versioned_and_sends_events_to_eventbridge(synthesized: Synthesized) -> None:
    props = synthesized.template["Resources"][_logical_id(synthesized, "AWS::S3::Bucket", "StorageInputBucket")][
        "Properties"
    ]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["NotificationConfiguration"] == {"EventBridgeConfiguration": {"EventBridgeEnabled": True}}
    (rule,) = props["LifecycleConfiguration"]["Rules"]
    assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == 90


def test_working_bucket_expires_its_objects(synthesized: Synthesized) -> None:
    props = synthesized.template["Resources"][_logical_id(synthesized, "AWS::S3::Bucket", "StorageWorkBucket")][
        "Properties"
    ]
    (rule,) = props["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled"
    assert rule["ExpirationInDays"] == 30
    assert "VersioningConfiguration" not in props


# --- functions ----------------------------------------------------------------------------------------------------


def test_one_function_per_spec_with_the_factory_settings(synthesized: Synthesized) -> None:
    functions = {
        f["Properties"]["Handler"]: f["Properties"] for f in synthesized.resources("AWS::Lambda::Function").values()
    }
    assert sorted(functions) == sorted(spec.handler for spec in config.FUNCTIONS)
    roles = set()
    for spec in config.FUNCTIONS:
        props = functions[spec.handler]
        assert props["Runtime"] == f"python{config.LAMBDA_PYTHON_VERSION}"
        assert props["Architectures"] == [config.LAMBDA_ARCHITECTURE]
        assert props["TracingConfig"] == {"Mode": "Active"}
        assert props["LoggingConfig"]["LogFormat"] == "JSON"
        assert props["MemorySize"] == SIZING[spec.function_id].memory_mb
        assert props["Timeout"] == SIZING[spec.function_id].timeout_seconds
        env = props["Environment"]["Variables"]
        assert env["POWERTOOLS_SERVICE_NAME"] == "amts"
        assert env["POWERTOOLS_METRICS_NAMESPACE"] == "Amts" == shared.metrics.namespace  # what the handlers emit to
        # One BLAS/OpenMP thread: a function's vCPU is not oversubscribed (amts.threads).
        assert env["OPENBLAS_NUM_THREADS"] == env["OMP_NUM_THREADS"] == env["MKL_NUM_THREADS"] == "1"
        for name in (config.ENV_INPUT_BUCKET, config.ENV_WORK_BUCKET, config.ENV_OUTPUT_BUCKET, config.ENV_TOPIC_ARN):
            assert name in env, (spec.function_id, name)
        assert load_pipeline_config(json.loads(env[config.ENV_PIPELINE_CONFIG])) == PIPELINE
        # Only the starter starts executions, so only it knows the state machine.
        assert (config.ENV_STATE_MACHINE_ARN in env) == (spec.function_id == "Starter")
        roles.add(json.dumps(props["Role"]))
    assert len(roles) == len(config.FUNCTIONS), "each function must have its own role"


def test_each_function_logs_to_its_own_group_with_retention(synthesized: Synthesized) -> None:
    groups = synthesized.resources("AWS::Logs::LogGroup")
    for function in synthesized.resources("AWS::Lambda::Function").values():
        group_ref = function["Properties"]["LoggingConfig"]["LogGroup"]
        assert groups[group_ref["Ref"]]["Properties"]["RetentionInDays"] == 30
    assert all(g["Properties"]["RetentionInDays"] == 30 for g in groups.values())


# --- trigger ------------------------------------------------------------------------------------------------------


def test_object_created_under_the_source_prefix_reaches_the_starter(synthesized: Synthesized) -> None:
    resources = synthesized.template["Resources"]
    input_bucket = _logical_id(synthesized, "AWS::S3::Bucket", "StorageInputBucket")
    # bucket -> EventBridge (default bus)
    assert resources[input_bucket]["Properties"]["NotificationConfiguration"]["EventBridgeConfiguration"] == {
        "EventBridgeEnabled": True
    }
    # EventBridge rule: Object Created, this bucket, the source prefix only
    _, rule = synthesized.one("AWS::Events::Rule")
    assert rule["Properties"]["State"] == "ENABLED"
    assert rule["Properties"]["EventPattern"] == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [_ref(input_bucket)]}, "object": {"key": [{"prefix": config.SOURCE_PREFIX}]}},
    }
    # -> the queue, with the DLQ for events EventBridge cannot deliver
    queue = _logical_id(synthesized, "AWS::SQS::Queue", "TriggerQueue")
    dlq = _logical_id(synthesized, "AWS::SQS::Queue", "TriggerDeadLetterQueue")
    (target,) = rule["Properties"]["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [queue, "Arn"]}
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [dlq, "Arn"]}}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 185
    # the queue lets exactly this rule send to it
    (queue_policy,) = [
        p for p in synthesized.resources("AWS::SQS::QueuePolicy").values() if _ref(queue) in p["Properties"]["Queues"]
    ]
    (send,) = [s for s in queue_policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert send["Principal"] == {"Service": "events.amazonaws.com"}
    # Delivery needs sqs:SendMessage only (CDK's own queue target would add two queue lookups).
    assert send["Action"] == "sqs:SendMessage"
    assert send["Condition"] == {
        "ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [next(iter(synthesized.resources("AWS::Events::Rule"))), "Arn"]}}
    }
    # the queue -> the DLQ after repeated failures
    queue_props = resources[queue]["Properties"]
    assert queue_props["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": [dlq, "Arn"]}
    assert queue_props["RedrivePolicy"]["maxReceiveCount"] == 5
    assert queue_props["VisibilityTimeout"] >= 6 * SIZING["Starter"].timeout_seconds
    # -> the starter, in batches with a window (one book upload = one batch)
    _, mapping = synthesized.one("AWS::Lambda::EventSourceMapping")
    starter = next(
        k
        for k, f in synthesized.resources("AWS::Lambda::Function").items()
        if f["Properties"]["Handler"] == "amts_handlers.starter.handler"
    )
    props = mapping["Properties"]
    assert props["EventSourceArn"] == {"Fn::GetAtt": [queue, "Arn"]}
    assert props["FunctionName"] == _ref(starter)
    # the largest window and batch Lambda allows, and the lowest maximum concurrency
    assert props["MaximumBatchingWindowInSeconds"] == 300
    assert props["BatchSize"] == 10_000
    assert props["ScalingConfig"] == {"MaximumConcurrency": 2}
    assert queue_props["VisibilityTimeout"] >= 6 * SIZING["Starter"].timeout_seconds + 300
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_queues_are_encrypted_and_tls_only(synthesized: Synthesized) -> None:
    for logical_id, queue in synthesized.resources("AWS::SQS::Queue").items():
        assert queue["Properties"]["SqsManagedSseEnabled"] is True, logical_id
        assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 86_400
    for policy in synthesized.resources("AWS::SQS::QueuePolicy").values():
        denies = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
        assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denies)
    assert len(synthesized.resources("AWS::SQS::QueuePolicy")) == 2


# --- workflow -----------------------------------------------------------------------------------------------------


def test_state_machine_is_standard_traced_and_logs_everything(synthesized: Synthesized) -> None:
    _, machine = synthesized.one("AWS::StepFunctions::StateMachine")
    props = machine["Properties"]
    assert props["StateMachineType"] == "STANDARD"  # redrive and idempotent StartExecution need Standard
    assert props["TracingConfiguration"] == {"Enabled": True}
    assert props["LoggingConfiguration"]["Level"] == "ALL"
    assert props["LoggingConfiguration"]["IncludeExecutionData"] is True
    (destination,) = props["LoggingConfiguration"]["Destinations"]
    group = destination["CloudWatchLogsLogGroup"]["LogGroupArn"]["Fn::GetAtt"][0]
    assert group.startswith("WorkflowLogGroup")
    assert props["RoleArn"]["Fn::GetAtt"][0].startswith("WorkflowRole")
    assert "DefinitionS3Location" in props  # DefinitionBody.from_file: the ASL file itself, as an asset


def test_every_asl_placeholder_has_a_substitution(synthesized: Synthesized) -> None:
    # Given the ASL the workflow engineer wrote / When the stack is synthesized
    _, machine = synthesized.one("AWS::StepFunctions::StateMachine")
    substitutions = machine["Properties"]["DefinitionSubstitutions"]
    placeholders = asl_placeholders(ASL_FILE)
    # Then every ${Placeholder} is substituted, and the deployed definition is the ASL file byte for byte
    assert placeholders, "the ASL has no placeholders: the stack could not wire functions or buckets"
    assert placeholders <= set(substitutions), sorted(placeholders - set(substitutions))
    asset = json.loads((synthesized.outdir / f"{synthesized.template_name}.assets.json").read_text())
    files = [f["source"]["path"] for f in asset["files"].values() if f["source"]["path"].endswith(".json")]
    assert any((synthesized.outdir / path).read_bytes() == ASL_FILE.read_bytes() for path in files)


def test_substitutions_point_at_the_right_resources(synthesized: Synthesized) -> None:
    _, machine = synthesized.one("AWS::StepFunctions::StateMachine")
    substitutions = machine["Properties"]["DefinitionSubstitutions"]
    functions = synthesized.resources("AWS::Lambda::Function")
    for spec in config.FUNCTIONS:
        if spec.asl_placeholder is None:
            continue
        logical_id = substitutions[spec.asl_placeholder]["Fn::GetAtt"][0]
        assert functions[logical_id]["Properties"]["Handler"] == spec.handler
    assert substitutions[config.ASL_TOPIC_ARN] == _ref(
        _logical_id(synthesized, "AWS::SNS::Topic", "NotificationsTopic")
    )
    translate_role = _logical_id(synthesized, "AWS::IAM::Role", "TranslateDataAccessRole")
    assert substitutions[config.ASL_TRANSLATE_ROLE_ARN] == {"Fn::GetAtt": [translate_role, "Arn"]}
    for name, prefix in (
        (config.ASL_INPUT_BUCKET, "StorageInputBucket"),
        (config.ASL_WORK_BUCKET, "StorageWorkBucket"),
        (config.ASL_OUTPUT_BUCKET, "StorageOutputBucket"),
    ):
        assert substitutions[name] == _ref(_logical_id(synthesized, "AWS::S3::Bucket", prefix))
    for name, value in asl_limit_substitutions(PIPELINE).items():
        assert substitutions[name] == value


# --- monitoring ---------------------------------------------------------------------------------------------------


def test_topic_is_encrypted_with_a_rotating_key_and_tls_only(synthesized: Synthesized) -> None:
    topic_id, topic = synthesized.one("AWS::SNS::Topic")
    key_id, key = synthesized.one("AWS::KMS::Key")
    assert topic["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert key["Properties"]["EnableKeyRotation"] is True
    cloudwatch = [
        s
        for s in key["Properties"]["KeyPolicy"]["Statement"]
        if s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert cloudwatch
    assert set(cloudwatch[0]["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    _, policy = synthesized.one("AWS::SNS::TopicPolicy")
    assert policy["Properties"]["Topics"] == [_ref(topic_id)]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    # The only Allow: this account's alarms, as the CloudWatch service (the policy replaced SNS's default one)
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert allow["Action"] == "sns:Publish"
    assert set(allow["Condition"]) == {"StringEquals", "ArnLike"}
    assert "aws:SourceAccount" in allow["Condition"]["StringEquals"]


def test_alarms_cover_failed_executions_dlq_depth_and_function_errors(synthesized: Synthesized) -> None:
    topic_id, _ = synthesized.one("AWS::SNS::Topic")
    alarms = [a["Properties"] for a in synthesized.resources("AWS::CloudWatch::Alarm").values()]
    assert all(a["AlarmActions"] == [_ref(topic_id)] for a in alarms)
    assert all(a["Threshold"] == 1 and a["TreatMissingData"] == "notBreaching" for a in alarms)
    by_metric: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for alarm in alarms:
        by_metric.setdefault((alarm["Namespace"], alarm["MetricName"]), []).append(alarm)
    assert {m for n, m in by_metric if n == "AWS/States"} == {
        "ExecutionsFailed",
        "ExecutionsTimedOut",
        "ExecutionsAborted",
    }
    (dlq_alarm,) = by_metric[("AWS/SQS", "ApproximateNumberOfMessagesVisible")]
    dlq = _logical_id(synthesized, "AWS::SQS::Queue", "TriggerDeadLetterQueue")
    assert dlq_alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq, "QueueName"]}}]
    error_alarms = by_metric[("AWS/Lambda", "Errors")]
    assert sorted(a["Dimensions"][0]["Value"]["Ref"] for a in error_alarms) == sorted(
        synthesized.resources("AWS::Lambda::Function")
    )


def test_outputs_name_buckets_state_machine_and_topic(synthesized: Synthesized) -> None:
    outputs = synthesized.template["Outputs"]
    for name in ("InputBucketName", "WorkBucketName", "OutputBucketName", "StateMachineArn", "TopicArn"):
        assert name in outputs, name
    assert outputs["StateMachineArn"]["Value"] == _ref(synthesized.one("AWS::StepFunctions::StateMachine")[0])
    assert outputs["TopicArn"]["Value"] == _ref(synthesized.one("AWS::SNS::Topic")[0])


def test_context_drives_the_stack(tmp_path: Path) -> None:
    # Given a deployment with an alarm e-mail, one pair whose human translation lives outside book/, other limits
    from amts_local.awscalls import function_principal
    from amts_local.iam import stack_model
    from stacks.app import synthesize

    context = cdk_context(CDK_JSON)
    context[config.CDK_CONTEXT_PIPELINE] = {
        "language_pairs": [
            {
                "source": "en",
                "target": "ja",
                "reference_prefix": "human/ja/",
                "evaluation": False,
                "terminology_key": "glossaries/en-ja.md",
            }
        ],
        "max_concurrency": 7,
    }
    context[config.CDK_CONTEXT_DEPLOYMENT] = {
        "stack_name": "AmtsJa",
        "alarm_email": "ops@example.com",
        "log_retention_days": 90,
        "starter_batch_window_seconds": 120,
    }
    # When it is synthesized
    synthesis = synthesize(str(tmp_path), extra_context=context)
    resources = synthesis.template["Resources"]
    # Then the e-mail is subscribed, the limits are substituted and the reference prefix is readable
    (subscription,) = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::SNS::Subscription"]
    assert subscription["Protocol"] == "email"
    assert subscription["Endpoint"] == "ops@example.com"
    (machine,) = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::StepFunctions::StateMachine"]
    assert machine["DefinitionSubstitutions"][config.ASL_MAX_CONCURRENCY] == "7"
    groups = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Logs::LogGroup"]
    assert {g["RetentionInDays"] for g in groups} == {90}
    (mapping,) = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::EventSourceMapping"]
    assert mapping["MaximumBatchingWindowInSeconds"] == 120
    model = stack_model(synthesis.template)
    score = model.principals[function_principal("Score")]
    read = [s for s in score.statements if s.sid == "InputBucketRead"]
    assert any(r.endswith("/human/ja/*") for s in read for r in s.resources)
    # And Score (only Score) may read the pair's glossary: that one object, listable as itself
    assert any(r.endswith("/glossaries/en-ja.md") for s in read for r in s.resources)
    (listing,) = [s for s in score.statements if s.sid == "InputBucketList"]
    assert "glossaries/en-ja.md" in listing.conditions["StringLike"]["s3:prefix"]
    others = [p for name, p in model.principals.items() if name != function_principal("Score")]
    assert not any("glossaries/" in r for p in others for s in p.statements for r in s.resources)
    assert synthesis.stack_name == "AmtsJa"
    assert synthesis.report["pluginReports"][0]["conclusion"] == "success"
