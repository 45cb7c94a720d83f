"""Physical names of the local resources (the CDK stack lets CloudFormation name them)."""

from __future__ import annotations

from dataclasses import dataclass

STARTER_ID = "Starter"


class _Named:
    """An attribute of ``LocalNames`` that reads as the physical name ``<prefix>-<suffix>`` (with ``role``, the ARN
    of the role so named), so each resource is one line of the table below."""

    def __init__(self, suffix: str, *, role: bool = False) -> None:
        self.suffix = suffix
        self.role = role

    def __get__(self, names: LocalNames, owner: type[LocalNames] | None = None) -> str:
        return names.role_arn(self.suffix) if self.role else names.prefixed(self.suffix)


@dataclass(frozen=True)
class LocalNames:
    """Physical names of the local resources (the CDK stack lets CloudFormation name them)."""

    account: str = "123456789012"
    region: str = "us-east-1"
    prefix: str = "amts-local"

    input_bucket = _Named("input")
    work_bucket = _Named("work")
    output_bucket = _Named("output")
    upload_queue = _Named("uploads")
    dead_letter_queue = _Named("uploads-dlq")
    # A queue subscribed to the topic so a local run can show the notifications (the person's e-mail).
    notification_inbox = _Named("notifications-inbox")
    topic = _Named("notifications")
    spend_table = _Named("spend-ledger")
    upload_rule = _Named("source-uploaded")
    translate_role_arn = _Named("translate-data-access", role=True)
    state_machine_role_arn = _Named("state-machine", role=True)

    def prefixed(self, name: str) -> str:
        """The physical name of a resource (a function, a state machine) the stack calls ``name``."""
        return f"{self.prefix}-{name}"

    def arn(self, service: str, resource: str) -> str:
        """An ARN in this account and region."""
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"

    def topic_arn(self) -> str:
        return self.arn("sns", self.topic)

    def queue_arn(self, name: str) -> str:
        return self.arn("sqs", name)

    def role_arn(self, role: str) -> str:
        """IAM is global: a role's ARN names no region."""
        return f"arn:aws:iam::{self.account}:role/{self.prefixed(role)}"

    def function_arn(self, function_id: str) -> str:
        return self.arn("lambda", f"function:{self.prefixed(function_id)}")

    def state_machine_arn(self, stem: str) -> str:
        return self.arn("states", f"stateMachine:{self.prefixed(stem)}")
