"""Every request the adapter sends passes botocore's own parameter validation and the model's patterns.

botocore checks types, required members, lengths and enums before sending, but not regex patterns; the
patterns are checked here with the ``regex`` module (the model uses ``\\p{L}``-style classes).
"""

from __future__ import annotations

from typing import Any

import botocore.session
import regex
from amts.translate.adapter import JobRequest, TranslateAdapter
from amts.translate.parallel_data import build_parallel_data
from amts.translate.standin import TranslateStandIn
from botocore.validate import ParamValidator

from tests.integration.translate.conftest import BUCKET, ROLE

MODEL = botocore.session.get_session().get_service_model("translate")


def pattern_problems(value: Any, shape: Any, path: str) -> list[str]:
    problems: list[str] = []
    if shape.type_name == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                problems.extend(pattern_problems(value[name], member, f"{path}.{name}"))
    elif shape.type_name == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            problems.extend(pattern_problems(item, shape.member, f"{path}[{i}]"))
    elif (
        shape.type_name == "string"
        and isinstance(value, str)
        and "pattern" in shape.metadata
        and not regex.fullmatch(shape.metadata["pattern"], value)
    ):
        problems.append(f"{path}={value!r} does not match {shape.metadata['pattern']}")
    return problems


def test_every_adapter_request_is_valid_for_botocore(adapter: TranslateAdapter, standin: TranslateStandIn) -> None:
    data, _ = build_parallel_data([("Hello there.", "你好。"), ("Good night.", "晚安。")], "en", "zh")
    adapter.ensure_parallel_data("book-en-zh", data, fmt="CSV", bucket=BUCKET, description="d2l en-zh")
    data2, _ = build_parallel_data([("Hello there.", "你好。")], "en", "zh")
    adapter.ensure_parallel_data("book-en-zh", data2, fmt="CSV", bucket=BUCKET)
    adapter.translate.import_terminology(
        Name="terms",
        MergeStrategy="OVERWRITE",
        TerminologyData={"File": "en,zh\nhello,你好\n".encode(), "Format": "CSV"},
    )
    uri = adapter.stage_documents(f"s3://{BUCKET}/jobs/input/exec:1/en-zh/", {"a.html": "<p id='a'>Hello.</p>"})
    request = JobRequest(
        "arn:aws:states:us-east-1:123456789012:execution:amts:run 1",
        "en",
        ("zh",),
        uri,
        f"s3://{BUCKET}/jobs/output/",
        ROLE,
        parallel_data_name="book-en-zh",
        terminology_name="terms",
        formality="FORMAL",
        profanity="MASK",
    )
    state = adapter.start_job(request)
    adapter.stop_job(state.job_id)
    adapter.wait_for_job(state.job_id)
    second = adapter.wait_for_job(
        adapter.start_job(JobRequest("exec-2", "en", ("zh",), uri, f"s3://{BUCKET}/o/", ROLE)).job_id
    )
    adapter.job_outputs(second)

    validator = ParamValidator()
    seen = set()
    for operation, params in standin.calls:
        seen.add(operation)
        input_shape = MODEL.operation_model(operation).input_shape
        report = validator.validate(params, input_shape)
        assert not report.has_errors(), f"{operation}: {report.generate_report()}"
        assert pattern_problems(params, input_shape, operation) == []
    assert {
        "GetParallelData",
        "CreateParallelData",
        "UpdateParallelData",
        "StartTextTranslationJob",
        "DescribeTextTranslationJob",
        "StopTextTranslationJob",
    } <= seen
