"""Every AWS call made in-process, attributed to the principal that made it, and the hooks that serve calls.

One dispatcher is registered on botocore's built-in handler list (as moto registers its own stubber), so every
client created after this module is imported — the handlers', moto's Step Functions interpreter's, the
Translate stand-in's — passes through it. The dispatcher records each call as ``(principal, service, action,
resource ARN, request context)`` and lets the active local runtime answer calls that moto cannot serve
(``lambda.Invoke``). The context carries the condition keys policies test: ``aws:SecureTransport`` (every SDK call is
HTTPS), ``s3:prefix`` for listings, ``iam:PassedToService`` for a passed role, ``dynamodb:EnclosingOperation`` for
the items of a transaction. An ``after-call`` hook adds the ``s3:ListBucket`` that a read of an absent key needs
(S3 answers 404 rather than 403 only to a caller that may list the bucket).

The principal is a thread-local: the runtime marks the span of a handler invocation with that function's
principal and the span of a Translate job with the data-access role; any other call from a worker thread comes
from moto's interpreter, hence from the state machine's role.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import boto3
from botocore.handlers import BUILTIN_HANDLERS

PARTITION = "aws"

# Principal names used in call records (functions are "function:<FunctionSpec.function_id>").
STATE_MACHINE_PRINCIPAL = "state-machine"
TRANSLATE_ROLE_PRINCIPAL = "translate-data-access"
LOCAL_USER_PRINCIPAL = "local-user"  # the runtime itself and the person uploading: not part of the stack


def function_principal(function_id: str) -> str:
    return f"function:{function_id}"


@dataclass(frozen=True)
class CallRecord:
    """One IAM-checked permission a call needed: e.g. ``s3:GetObject`` on ``arn:aws:s3:::bucket/key``."""

    principal: str
    service: str
    action: str  # IAM action, e.g. "s3:GetObject"
    resource: str  # ARN, or "*" for actions without resource-level permissions
    operation: str  # API operation that needed it, e.g. "CopyObject"
    conditions: tuple[tuple[str, str], ...] = ()  # request context keys IAM conditions test, e.g. s3:prefix


CallAnswer = Callable[[str, str, dict[str, Any]], Any]
"""(service, operation, params) -> a botocore ``before-call`` response tuple, or None to let the call proceed."""

_state = threading.local()


def current_principal() -> str:
    principal: str | None = getattr(_state, "principal", None)
    if principal is not None:
        return principal
    if threading.current_thread() is threading.main_thread():
        return LOCAL_USER_PRINCIPAL
    return STATE_MACHINE_PRINCIPAL


@contextmanager
def acting_as(principal: str) -> Iterator[None]:
    """Attribute the calls this thread makes inside the block to ``principal``."""
    previous: str | None = getattr(_state, "principal", None)
    _state.principal = principal
    try:
        yield
    finally:
        _state.principal = previous


class _Dispatcher:
    """The single botocore hook pair; it forwards to whichever runtime is active (none outside a run)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.records: dict[CallRecord, int] | None = None
        self.answer: CallAnswer | None = None
        self.account = "123456789012"

    def activate(self, *, records: dict[CallRecord, int], answer: CallAnswer, account: str) -> None:
        with self.lock:
            if self.records is not None:
                raise RuntimeError("a local runtime is already running in this process")
            self.records, self.answer, self.account = records, answer, account

    def deactivate(self) -> None:
        with self.lock:
            self.records, self.answer = None, None

    def before_parameter_build(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        if self.records is not None:
            context["amts_params"] = params  # a reference: idempotency tokens are filled in after this hook

    def before_call(self, model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any) -> Any:
        records, answer = self.records, self.answer
        if records is None:
            return None
        service = model.service_model.service_name
        operation = model.name
        api_params: dict[str, Any] = context.get("amts_params", {})
        region = context.get("client_region") or "us-east-1"
        principal = current_principal()
        needed = required_permissions(service, operation, api_params, region=region, account=self.account)
        with self.lock:
            for action, resource, conditions in needed:
                record = CallRecord(principal, service, action, resource, operation, conditions)
                records[record] = records.get(record, 0) + 1
        return answer(service, operation, api_params) if answer is not None else None

    def after_call(self, http_response: Any, model: Any, context: dict[str, Any], **_: Any) -> None:
        """A read of an absent key: S3 answers 404 only to a caller that may also list the bucket (else 403), so the
        read needed ``s3:ListBucket`` too. Recorded with the key as ``s3:prefix``, as the stack grants it."""
        records = self.records
        status = getattr(http_response, "status_code", None)
        if records is None or status != 404 or model.service_model.service_name != "s3":
            return
        params: dict[str, Any] = context.get("amts_params", {})
        if model.name not in ("GetObject", "HeadObject") or params.get("VersionId"):
            return
        conditions = (("s3:prefix", str(params.get("Key", ""))), *_TRANSPORT)
        bucket = _s3_bucket(str(params.get("Bucket", "")))
        record = CallRecord(current_principal(), "s3", "s3:ListBucket", bucket, f"{model.name}:NoSuchKey", conditions)
        with self.lock:
            records[record] = records.get(record, 0) + 1


DISPATCHER = _Dispatcher()


def _before_call_with_region(**kwargs: Any) -> Any:
    return DISPATCHER.before_call(**kwargs)


def _after_call(**kwargs: Any) -> None:
    DISPATCHER.after_call(**kwargs)


def _register(emitter: Any) -> None:
    emitter.register("before-parameter-build", DISPATCHER.before_parameter_build, unique_id="amts-local-params")
    emitter.register("before-call", _before_call_with_region, unique_id="amts-local-call")
    emitter.register("after-call", _after_call, unique_id="amts-local-after-call")


# New sessions (and so every client made from them) pick these up; the default session may already exist.
BUILTIN_HANDLERS.append(("before-parameter-build", DISPATCHER.before_parameter_build))
BUILTIN_HANDLERS.append(("before-call", _before_call_with_region))
BUILTIN_HANDLERS.append(("after-call", _after_call))
if boto3.DEFAULT_SESSION is not None:
    _register(boto3.DEFAULT_SESSION.events)


def queue_arn_from_url(url: str, *, region: str, account: str) -> str:
    path = urlparse(url).path.strip("/").split("/")
    queue_account = path[-2] if len(path) >= 2 and path[-2].isdigit() else account
    return f"arn:{PARTITION}:sqs:{region}:{queue_account}:{path[-1]}"


def _s3_object(bucket: str, key: str) -> str:
    return f"arn:{PARTITION}:s3:::{bucket}/{key}"


def _s3_bucket(bucket: str) -> str:
    return f"arn:{PARTITION}:s3:::{bucket}"


_S3_OBJECT_ACTIONS = {
    "GetObject": "s3:GetObject",
    "HeadObject": "s3:GetObject",
    "PutObject": "s3:PutObject",
    "CreateMultipartUpload": "s3:PutObject",
    "UploadPart": "s3:PutObject",
    "CompleteMultipartUpload": "s3:PutObject",
    "AbortMultipartUpload": "s3:AbortMultipartUpload",
    "DeleteObject": "s3:DeleteObject",
    "GetObjectTagging": "s3:GetObjectTagging",
    "PutObjectTagging": "s3:PutObjectTagging",
}
_S3_BUCKET_ACTIONS = {
    "ListObjectsV2": "s3:ListBucket",
    "ListObjects": "s3:ListBucket",
    "HeadBucket": "s3:ListBucket",
    "ListObjectVersions": "s3:ListBucketVersions",
    "GetBucketLocation": "s3:GetBucketLocation",
}
_TRANSLATE_PARALLEL_DATA_OPS = {"CreateParallelData", "UpdateParallelData", "GetParallelData", "DeleteParallelData"}


Permission = tuple[str, str, tuple[tuple[str, str], ...]]
# Every SDK call goes over HTTPS: bucket and queue policies that deny aws:SecureTransport=false do not apply.
_TRANSPORT = (("aws:SecureTransport", "true"),)


def required_permissions(
    service: str, operation: str, params: dict[str, Any], *, region: str, account: str
) -> list[Permission]:
    """The (IAM action, resource ARN, condition context) an API call is authorized against."""
    if service == "dynamodb" and operation in _DYNAMODB_TRANSACTIONS:
        return _dynamodb_transaction(operation, params, arn_base=f"arn:{PARTITION}:dynamodb:{region}:{account}")
    needed = _permissions(service, operation, params, region=region, account=account)
    context: list[tuple[str, str]] = []
    if service == "s3" and operation in _S3_BUCKET_ACTIONS and operation.startswith("List"):
        context.append(("s3:prefix", str(params.get("Prefix", ""))))
    result: list[Permission] = []
    for action, resource in needed:
        extra = (("iam:PassedToService", f"{service}.amazonaws.com"),) if action == "iam:PassRole" else ()
        result.append((action, resource, tuple(context) + extra + _TRANSPORT))
    return result


# Transactions are authorized item by item, as the single-item action, with dynamodb:EnclosingOperation set
# (DynamoDB Developer Guide, "Using IAM with DynamoDB transactions").
_DYNAMODB_TRANSACTIONS = {"TransactWriteItems": "TransactItems", "TransactGetItems": "TransactItems"}
_DYNAMODB_ITEM_ACTIONS = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
    "Get": "dynamodb:GetItem",
}


def _dynamodb_table(table: str, arn_base: str) -> str:
    return table if table.startswith("arn:") else f"{arn_base}:table/{table}"


def _dynamodb_transaction(operation: str, params: dict[str, Any], *, arn_base: str) -> list[Permission]:
    context = (("dynamodb:EnclosingOperation", operation), *_TRANSPORT)
    needed: list[Permission] = []
    for item in params.get(_DYNAMODB_TRANSACTIONS[operation]) or []:
        for kind, request in item.items():
            action = _DYNAMODB_ITEM_ACTIONS.get(kind)
            if action is not None and isinstance(request, dict):
                permission = (action, _dynamodb_table(str(request.get("TableName", "")), arn_base), context)
                if permission not in needed:
                    needed.append(permission)
    return needed


def _permissions(
    service: str, operation: str, params: dict[str, Any], *, region: str, account: str
) -> list[tuple[str, str]]:
    prefix = {"stepfunctions": "states", "lambda": "lambda"}.get(service, service)
    arn_base = f"arn:{PARTITION}:{prefix}:{region}:{account}"
    if service == "s3":
        bucket = str(params.get("Bucket", ""))
        if operation in _S3_OBJECT_ACTIONS:
            action = _S3_OBJECT_ACTIONS[operation]
            if params.get("VersionId") and action in ("s3:GetObject", "s3:DeleteObject"):
                action += "Version"  # reading or deleting a specific version is its own permission
            return [(action, _s3_object(bucket, str(params.get("Key", ""))))]
        if operation == "CopyObject":
            source = params.get("CopySource", "")
            if isinstance(source, dict):
                source_arn = _s3_object(str(source.get("Bucket", "")), str(source.get("Key", "")))
            else:
                source_arn = f"arn:{PARTITION}:s3:::{str(source).lstrip('/').split('?')[0]}"
            return [("s3:GetObject", source_arn), ("s3:PutObject", _s3_object(bucket, str(params.get("Key", ""))))]
        if operation == "DeleteObjects":
            objects = params.get("Delete", {}).get("Objects", [])
            return [("s3:DeleteObject", _s3_object(bucket, str(item.get("Key", "")))) for item in objects]
        if operation in _S3_BUCKET_ACTIONS:
            return [(_S3_BUCKET_ACTIONS[operation], _s3_bucket(bucket))]
        return [(f"s3:{operation}", _s3_bucket(bucket) if bucket else "*")]
    if service == "sqs":
        # Batch APIs are authorized as their single-message action (SendMessageBatch needs sqs:SendMessage).
        action = f"sqs:{operation.removesuffix('Batch')}"
        url = params.get("QueueUrl")
        if url:
            return [(action, queue_arn_from_url(str(url), region=region, account=account))]
        if operation == "GetQueueUrl":
            return [(action, f"arn:{PARTITION}:sqs:{region}:{account}:{params.get('QueueName', '')}")]
        return [(action, "*")]
    if service == "sns":
        return [(f"sns:{operation}", str(params.get("TopicArn") or params.get("TargetArn") or "*"))]
    if service == "stepfunctions":
        if "stateMachineArn" in params:
            return [(f"states:{operation}", str(params["stateMachineArn"]))]
        if "executionArn" in params:
            return [(f"states:{operation}", str(params["executionArn"]))]
        return [(f"states:{operation}", "*")]
    if service == "lambda":
        action = "lambda:InvokeFunction" if operation == "Invoke" else f"lambda:{operation}"
        name = str(params.get("FunctionName", ""))
        return [(action, name if name.startswith("arn:") else f"{arn_base}:function:{name}")]
    if service == "translate":
        return _translate_permissions(operation, params, arn_base)
    if service == "events":
        bus = str(params.get("EventBusName") or "default")
        return [(f"events:{operation}", bus if bus.startswith("arn:") else f"{arn_base}:event-bus/{bus}")]
    if service == "dynamodb":
        table = str(params.get("TableName", ""))
        if not table:
            return [(f"dynamodb:{operation}", "*")]
        resource = _dynamodb_table(table, arn_base)
        index = params.get("IndexName")
        return [(f"dynamodb:{operation}", f"{resource}/index/{index}" if index else resource)]
    return [(f"{prefix}:{operation}", "*")]


def _translate_permissions(operation: str, params: dict[str, Any], arn_base: str) -> list[tuple[str, str]]:
    action = f"translate:{operation}"
    if operation in _TRANSLATE_PARALLEL_DATA_OPS:
        return [(action, f"{arn_base}:parallel-data/{params.get('Name', '')}")]
    if operation == "ImportTerminology":
        return [(action, f"{arn_base}:terminology/{params.get('Name', '')}")]
    if operation == "StartTextTranslationJob":
        needed = [(action, "*")]
        needed += [(action, f"{arn_base}:parallel-data/{name}") for name in params.get("ParallelDataNames") or []]
        needed += [(action, f"{arn_base}:terminology/{name}") for name in params.get("TerminologyNames") or []]
        role = params.get("DataAccessRoleArn")
        if role:
            needed.append(("iam:PassRole", str(role)))
        return needed
    return [(action, "*")]
