"""The Translate calls the state machine makes, sent straight from a boto3 client to the stand-in.

The deployed workflow drives Translate from its own SDK tasks (``statemachine/pipeline.asl.json``): it stages the
job's HTML under its own input prefix, starts the job with a ClientToken from the execution, polls
DescribeTextTranslationJob, and the pipeline then reads the outputs with ``amts.translate.job_outputs``. These
helpers send the same requests, so the contract tests exercise the stand-in the way the workflow does.
"""

from __future__ import annotations

import hashlib
from typing import Any

from amts.translate.job_outputs import JobOutputs, JobState, job_state
from amts_aws.job_outputs import read_job_outputs

from amts_local.standin import SimulatedClock
from tests.integration.translate.conftest import ACCOUNT, ROLE

POLL_SECONDS = 15.0


def stage(s3: Any, bucket: str, prefix: str, documents: dict[str, str]) -> str:
    """Put the job's documents under its own input prefix; the job's input URI."""
    for name, body in documents.items():
        s3.put_object(Bucket=bucket, Key=prefix + name, Body=body.encode("utf-8"))
    return f"s3://{bucket}/{prefix}"


def job_request(
    name: str,
    input_uri: str,
    output_uri: str,
    *,
    client_token: str,
    role: str = ROLE,
    targets: tuple[str, ...] = ("zh",),
    **options: Any,
) -> dict[str, Any]:
    """StartTextTranslationJob's request as the workflow's JobStart state builds it (HTML in, English source)."""
    return {
        "JobName": name,
        "InputDataConfig": {"S3Uri": input_uri, "ContentType": "text/html"},
        "OutputDataConfig": {"S3Uri": output_uri},
        "DataAccessRoleArn": role,
        "SourceLanguageCode": "en",
        "TargetLanguageCodes": list(targets),
        "ClientToken": client_token,
        **options,
    }


def start(
    translate: Any, run: str, input_uri: str, output_uri: str, targets: tuple[str, ...] = ("zh",), **options: Any
) -> str:
    """StartTextTranslationJob as the workflow's JobStart sends it (customized variant); the job id."""
    request = job_request(f"amts-{run}", input_uri, output_uri, client_token=f"{run}-act", targets=targets, **options)
    return str(translate.start_text_translation_job(**request)["JobId"])


def describe(translate: Any, job_id: str) -> JobState:
    return job_state(translate.describe_text_translation_job(JobId=job_id)["TextTranslationJobProperties"])


def wait(translate: Any, clock: SimulatedClock, job_id: str) -> JobState:
    """Poll like the workflow's Wait/Describe loop until the job is terminal (simulated time)."""
    while not (state := describe(translate, job_id)).terminal:
        clock.advance(POLL_SECONDS)
    return state


def outputs(s3: Any, state: JobState) -> JobOutputs:
    return read_job_outputs(s3, state, account_id=ACCOUNT)


def import_parallel_data(
    translate: Any, clock: SimulatedClock, name: str, s3_uri: str, *, update: bool
) -> dict[str, Any]:
    """Create or update parallel data as the workflow does, then poll until the import settles."""
    call = translate.update_parallel_data if update else translate.create_parallel_data
    call(
        Name=name,
        ParallelDataConfig={"S3Uri": s3_uri, "Format": "CSV"},
        ClientToken=hashlib.sha256(s3_uri.encode()).hexdigest(),
    )
    status_key = "LatestUpdateAttemptStatus" if update else "Status"
    while True:
        properties: dict[str, Any] = translate.get_parallel_data(Name=name)["ParallelDataProperties"]
        if properties.get(status_key) in ("ACTIVE", "FAILED"):
            return properties
        clock.advance(POLL_SECONDS)
