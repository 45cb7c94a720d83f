"""Who may touch which S3 prefixes: one table for every function, turned into explicit IAM statements.

Reads are ``s3:GetObject`` on ``prefix*``, writes ``s3:PutObject`` on ``prefix*``, and listing is ``s3:ListBucket``
on the bucket with an ``s3:prefix`` condition, so a function can see only the prefixes it works on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from amts import config
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3

S3BucketRole = Literal["input", "work", "output"]


@dataclass(frozen=True)
class PrefixAccess:
    """Prefixes of one bucket that a principal reads, writes and lists."""

    read: tuple[str, ...] = ()
    write: tuple[str, ...] = ()
    list: tuple[str, ...] = ()


@dataclass(frozen=True)
class FunctionAccess:
    """A function's S3 access per bucket; anything else is granted by name in the stack."""

    buckets: Mapping[S3BucketRole, PrefixAccess] = field(default_factory=dict)


BOOK = config.SOURCE_PREFIX
JOB_INPUT = config.JOB_INPUT_PREFIX
JOB_OUTPUT = config.JOB_OUTPUT_PREFIX
PARALLEL_DATA = config.PARALLEL_DATA_PREFIX
STATE = config.STATE_PREFIX
REPORTS = config.REPORT_PREFIX
TRANSLATED = config.OUTPUT_PREFIX

# What each function reads and writes, from its description in amts.config.FUNCTIONS.
FUNCTION_ACCESS: Mapping[str, FunctionAccess] = {
    # Validates each uploaded object (size, UTF-8) and records rejected uploads in the run reports.
    "Starter": FunctionAccess(
        buckets={"input": PrefixAccess(read=(BOOK,)), "output": PrefixAccess(write=(REPORTS,))},
    ),
    # Resolves the execution input against the book: which chapters exist in which language.
    "Plan": FunctionAccess(
        buckets={
            "input": PrefixAccess(read=(BOOK,), list=(BOOK,)),
            "output": PrefixAccess(read=(STATE,), list=(STATE,)),
        },
    ),
    # Segments and aligns the book with its human translation; writes the parallel-data file.
    "BuildParallelData": FunctionAccess(
        buckets={
            "input": PrefixAccess(read=(BOOK,), list=(BOOK,)),
            "work": PrefixAccess(read=(PARALLEL_DATA,), write=(PARALLEL_DATA,), list=(PARALLEL_DATA,)),
        },
    ),
    # Plans the sync against the memory and writes only the segments that need MT as the job's input.
    "Stage": FunctionAccess(
        buckets={
            "input": PrefixAccess(read=(BOOK,), list=(BOOK,)),
            "work": PrefixAccess(write=(JOB_INPUT,)),
            "output": PrefixAccess(read=(STATE, TRANSLATED), list=(STATE, TRANSLATED)),
        },
    ),
    # Reads Translate's output, rebuilds markdown, merges with the memory, publishes chapters and state.
    "Assemble": FunctionAccess(
        buckets={
            "input": PrefixAccess(read=(BOOK,), list=(BOOK,)),
            "work": PrefixAccess(read=(JOB_INPUT, JOB_OUTPUT), list=(JOB_INPUT, JOB_OUTPUT)),
            "output": PrefixAccess(read=(STATE, TRANSLATED), write=(STATE, TRANSLATED), list=(STATE, TRANSLATED)),
        },
    ),
    # Scores translations (ACT and baseline) against the human reference; writes the reports.
    "Score": FunctionAccess(
        buckets={
            "input": PrefixAccess(read=(BOOK,), list=(BOOK,)),
            "work": PrefixAccess(read=(JOB_INPUT, JOB_OUTPUT), list=(JOB_INPUT, JOB_OUTPUT)),
            "output": PrefixAccess(
                read=(TRANSLATED, REPORTS, STATE), write=(REPORTS,), list=(TRANSLATED, REPORTS, STATE)
            ),
        },
    ),
}


def s3_statements(sid_prefix: str, bucket: s3.IBucket, access: PrefixAccess) -> list[iam.PolicyStatement]:
    """The explicit statements for ``access`` to ``bucket``."""
    statements: list[iam.PolicyStatement] = []
    if access.read:
        statements.append(
            iam.PolicyStatement(
                sid=f"{sid_prefix}Read",
                actions=["s3:GetObject"],
                resources=[bucket.arn_for_objects(f"{prefix}*") for prefix in access.read],
            )
        )
    if access.write:
        statements.append(
            iam.PolicyStatement(
                sid=f"{sid_prefix}Write",
                actions=["s3:PutObject"],
                resources=[bucket.arn_for_objects(f"{prefix}*") for prefix in access.write],
            )
        )
    if access.list:
        statements.append(
            iam.PolicyStatement(
                sid=f"{sid_prefix}List",
                actions=["s3:ListBucket"],
                resources=[bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{prefix}*" for prefix in access.list]}},
            )
        )
    return statements
