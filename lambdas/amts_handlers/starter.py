"""Starter: an SQS batch of S3 "Object Created" events (via EventBridge) becomes at most one execution.

Records that are not S3 events are reported as batch item failures (retried, then dead-lettered); if the
execution cannot be started, every record of the batch is reported, so nothing is dropped silently.
"""

from __future__ import annotations

from typing import Any

from amts_steps.starter import Upload, start_batch, upload_from_event
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.parser.models import S3EventNotificationEventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from amts_handlers.shared import client, logger, metrics, observed, settings


@observed(correlation_id_path="Records[0].messageId")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    uploads: dict[str, Upload] = {}

    def parse_record(record: SQSRecord) -> None:
        notification = S3EventNotificationEventBridgeModel.model_validate_json(record.body)
        uploads[record.message_id] = upload_from_event(notification)

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    with processor(records=event.get("Records", []), handler=parse_record, lambda_context=context):
        processor.process()
    response: dict[str, Any] = dict(processor.response())
    failures: list[dict[str, str]] = list(response.get("batchItemFailures", []))
    if failures:
        metrics.add_metric(name="MalformedMessages", unit="Count", value=len(failures))
    if uploads:
        config = settings()
        if config.state_machine_arn is None:
            raise RuntimeError("AMTS_STATE_MACHINE_ARN is not set")  # a deployment bug: fail the whole batch
        try:
            result = start_batch(
                list(uploads.values()),
                s3_client=client("s3"),
                sfn_client=client("stepfunctions"),
                state_machine_arn=config.state_machine_arn,
                output_bucket=config.output_bucket,
                pipeline=config.pipeline,
            )
        except Exception:
            logger.exception("could not start the execution; the batch will be retried")
            failures.extend({"itemIdentifier": message_id} for message_id in uploads)
        else:
            for rejection in result.rejected:
                logger.warning("upload rejected", extra={"key": rejection.key, "reason": rejection.reason})
            metrics.add_metric(name="UploadsAccepted", unit="Count", value=len(result.accepted))
            metrics.add_metric(name="UploadsRejected", unit="Count", value=len(result.rejected))
            metrics.add_metric(name="DuplicateBatches", unit="Count", value=1 if result.duplicate else 0)
            logger.info("batch handled", extra=result.model_dump(mode="json", include={"execution_name", "duplicate"}))
    return {"batchItemFailures": failures}
