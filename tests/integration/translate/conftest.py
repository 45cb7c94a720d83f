"""Fixtures: moto S3 and the Translate stand-in hooked into a private boto3 session (simulated clock)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from amts_local.standin import SimulatedClock, TranslateStandIn

REGION = "us-east-1"
ACCOUNT = "123456789012"
BUCKET = "amts-translate-work"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/amts-translate-data-access"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[boto3.Session]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield boto3.Session(region_name=REGION)


@pytest.fixture
def s3(aws: boto3.Session) -> Any:
    client = aws.client("s3")
    client.create_bucket(Bucket=BUCKET)
    return client


@pytest.fixture
def standin(aws: boto3.Session, s3: Any) -> Iterator[TranslateStandIn]:
    service = TranslateStandIn(s3, region=REGION, account_id=ACCOUNT, clock=SimulatedClock())
    with service.installed(aws):
        yield service
    assert service.unmodelled_errors == [], "the stand-in answered with error codes botocore does not model"


@pytest.fixture
def translate(aws: boto3.Session, standin: TranslateStandIn) -> Any:
    return aws.client("translate")
