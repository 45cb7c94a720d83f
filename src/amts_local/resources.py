"""The resources the CDK stack defines, created imperatively on moto: buckets, the upload path (S3 -> EventBridge ->
SQS), the spend table, the topic, the functions (in-process handlers) and the state machines.

``tests/e2e`` replays every call of a local run against the synthesized template's policies, so a resource made
here that the stack lacks (or the other way round) shows up there.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amts import config
from amts.errors import InputError
from amts.pipeline_config import (
    PipelineConfig,
    asl_limit_substitutions,
)

from amts_local.deployment import QueuePolling, substitute_placeholders
from amts_local.lambda_emulator import Handler, LambdaFunction, load_handler
from amts_local.names import LocalNames


@dataclass(frozen=True)
class QueueUrls:
    upload: str
    dead_letter: str
    inbox: str  # the topic's subscription: what the run published


def create_storage_and_trigger(client: Callable[[str], Any], names: LocalNames, polling: QueuePolling) -> QueueUrls:
    """Buckets, spend table, the upload path and the topic, as the stack defines them."""
    s3, sqs, events, sns = (client(s) for s in ("s3", "sqs", "events", "sns"))
    for bucket in (names.input_bucket, names.work_bucket, names.output_bucket):
        s3.create_bucket(Bucket=bucket)
    # As in the stack: the input bucket is versioned, so each upload of a chapter is a distinct version; the
    # output bucket, so an overwritten translation or memory can be restored.
    for bucket in (names.input_bucket, names.output_bucket):
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    client("dynamodb").create_table(
        TableName=names.spend_table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    # The stack: input bucket -> EventBridge (Object Created under the source prefix) -> SQS -> Starter.
    s3.put_bucket_notification_configuration(
        Bucket=names.input_bucket, NotificationConfiguration={"EventBridgeConfiguration": {}}
    )
    sqs.create_queue(QueueName=names.dead_letter_queue)
    sqs.create_queue(
        QueueName=names.upload_queue,
        Attributes={
            "VisibilityTimeout": str(polling.visibility_timeout_seconds),
            "RedrivePolicy": json.dumps(
                {
                    "deadLetterTargetArn": names.queue_arn(names.dead_letter_queue),
                    "maxReceiveCount": str(polling.max_receive_count),
                }
            ),
        },
    )
    pattern = {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [names.input_bucket]}, "object": {"key": [{"prefix": config.SOURCE_PREFIX}]}},
    }
    events.put_rule(Name=names.upload_rule, EventPattern=json.dumps(pattern), State="ENABLED")
    events.put_targets(
        Rule=names.upload_rule, Targets=[{"Id": "upload-queue", "Arn": names.queue_arn(names.upload_queue)}]
    )
    topic_arn = sns.create_topic(Name=names.topic)["TopicArn"]
    inbox_url = sqs.create_queue(QueueName=names.notification_inbox)["QueueUrl"]
    sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=names.queue_arn(names.notification_inbox),
        Attributes={"RawMessageDelivery": "true"},
    )
    return QueueUrls(
        upload=sqs.get_queue_url(QueueName=names.upload_queue)["QueueUrl"],
        dead_letter=sqs.get_queue_url(QueueName=names.dead_letter_queue)["QueueUrl"],
        inbox=inbox_url,
    )


def create_functions(
    names: LocalNames, deployed: Collection[str], overrides: Mapping[str, Handler]
) -> dict[str, LambdaFunction]:
    """The deployed functions with their real handlers (or the caller's overrides), by function id."""
    functions: dict[str, LambdaFunction] = {}
    for spec in config.FUNCTIONS:
        if spec.function_id not in deployed:
            continue
        handler = overrides.get(spec.function_id)
        if handler is None:
            try:
                handler = load_handler(spec.handler)
            except (ImportError, AttributeError) as exc:
                raise InputError(
                    f"handler {spec.handler} of function {spec.function_id} cannot be loaded: {exc}"
                ) from None
        functions[spec.function_id] = LambdaFunction(
            function_id=spec.function_id,
            function_name=names.prefixed(spec.function_id),
            arn=names.function_arn(spec.function_id),
            handler=handler,
        )
    for function_id, handler in overrides.items():
        if function_id not in functions:
            functions[function_id] = LambdaFunction(
                function_id=function_id,
                function_name=names.prefixed(function_id),
                arn=names.function_arn(function_id),
                handler=handler,
            )
    return functions


def asl_name_substitutions(names: LocalNames) -> dict[str, str]:
    """The ASL placeholders that name resources (buckets, role, topic, function ARNs), with their local values."""
    values = {
        config.ASL_INPUT_BUCKET: names.input_bucket,
        config.ASL_WORK_BUCKET: names.work_bucket,
        config.ASL_OUTPUT_BUCKET: names.output_bucket,
        config.ASL_TRANSLATE_ROLE_ARN: names.translate_role_arn,
        config.ASL_TOPIC_ARN: names.topic_arn(),
    }
    for spec in config.FUNCTIONS:
        if spec.asl_placeholder is not None:
            values[spec.asl_placeholder] = names.function_arn(spec.function_id)
    return values


def asl_substitutions(
    names: LocalNames, pipeline: PipelineConfig, functions: Collection[str], extra: Mapping[str, str]
) -> dict[str, str]:
    """Placeholder -> local value, with the same names the CDK stack substitutes."""
    values = {**asl_name_substitutions(names), **asl_limit_substitutions(pipeline)}
    for function_id in functions:
        values.setdefault(f"{function_id}FunctionArn", names.function_arn(function_id))
    values.update(extra)
    return values


def create_state_machines(
    sfn: Any, names: LocalNames, asl_files: Sequence[Path], substitutions: Mapping[str, str]
) -> dict[str, str]:
    """Each ASL file as a state machine; stem -> ARN."""
    machines: dict[str, str] = {}

    for path in asl_files:
        definition = substitute_placeholders(path, substitutions)
        stem = path.name.removesuffix(".asl.json")
        response = sfn.create_state_machine(
            name=names.prefixed(stem),
            definition=definition,
            roleArn=names.state_machine_role_arn,
            type="STANDARD",
        )
        machines[stem] = response["stateMachineArn"]
    return machines
