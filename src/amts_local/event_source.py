"""The emulated SQS event source mapping of the Starter: batches handed over once the queue is quiet."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3

from amts_local.awscalls import acting_as, function_principal
from amts_local.deployment import QueuePolling
from amts_local.lambda_emulator import InvocationResult
from amts_local.names import STARTER_ID, LocalNames


def _sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """The record shape Lambda's SQS event source mapping hands to a function."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": as_aws_delivers(message["Body"]),
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def as_aws_delivers(body: str) -> str:
    """An S3 ``Object Created`` event with its key encoded as S3 encodes notification keys.

    S3's notification documentation says keys are URL-encoded (a space becomes ``+``); its EventBridge page does
    not say, and Powertools' EventBridge data class decodes them the same way, so the local runtime delivers them
    encoded. moto puts the raw key in the EventBridge event. The Starter accepts either (``Upload.candidate_keys``).
    """
    try:
        event = json.loads(body)
        obj = event["detail"]["object"]
    except (ValueError, KeyError, TypeError):
        return body
    if event.get("source") != "aws.s3" or not isinstance(obj.get("key"), str):
        return body
    obj["key"] = urllib.parse.quote_plus(obj["key"], safe="/")  # each delivery encodes the queued raw body once
    return json.dumps(event)


def _batch_item_failures(payload: bytes) -> set[str]:
    try:
        response = json.loads(payload or b"null")
    except json.JSONDecodeError:
        return set()
    if not isinstance(response, dict):
        return set()
    failures = response.get("batchItemFailures") or []
    return {str(item.get("itemIdentifier")) for item in failures if isinstance(item, dict)}


@dataclass(kw_only=True, eq=False)
class UploadEventSource:
    """Polls the upload queue in a thread and hands batches to the Starter the way Lambda's SQS event source mapping
    does: a batch once the queue has been quiet for ``polling.quiet_seconds`` (or is full); messages the Starter
    reports as failed stay queued and reach the dead-letter queue after ``max_receive_count`` receives."""

    names: LocalNames
    polling: QueuePolling
    queue_url: str
    invoke: Callable[[str, Any], InvocationResult]  # runs a function (the Starter) as the runtime runs it
    on_batch: Callable[[int], None]  # told the size of each batch handed over
    _stop: threading.Event = field(default_factory=threading.Event, init=False)
    _idle: threading.Event = field(default_factory=threading.Event, init=False)
    _thread: threading.Thread | None = field(default=None, init=False)
    _error: BaseException | None = field(default=None, init=False)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._poll, name="amts-sqs-event-source", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _poll(self) -> None:
        try:
            with acting_as(function_principal(STARTER_ID)):
                self._poll_loop()
        except BaseException as exc:  # surfaced by wait_until_drained, never swallowed
            self._error = exc

    def _poll_loop(self) -> None:
        sqs = boto3.client("sqs", region_name=self.names.region)
        pending: dict[str, dict[str, Any]] = {}
        last_arrival = 0.0
        while not self._stop.is_set():
            messages = sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=10,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            now = time.monotonic()
            for message in messages:
                pending[message["MessageId"]] = message
                last_arrival = now
            quiet = now - last_arrival >= self.polling.quiet_seconds
            if pending and (quiet or len(pending) >= self.polling.batch_size):
                batch = list(pending.values())[: self.polling.batch_size]
                for message in batch:
                    pending.pop(message["MessageId"])
                self._deliver(sqs, batch)
                continue
            if messages or pending:
                self._idle.clear()
            else:
                self._idle.set()
            if not messages:
                time.sleep(0.1)

    def _deliver(self, sqs: Any, batch: list[dict[str, Any]]) -> None:
        self._idle.clear()
        queue_arn = self.names.queue_arn(self.names.upload_queue)
        event = {"Records": [_sqs_record(message, queue_arn, self.names.region) for message in batch]}
        self.on_batch(len(batch))
        result = self.invoke(STARTER_ID, event)
        if result.failed:
            return  # the messages become visible again, then go to the dead-letter queue (as with Lambda)
        failed_ids = _batch_item_failures(result.payload)
        done = [message for message in batch if message["MessageId"] not in failed_ids]
        for start in range(0, len(done), 10):
            entries = [
                {"Id": str(i), "ReceiptHandle": message["ReceiptHandle"]}
                for i, message in enumerate(done[start : start + 10])
            ]
            sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)

    def wait_until_drained(self, sqs: Any, timeout: float = 60.0) -> None:
        """Block until every upload event has been handed to the Starter (the queue is empty and quiet)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._error is not None:
                raise RuntimeError("the upload queue poller stopped") from self._error
            if self._idle.wait(timeout=0.1):
                attributes = sqs.get_queue_attributes(
                    QueueUrl=self.queue_url,
                    AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
                )["Attributes"]
                if (
                    attributes["ApproximateNumberOfMessages"] == "0"
                    and attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
                ):
                    return
                time.sleep(0.1)
        raise TimeoutError(f"upload events still queued after {timeout:.0f} s")
