"""Every request the workflow's calls send passes botocore's own parameter validation and the model's patterns.

botocore checks types, required members, lengths and enums before sending, but not regex patterns; the
patterns are checked here with the ``regex`` module (the model uses ``\\p{L}``-style classes).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import boto3
import botocore.session
import regex
from amts.translate.parallel_data import build_parallel_data
from botocore.validate import ParamValidator

from amts_local.standin import TranslateStandIn
from tests.integration.translate.conftest import BUCKET
from tests.integration.translate.jobs import import_parallel_data, stage, start, wait

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


def put_parallel_data(s3: Any, key: str, pairs: list[tuple[str, str]]) -> str:
    data, _ = build_parallel_data(pairs, "en", "zh")
    s3.put_object(Bucket=BUCKET, Key=key, Body=data)
    return f"s3://{BUCKET}/{key}"


def test_every_workflow_request_is_valid_for_botocore(translate: Any, s3: Any, standin: TranslateStandIn) -> None:
    pairs = [("Hello there.", "你好。"), ("Good night.", "晚安。")]
    import_parallel_data(translate, standin.clock, "book-en-zh", put_parallel_data(s3, "pd/a.csv", pairs), update=False)
    translate.get_parallel_data(Name="book-en-zh")
    newer = put_parallel_data(s3, "pd/b.csv", pairs[:1])
    import_parallel_data(translate, standin.clock, "book-en-zh", newer, update=True)
    translate.import_terminology(
        Name="terms",
        MergeStrategy="OVERWRITE",
        TerminologyData={"File": "en,zh\nhello,你好\n".encode(), "Format": "CSV"},
    )
    uri = stage(s3, BUCKET, "jobs/input/exec:1/en-zh/", {"a.html": "<p id='a'>Hello.</p>"})
    job_id = start(
        translate,
        "exec-1",
        uri,
        f"s3://{BUCKET}/jobs/output/",
        ParallelDataNames=["book-en-zh"],
        TerminologyNames=["terms"],
        Settings={"Formality": "FORMAL", "Profanity": "MASK"},
    )
    translate.stop_text_translation_job(JobId=job_id)
    wait(translate, standin.clock, job_id)
    wait(translate, standin.clock, start(translate, "exec-2", uri, f"s3://{BUCKET}/o/"))

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


_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "long": (int,),
    "boolean": (bool,),
    "float": (float, int),
    "double": (float, int),
    "timestamp": (datetime,),
    "blob": (bytes,),
    "list": (list,),
    "structure": (dict,),
    "map": (dict,),
}


def shape_problems(value: Any, shape: Any, path: str) -> list[str]:
    """Differences between a parsed response and the model's output shape (unknown keys, wrong types, enums)."""
    if not isinstance(value, _PYTHON_TYPES[shape.type_name]):
        return [f"{path}: {type(value).__name__} is not a {shape.type_name}"]
    problems: list[str] = []
    if shape.type_name == "structure":
        for key, item in value.items():
            if key == "ResponseMetadata" and path.count(".") == 0:
                continue
            if key not in shape.members:
                problems.append(f"{path}.{key}: not in the model")
            else:
                problems.extend(shape_problems(item, shape.members[key], f"{path}.{key}"))
    elif shape.type_name == "list":
        for i, item in enumerate(value):
            problems.extend(shape_problems(item, shape.member, f"{path}[{i}]"))
    elif shape.type_name == "string" and shape.enum and value not in shape.enum:
        problems.append(f"{path}: {value!r} is not one of {shape.enum}")
    return problems


def test_every_standin_response_has_the_model_output_shape(
    aws: boto3.Session, translate: Any, s3: Any, standin: TranslateStandIn
) -> None:
    responses: list[tuple[str, dict[str, Any]]] = []

    def capture(parsed: dict[str, Any], model: Any, **_: Any) -> None:
        responses.append((model.name, parsed))

    translate.meta.events.register("after-call.translate", capture)
    pairs = [("Hello there.", "你好。")]
    import_parallel_data(translate, standin.clock, "book-en-zh", put_parallel_data(s3, "pd/a.csv", pairs), update=False)
    newer = put_parallel_data(s3, "pd/b.csv", [*pairs, ("Bye now.", "再见。")])
    import_parallel_data(translate, standin.clock, "book-en-zh", newer, update=True)
    translate.list_parallel_data()
    translate.import_terminology(
        Name="terms",
        MergeStrategy="OVERWRITE",
        TerminologyData={"File": "en,zh\nhello,你好\n".encode(), "Format": "CSV"},
    )
    translate.get_terminology(Name="terms")
    translate.list_terminologies()
    translate.translate_text(
        Text="hello",
        SourceLanguageCode="en",
        TargetLanguageCode="zh",
        TerminologyNames=["terms"],
        Settings={"Formality": "FORMAL"},
    )
    uri = stage(s3, BUCKET, "in/shape/", {"a.html": "<p id='a'>Hello.</p>"})
    job_id = start(
        translate, "shape", uri, f"s3://{BUCKET}/out/", ParallelDataNames=["book-en-zh"], TerminologyNames=["terms"]
    )
    wait(translate, standin.clock, job_id)
    job = translate.list_text_translation_jobs()["TextTranslationJobPropertiesList"][0]
    translate.stop_text_translation_job(JobId=job["JobId"])
    translate.delete_parallel_data(Name="book-en-zh")

    seen = set()
    for operation, parsed in responses:
        seen.add(operation)
        operation_model = MODEL.operation_model(operation)
        if "Error" in parsed:  # an error answer: its code must be one the model lists for the operation
            assert parsed["Error"]["Code"] in [e.name for e in operation_model.error_shapes], (operation, parsed)
            continue
        assert shape_problems(parsed, operation_model.output_shape, operation) == []
    assert len(seen) == 13, sorted(seen)
