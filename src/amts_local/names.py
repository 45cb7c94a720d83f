"""Physical names of the local resources (the CDK stack lets CloudFormation name them)."""

from __future__ import annotations

from dataclasses import dataclass

STARTER_ID = "Starter"


@dataclass(frozen=True)
class LocalNames:
    """Physical names of the local resources (the CDK stack lets CloudFormation name them)."""

    account: str = "123456789012"
    region: str = "us-east-1"
    prefix: str = "amts-local"

    @property
    def input_bucket(self) -> str:
        return f"{self.prefix}-input"

    @property
    def work_bucket(self) -> str:
        return f"{self.prefix}-work"

    @property
    def output_bucket(self) -> str:
        return f"{self.prefix}-output"

    @property
    def upload_queue(self) -> str:
        return f"{self.prefix}-uploads"

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.prefix}-uploads-dlq"

    @property
    def notification_inbox(self) -> str:
        """A queue subscribed to the topic so a local run can show the notifications (the person's e-mail)."""
        return f"{self.prefix}-notifications-inbox"

    @property
    def topic(self) -> str:
        return f"{self.prefix}-notifications"

    @property
    def spend_table(self) -> str:
        return f"{self.prefix}-spend-ledger"

    def spend_table_arn(self) -> str:
        return f"arn:aws:dynamodb:{self.region}:{self.account}:table/{self.spend_table}"

    @property
    def upload_rule(self) -> str:
        return f"{self.prefix}-source-uploaded"

    def topic_arn(self) -> str:
        return f"arn:aws:sns:{self.region}:{self.account}:{self.topic}"

    def queue_arn(self, name: str) -> str:
        return f"arn:aws:sqs:{self.region}:{self.account}:{name}"

    def role_arn(self, role: str) -> str:
        return f"arn:aws:iam::{self.account}:role/{self.prefix}-{role}"

    @property
    def translate_role_arn(self) -> str:
        return self.role_arn("translate-data-access")

    @property
    def state_machine_role_arn(self) -> str:
        return self.role_arn("state-machine")

    def function_name(self, function_id: str) -> str:
        return f"{self.prefix}-{function_id}"

    def function_arn(self, function_id: str) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{self.function_name(function_id)}"

    def state_machine_name(self, stem: str) -> str:
        return f"{self.prefix}-{stem}"

    def state_machine_arn(self, stem: str) -> str:
        return f"arn:aws:states:{self.region}:{self.account}:stateMachine:{self.state_machine_name(stem)}"
