"""The reviewed allow-list: grants the recorded calls cannot justify, each with its reason and source.

Three kinds of entry, and nothing else belongs here:

- ``aws-on-behalf``: AWS makes the call with the role (Lambda's SQS poller, log and trace delivery, SNS encrypting
  with the topic's key, Translate reading its output location). A local run cannot record these calls.
- ``unexercised``: a path of our own code that no local scenario reaches yet. Each should disappear once a scenario
  covers it (add it to ``tests/e2e/scenarios.py``).
- ``finding``: a grant the review found wider than needed, accepted until ``stacks/`` is fixed. Each names the fix.

An entry covers a grant when its principal pattern matches the principal, its action equals the granted action
(case-insensitively; a wildcard action is never covered by a literal entry) and its resource pattern, after
``${Placeholders}`` are filled in, matches the granted resource (a granted pattern with wildcards only when it is
the very same pattern: an entry never accepts a wider grant than it names). ``s3:ListBucket`` entries name the
``s3:prefix`` condition value they cover. Resource-policy entries name the policy's principal
(``Service:events.amazonaws.com``). Placeholders: ``${InputBucket}``, ``${WorkBucket}``, ``${OutputBucket}`` (bucket
ARNs), ``${OwnLogGroup}`` (the principal's log group), ``${EventSourceQueue}`` (queues its function polls),
``${TopicKey}`` (keys of encrypted topics), ``${RuleQueue}`` (queues EventBridge rules deliver to).

Sources were read from the stored AWS documentation where possible; ``[not re-checked offline]`` marks those cited
from the documentation's structure without the page at hand.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Literal

from amts_local.iam.evaluate import has_wildcard, wildcard_match
from amts_local.iam.template import StackModel

Kind = Literal["aws-on-behalf", "unexercised", "finding"]


@dataclass(frozen=True)
class Reason:
    reason: str
    source: str


@dataclass(frozen=True)
class AllowEntry:
    principal: str
    action: str
    resource: str
    reason: str
    source: str
    kind: Kind
    prefix: str | None = None  # s3:ListBucket: the s3:prefix condition value covered


_XRAY = "Lambda/Step Functions developer guides, X-Ray tracing: the runtime sends segments with the role"
_SFN_LOGS = (
    "Step Functions Developer Guide, 'Logging using CloudWatch Logs': the role needs these log-delivery actions on "
    '"*" for a state machine with a LoggingConfiguration [not re-checked offline]'
)
XRAY_SEND = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")
XRAY_SAMPLING = ("xray:GetSamplingRules", "xray:GetSamplingTargets")
LOG_DELIVERY = tuple(
    f"logs:{name}"
    for name in (
        "CreateLogDelivery",
        "GetLogDelivery",
        "UpdateLogDelivery",
        "DeleteLogDelivery",
        "ListLogDeliveries",
        "PutResourcePolicy",
        "DescribeResourcePolicies",
        "DescribeLogGroups",
    )
)
# Actions without resource-level permissions: the only ones that may be granted on "*".
NO_RESOURCE_LEVEL: Mapping[str, Reason] = {
    **{
        action: Reason("X-Ray takes no resource ARN for trace submission and sampling", _XRAY)
        for action in (*XRAY_SEND, *XRAY_SAMPLING)
    },
    **{
        action: Reason("CloudWatch Logs vended-log delivery actions take no resource ARN", _SFN_LOGS)
        for action in LOG_DELIVERY
    },
    "translate:StartTextTranslationJob": Reason(
        'authorized against "*" (parallel-data and terminology ARNs are checked in addition)',
        "Service Authorization Reference, Amazon Translate (shared/reference/aws-facts.md B7)",
    ),
    "translate:DescribeTextTranslationJob": Reason(
        'supports only "*"', "Service Authorization Reference, Amazon Translate (shared/reference/aws-facts.md B7)"
    ),
}


def _entries(
    principal: str, actions: Iterable[str], resource: str, kind: Kind, reason: str, source: str
) -> list[AllowEntry]:
    return [AllowEntry(principal, action, resource, reason, source, kind) for action in actions]


ALLOWLIST: tuple[AllowEntry, ...] = (
    # ------------------------------------------------------------------------------------------ AWS on our behalf
    *_entries(
        "function:*",
        ("logs:CreateLogStream", "logs:PutLogEvents"),
        "${OwnLogGroup}",
        "aws-on-behalf",
        "Lambda writes the function's logs to its own log group with the execution role",
        "Lambda Developer Guide, execution role / AWSLambdaBasicExecutionRole [not re-checked offline]",
    ),
    *_entries(
        "function:*",
        XRAY_SEND,
        "*",
        "aws-on-behalf",
        "active tracing: Lambda sends the function's trace segments with the execution role",
        _XRAY,
    ),
    *_entries(
        "state-machine",
        LOG_DELIVERY,
        "*",
        "aws-on-behalf",
        "Step Functions delivers the execution history to the log group",
        _SFN_LOGS,
    ),
    *_entries(
        "state-machine",
        (*XRAY_SEND, *XRAY_SAMPLING),
        "*",
        "aws-on-behalf",
        "Step Functions sends the execution's traces with the state machine's role",
        _XRAY,
    ),
    *_entries(
        "state-machine",
        ("kms:GenerateDataKey", "kms:Decrypt"),
        "${TopicKey}",
        "aws-on-behalf",
        "SNS encrypts a message published to the KMS-encrypted topic with the publisher's permissions",
        "Amazon SNS Developer Guide, 'Key management' (sns-key-management): publishers need kms:GenerateDataKey* "
        "and kms:Decrypt on the topic's key [not re-checked offline]",
    ),
    *_entries(
        "function:*",
        ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
        "${EventSourceQueue}",
        "aws-on-behalf",
        "Lambda's SQS event source mapping polls, deletes and reads the queue's attributes with the function's role "
        "(the local poller records ReceiveMessage and DeleteMessage only)",
        "Lambda Developer Guide, 'Using Lambda with Amazon SQS': execution role needs sqs:ReceiveMessage, "
        "sqs:DeleteMessage, sqs:GetQueueAttributes [not re-checked offline]",
    ),
    AllowEntry(
        "translate-data-access",
        "s3:ListBucket",
        "${WorkBucket}",
        "Translate may list the job's output location; the local stand-in lists only the input folder",
        "Amazon Translate Developer Guide, async-prereqs.md: the role needs 'read and write access to your output "
        "bucket'; its example grants s3:ListBucket on the output bucket",
        "aws-on-behalf",
        prefix="jobs/output/*",
    ),
    # --------------------------------------------------------------------------------------- not exercised locally
    AllowEntry(
        "function:Starter",
        "s3:GetObject",
        "${InputBucket}/book/*",
        "an event without a version id (an object written while versioning was suspended) is read without "
        "VersionId; the local input bucket is always versioned",
        "lambdas/amts_steps/starter.py",
        "unexercised",
    ),
    AllowEntry(
        "function:Assemble",
        "s3:ListBucket",
        "${InputBucket}",
        "a chapter's source or human file removed after Stage read it: read_text answers None (404) only with "
        "s3:ListBucket; the scenarios never remove one",
        "lambdas/amts_steps/assemble.py",
        "unexercised",
        prefix="book/*",
    ),
    AllowEntry(
        "function:Score",
        "s3:ListBucket",
        "${InputBucket}",
        "a scored chapter without a human reference (read_text answers None only with s3:ListBucket); every "
        "scenario chapter has one",
        "lambdas/amts_steps/score.py (pair.reference_key)",
        "unexercised",
        prefix="book/*",
    ),
)


def placeholders(model: StackModel, principal: str | None) -> dict[str, tuple[str, ...]]:
    """Values of the ``${Placeholders}`` for ``principal`` (None: for resource policies)."""
    role = model.principals.get(principal or "")
    return {
        "InputBucket": (model.buckets["input"],),
        "WorkBucket": (model.buckets["work"],),
        "OutputBucket": (model.buckets["output"],),
        "TopicKey": tuple(t.key_arn for t in model.topics if t.key_arn),
        "RuleQueue": tuple(q for d in model.rule_deliveries for q in d.target_arns),
        "OwnLogGroup": role.log_groups if role is not None else (),
        "EventSourceQueue": tuple(m.queue_arn for m in model.event_source_mappings if m.principal == principal),
    }


def _expand(pattern: str, values: Mapping[str, tuple[str, ...]]) -> list[str]:
    names = re.findall(r"\$\{(\w+)\}", pattern)
    if not names:
        return [pattern]
    options = [values.get(name, ()) for name in names]
    expanded = []
    for combination in itertools.product(*options):
        text = pattern
        for name, value in zip(names, combination, strict=True):
            text = text.replace(f"${{{name}}}", value, 1)
        expanded.append(text)
    return expanded


def covering_entry(
    principal: str,
    action: str,
    resource: str,
    *,
    values: Mapping[str, tuple[str, ...]],
    prefix: str | None = None,
    entries: Iterable[AllowEntry] = ALLOWLIST,
) -> AllowEntry | None:
    """The allow-list entry covering this grant (``resource`` is the grant's pattern, compared as text)."""
    for entry in entries:
        if not fnmatchcase(principal, entry.principal) or entry.action.lower() != action.lower():
            continue
        if entry.prefix != prefix:
            continue
        for pattern in _expand(entry.resource, values):
            # a wildcard grant is covered only by the very same pattern: an entry never widens what it accepts
            if wildcard_match(pattern, resource) and (not has_wildcard(resource) or pattern == resource):
                return entry
    return None
