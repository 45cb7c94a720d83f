"""Amazon Translate's request rules (botocore model patterns and documented quotas): the stand-in enforces them,
and the pipeline parses S3 URIs with the same rule."""

from __future__ import annotations

import re

RESOURCE_NAME = re.compile(r"^([A-Za-z0-9-]_?)+$")  # parallel data and terminology names
CLIENT_TOKEN = re.compile(r"^[a-zA-Z0-9-]+$")  # 1-64 characters
S3_URI = re.compile(r"^s3://([a-z0-9][\.\-a-z0-9]{1,61}[a-z0-9])(/.*)?$")
ROLE_ARN = re.compile(r"^arn:aws(-[^:]+)?:iam::[0-9]{12}:role/.+$")
JOB_NAME = re.compile(r"^[\w\s.:/=+\-%@]*$")  # the model's \p{L}\p{Z}\p{N}_.:/=+\-%@, close enough with re
CONTENT_TYPES = frozenset(
    {
        "text/plain",
        "text/html",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/x-xliff+xml",
    }
)
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # per document in a batch job
MAX_TRANSLATE_TEXT_BYTES = 10_000  # TranslateText input
MAX_CONCURRENT_JOBS = 10
MAX_TARGET_LANGUAGES = 10


def parse_s3_uri(uri: str) -> tuple[str, str] | None:
    """``s3://bucket/prefix`` -> (bucket, prefix without the leading slash), or None when Translate would refuse it."""
    match = S3_URI.match(uri)
    if match is None:
        return None
    return match.group(1), (match.group(2) or "/")[1:]
