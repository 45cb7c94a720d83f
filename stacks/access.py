"""Who may touch which S3 prefixes: one table for every function, turned into explicit IAM statements.

Reads are ``s3:GetObject`` on ``prefix*`` (or on one exact key), writes ``s3:PutObject`` on ``prefix*``, and listing
is ``s3:ListBucket`` on the bucket with an ``s3:prefix`` condition, so a function can see only the prefixes it works on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
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
    read_versions: tuple[str, ...] = ()  # s3:GetObjectVersion: reading the exact version an event announced
    read_keys: tuple[str, ...] = ()  # single objects (no wildcard), e.g. a pair's glossary; listable as that key


@dataclass(frozen=True)
class FunctionAccess:
    """A function's S3 access per bucket; anything else is granted by name in the stack."""

    buckets: Mapping[S3BucketRole, PrefixAccess] = field(default_factory=dict)


BOOK = config.SOURCE_PREFIX
JOB_STAGING = config.JOB_STAGING_PREFIX
JOB_INPUT = config.JOB_INPUT_PREFIX
JOB_OUTPUT = config.JOB_OUTPUT_PREFIX
PARALLEL_DATA = config.PARALLEL_DATA_PREFIX
STATE = config.STATE_PREFIX
REPORTS = config.REPORT_PREFIX
REJECTED = config.REJECTED_PREFIX
TRANSLATED = config.OUTPUT_PREFIX

# What each function reads and writes (checked against amts_steps's calls; the local run proves it call by call).
# Listing a prefix is granted where a step reads objects that may be absent: without s3:ListBucket, S3 answers a
# missing key with 403 AccessDenied instead of 404 NoSuchKey, and the step could not tell "absent" from "forbidden".
FUNCTION_ACCESS: Mapping[str, FunctionAccess] = {
    # Validates each uploaded object version (size, UTF-8) and records rejected uploads under reports/rejected/.
    "Starter": FunctionAccess(
        buckets={"input": PrefixAccess(read=(BOOK,), read_versions=(BOOK,)), "output": PrefixAccess(write=(REJECTED,))},
    ),
    # Resolves the execution input against the book: which chapters exist under book/<source>/, and the book's
    # rename map (config/renames.tsv, a single key: readable, and listable so that its absence is a 404).
    "Plan": FunctionAccess(buckets={"input": PrefixAccess(list=(BOOK,), read_keys=(config.RENAMES_KEY,))}),
    # Segments and aligns the book with its human translation; writes the parallel-data file.
    "BuildParallelData": FunctionAccess(
        buckets={
            "input": PrefixAccess(read=(BOOK,), list=(BOOK,)),
            "work": PrefixAccess(write=(PARALLEL_DATA,)),
        },
    ),
    # Plans the sync against the memory and the last published chapter; stages only what needs MT (never in a
    # job folder: the cost guard prices the staged documents first).
    "Stage": FunctionAccess(
        buckets={
            "input": PrefixAccess(read=(BOOK,), list=(BOOK,)),
            "work": PrefixAccess(write=(JOB_STAGING,)),
            "output": PrefixAccess(read=(STATE, TRANSLATED), list=(STATE, TRANSLATED)),
        },
    ),
    # The cost guard: its figures come in the state; it touches only the spend ledger (granted in the stack).
    "Budget": FunctionAccess(),
    # Copies an approved pair's staged documents into its job folder, the only writer of job folders.
    "Release": FunctionAccess(
        buckets={"work": PrefixAccess(read=(JOB_STAGING,), write=(JOB_INPUT,), list=(JOB_INPUT,))},
    ),
    # Reads the stage manifest and Translate's output, rebuilds markdown, merges with the memory, publishes.
    "Assemble": FunctionAccess(
        buckets={
            "input": PrefixAccess(read=(BOOK,), list=(BOOK,)),
            "work": PrefixAccess(read=(JOB_STAGING, JOB_OUTPUT), list=(JOB_OUTPUT,)),
            "output": PrefixAccess(read=(STATE,), write=(STATE, TRANSLATED), list=(STATE,)),
        },
    ),
    # Scores the ACT and baseline outputs against the human reference; writes scores and the run report.
    "Score": FunctionAccess(
        buckets={
            "input": PrefixAccess(read=(BOOK,), list=(BOOK,)),
            "work": PrefixAccess(read=(JOB_STAGING, JOB_OUTPUT), list=(JOB_OUTPUT,)),
            "output": PrefixAccess(read=(REPORTS,), write=(REPORTS,), list=(REPORTS,)),
        },
    ),
}


# Only Score reads the pairs' glossaries (the term-consistency check of the report).
GLOSSARY_READER = "Score"


def function_access(
    reference_prefixes: Iterable[str] = (), glossary_keys: Iterable[str] = ()
) -> dict[str, FunctionAccess]:
    """The table, with reference translations kept outside ``book/`` readable wherever the book is, and each
    pair's glossary (``terminology_key``, an input-bucket key) readable by Score when no prefix covers it."""
    extra = tuple(sorted({p for p in reference_prefixes if not p.startswith(BOOK)}))

    def widen(prefixes: tuple[str, ...]) -> tuple[str, ...]:
        return prefixes + extra if BOOK in prefixes else prefixes

    table: dict[str, FunctionAccess] = {}
    for function_id, access in FUNCTION_ACCESS.items():
        buckets = dict(access.buckets)
        if "input" in buckets and extra:
            old = buckets["input"]
            buckets["input"] = dataclasses.replace(old, read=widen(old.read), list=widen(old.list))
        table[function_id] = FunctionAccess(buckets=buckets)
    reader = table[GLOSSARY_READER].buckets
    granted = reader["input"] if "input" in reader else PrefixAccess()
    keys = tuple(sorted({k for k in glossary_keys if not any(k.startswith(p) for p in granted.read)}))
    if keys:
        widened = dataclasses.replace(granted, read_keys=granted.read_keys + keys)
        table[GLOSSARY_READER] = FunctionAccess(buckets={**reader, "input": widened})
    return table


def s3_statements(sid_prefix: str, bucket: s3.IBucket, access: PrefixAccess) -> list[iam.PolicyStatement]:
    """The explicit statements for ``access`` to ``bucket``."""

    def objects(prefixes: tuple[str, ...]) -> list[str]:
        return [bucket.arn_for_objects(f"{prefix}*") for prefix in prefixes]

    # (Sid suffix, action, resources): a statement for each that has resources.
    object_access = (
        ("Read", "s3:GetObject", objects(access.read) + [bucket.arn_for_objects(key) for key in access.read_keys]),
        ("ReadVersions", "s3:GetObjectVersion", objects(access.read_versions)),
        ("Write", "s3:PutObject", objects(access.write)),
    )
    statements = [
        iam.PolicyStatement(sid=f"{sid_prefix}{suffix}", actions=[action], resources=resources)
        for suffix, action, resources in object_access
        if resources
    ]
    if access.list or access.read_keys:
        # A single key is listable as itself, so reading it when absent gives NoSuchKey, not AccessDenied.
        statements.append(
            iam.PolicyStatement(
                sid=f"{sid_prefix}List",
                actions=["s3:ListBucket"],
                resources=[bucket.bucket_arn],
                conditions={
                    "StringLike": {"s3:prefix": [f"{prefix}*" for prefix in access.list] + list(access.read_keys)}
                },
            )
        )
    return statements
