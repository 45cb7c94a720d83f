"""The stand-in through unchanged boto3 code: shapes, validation, error names, statuses, limits."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from amts_local.standin import SimulatedClock, TranslateStandIn
from amts_local.standin import documents as standin_documents
from tests.integration.translate.conftest import ACCOUNT, BUCKET, REGION, ROLE


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response: dict[str, Any] = excinfo.value.response  # type: ignore[assignment]
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def put(s3: Any, key: str, body: str | bytes) -> str:
    s3.put_object(Bucket=BUCKET, Key=key, Body=body.encode() if isinstance(body, str) else body)
    return f"s3://{BUCKET}/{key}"


def start(translate: Any, prefix: str, **extra: Any) -> str:
    response = translate.start_text_translation_job(
        InputDataConfig={"S3Uri": f"s3://{BUCKET}/{prefix}", "ContentType": extra.pop("ContentType", "text/html")},
        OutputDataConfig={"S3Uri": f"s3://{BUCKET}/out/"},
        DataAccessRoleArn=ROLE,
        SourceLanguageCode="en",
        TargetLanguageCodes=extra.pop("TargetLanguageCodes", ["zh"]),
        **extra,
    )
    return str(response["JobId"])


def test_name_and_token_patterns_are_enforced(translate: Any, s3: Any) -> None:
    uri = put(s3, "pd/a.csv", "en,zh\nHi,你好\n")
    with pytest.raises(ClientError) as info:
        translate.create_parallel_data(Name="bad.name", ParallelDataConfig={"S3Uri": uri, "Format": "CSV"})
    assert error_of(info) == ("InvalidParameterValueException", 400)
    with pytest.raises(translate.exceptions.InvalidParameterValueException):
        translate.create_parallel_data(
            Name="ok", ParallelDataConfig={"S3Uri": uri, "Format": "CSV"}, ClientToken="not a token!"
        )


def test_same_region_s3_is_required(aws: boto3.Session, translate: Any) -> None:
    other = aws.client("s3", region_name="eu-west-1")
    other.create_bucket(Bucket="amts-eu-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    other.put_object(Bucket="amts-eu-bucket", Key="pd/a.csv", Body=b"en,zh\nHi,x\n")
    with pytest.raises(translate.exceptions.InvalidRequestException, match="same region"):
        translate.create_parallel_data(
            Name="eu", ParallelDataConfig={"S3Uri": "s3://amts-eu-bucket/pd/a.csv", "Format": "CSV"}
        )


def test_parallel_data_lifecycle_and_listing(translate: Any, s3: Any, standin: TranslateStandIn) -> None:
    uri = put(s3, "pd/a.csv", "en,zh\nHi,你好\nBye,再见\n")
    created = translate.create_parallel_data(Name="a", ParallelDataConfig={"S3Uri": uri, "Format": "CSV"})
    assert created["Status"] == "CREATING"
    with pytest.raises(ClientError) as info:
        translate.update_parallel_data(Name="a", ParallelDataConfig={"S3Uri": uri, "Format": "CSV"})
    assert error_of(info) == ("ConcurrentModificationException", 409)
    with pytest.raises(translate.exceptions.ConflictException):
        translate.create_parallel_data(Name="a", ParallelDataConfig={"S3Uri": uri, "Format": "CSV"})
    standin.clock.advance(standin.parallel_data_seconds)
    got = translate.get_parallel_data(Name="a")
    props = got["ParallelDataProperties"]
    assert props["Status"] == "ACTIVE"
    assert props["Arn"] == f"arn:aws:translate:{REGION}:{ACCOUNT}:parallel-data/a"
    assert (props["SourceLanguageCode"], props["TargetLanguageCodes"]) == ("en", ["zh"])
    assert props["ImportedRecordCount"] == 2
    with urllib.request.urlopen(got["DataLocation"]["Location"]) as response:
        assert response.read() == "en,zh\nHi,你好\nBye,再见\n".encode()

    translate.create_parallel_data(Name="b", ParallelDataConfig={"S3Uri": uri, "Format": "CSV"})
    first = translate.list_parallel_data(MaxResults=1)
    second = translate.list_parallel_data(MaxResults=1, NextToken=first["NextToken"])
    assert [p["Name"] for p in first["ParallelDataPropertiesList"] + second["ParallelDataPropertiesList"]] == ["a", "b"]
    assert "NextToken" not in second

    assert translate.delete_parallel_data(Name="a")["Status"] == "DELETING"
    standin.clock.advance(standin.delete_seconds)
    with pytest.raises(ClientError) as info:
        translate.get_parallel_data(Name="a")
    assert error_of(info) == ("ResourceNotFoundException", 404)


def test_update_keeps_the_prior_status_while_importing(translate: Any, s3: Any, standin: TranslateStandIn) -> None:
    uri = put(s3, "pd/a.csv", "en,zh\nHi,你好\n")
    translate.create_parallel_data(Name="a", ParallelDataConfig={"S3Uri": uri, "Format": "CSV"})
    standin.clock.advance(standin.parallel_data_seconds)
    newer = put(
        s3,
        "pd/b.tmx",
        '<tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en"><seg>A</seg>'
        '</tuv><tuv xml:lang="zh"><seg>甲</seg></tuv></tu></body></tmx>',
    )
    response = translate.update_parallel_data(Name="a", ParallelDataConfig={"S3Uri": newer, "Format": "TMX"})
    assert (response["Status"], response["LatestUpdateAttemptStatus"]) == ("ACTIVE", "UPDATING")
    standin.clock.advance(standin.parallel_data_seconds)
    props = translate.get_parallel_data(Name="a")["ParallelDataProperties"]
    assert (props["Status"], props["LatestUpdateAttemptStatus"]) == ("ACTIVE", "ACTIVE")
    assert props["ParallelDataConfig"] == {"S3Uri": newer, "Format": "TMX"}


def test_terminology_import_get_list_and_translate_text(translate: Any) -> None:
    imported = translate.import_terminology(
        Name="terms",
        MergeStrategy="OVERWRITE",
        TerminologyData={"File": "en,zh\nencoder,编码器\n".encode(), "Format": "CSV", "Directionality": "UNI"},
    )
    assert imported["TerminologyProperties"]["TermCount"] == 1
    got = translate.get_terminology(Name="terms", TerminologyDataFormat="TSV")
    with urllib.request.urlopen(got["TerminologyDataLocation"]["Location"]) as response:
        assert response.read().decode() == "en\tzh\nencoder\t编码器\n"
    assert [t["Name"] for t in translate.list_terminologies()["TerminologyPropertiesList"]] == ["terms"]
    result = translate.translate_text(
        Text="The encoder works.", SourceLanguageCode="en", TargetLanguageCode="zh", TerminologyNames=["terms"]
    )
    assert result["TranslatedText"].startswith("[pseudo en→zh]")
    assert "编码器" in result["TranslatedText"]
    assert result["AppliedTerminologies"] == [
        {"Name": "terms", "Terms": [{"SourceText": "encoder", "TargetText": "编码器"}]}
    ]
    assert result["ResponseMetadata"]["HTTPHeaders"]["x-amts-engine"] == "pseudo"


def test_translate_text_limits(translate: Any) -> None:
    with pytest.raises(translate.exceptions.TextSizeLimitExceededException):
        translate.translate_text(Text="字" * 3334, SourceLanguageCode="zh", TargetLanguageCode="en")
    with pytest.raises(translate.exceptions.UnsupportedLanguagePairException):
        translate.translate_text(Text="hi", SourceLanguageCode="en", TargetLanguageCode="xx")
    with pytest.raises(translate.exceptions.ResourceNotFoundException):
        translate.translate_text(Text="hi", SourceLanguageCode="en", TargetLanguageCode="zh", TerminologyNames=["no"])


def test_job_validation_errors(translate: Any, s3: Any) -> None:
    put(s3, "in/run/a.html", "<p>Hi</p>")
    with pytest.raises(translate.exceptions.InvalidRequestException, match="not the root of the bucket"):
        translate.start_text_translation_job(
            InputDataConfig={"S3Uri": f"s3://{BUCKET}", "ContentType": "text/html"},
            OutputDataConfig={"S3Uri": f"s3://{BUCKET}/out/"},
            DataAccessRoleArn=ROLE,
            SourceLanguageCode="en",
            TargetLanguageCodes=["zh"],
        )
    with pytest.raises(translate.exceptions.InvalidParameterValueException, match="role"):
        translate.start_text_translation_job(
            InputDataConfig={"S3Uri": f"s3://{BUCKET}/in/run/", "ContentType": "text/html"},
            OutputDataConfig={"S3Uri": f"s3://{BUCKET}/out/"},
            DataAccessRoleArn="arn:aws:iam::1:user/me",
            SourceLanguageCode="en",
            TargetLanguageCodes=["zh"],
        )
    with pytest.raises(translate.exceptions.ResourceNotFoundException):
        start(translate, "in/run/", ParallelDataNames=["missing"])
    with pytest.raises(translate.exceptions.UnsupportedLanguagePairException):
        start(translate, "in/run/", TargetLanguageCodes=["en"])
    with pytest.raises(translate.exceptions.ResourceNotFoundException):
        translate.describe_text_translation_job(JobId="0" * 32)


def test_job_statuses_listing_and_filters(translate: Any, s3: Any, standin: TranslateStandIn) -> None:
    put(s3, "in/run/a.html", "<p>Hi</p>")
    job_a = start(translate, "in/run/", JobName="first")
    job_b = start(translate, "in/run/", JobName="second")
    assert translate.stop_text_translation_job(JobId=job_b)["JobStatus"] == "STOP_REQUESTED"
    standin.clock.advance(standin.queue_seconds + standin.job_seconds)
    listed = translate.list_text_translation_jobs(Filter={"JobStatus": "COMPLETED"})
    assert [j["JobId"] for j in listed["TextTranslationJobPropertiesList"]] == [job_a]
    by_name = translate.list_text_translation_jobs(Filter={"JobName": "second"})["TextTranslationJobPropertiesList"]
    assert by_name[0]["JobStatus"] == "STOPPED"
    assert by_name[0]["EndTime"] > by_name[0]["SubmittedTime"]
    with pytest.raises(translate.exceptions.InvalidFilterException):
        translate.list_text_translation_jobs(Filter={"JobName": "first", "JobStatus": "COMPLETED"})
    page = translate.list_text_translation_jobs(MaxResults=1)
    assert len(page["TextTranslationJobPropertiesList"]) == 1
    assert "NextToken" in page


def test_oversized_and_non_utf8_documents_are_document_errors(
    translate: Any, s3: Any, standin: TranslateStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(standin_documents, "MAX_DOCUMENT_BYTES", 100)
    put(s3, "in/big/ok.html", "<p>Fine</p>")
    put(s3, "in/big/huge.html", "<p>" + "x" * 200 + "</p>")
    put(s3, "in/big/latin1.html", "<p>caf\xe9</p>".encode("latin-1"))
    job = start(translate, "in/big/")
    standin.clock.advance(standin.queue_seconds + standin.job_seconds)
    props = translate.describe_text_translation_job(JobId=job)["TextTranslationJobProperties"]
    assert props["JobStatus"] == "COMPLETED_WITH_ERROR"
    assert props["JobDetails"] == {
        "TranslatedDocumentsCount": 1,
        "DocumentsWithErrorsCount": 2,
        "InputDocumentsCount": 3,
    }
    aux_key = f"out/{ACCOUNT}-TranslateText-{job}/details/zh.auxiliary-translation-details.json"
    aux = json.loads(s3.get_object(Bucket=BUCKET, Key=aux_key)["Body"].read())
    assert aux["documentCountWithCustomerError"] == "2"
    messages = {d["sourceFile"]: d.get("errorMessage", "") for d in aux["details"]}
    assert "over the 20 MB limit" in messages["huge.html"]
    assert "not valid UTF-8" in messages["latin1.html"]


def test_plain_text_jobs_keep_lines(translate: Any, s3: Any, standin: TranslateStandIn) -> None:
    put(s3, "in/txt/notes.txt", "First line.\n\nSecond line.\n")
    job = start(translate, "in/txt/", ContentType="text/plain")
    standin.clock.advance(standin.queue_seconds + standin.job_seconds)
    translate.describe_text_translation_job(JobId=job)
    out = s3.get_object(Bucket=BUCKET, Key=f"out/{ACCOUNT}-TranslateText-{job}/zh.notes.txt")["Body"].read().decode()
    assert out == "[pseudo en→zh] Fírst líñé.\n\n[pseudo en→zh] Séçóñd líñé.\n"


def test_html_is_treated_generically(translate: Any, s3: Any, standin: TranslateStandIn) -> None:
    page = (
        '<html><body><div id="x1">Outer <em>text</em> &amp; <span translate="no">keep <b>this</b> &lt;</span>.</div>'
        '<section translate="no"><p>All <span>of this</span> stays.</p></section><!-- note --></body></html>'
    )
    put(s3, "in/html/page.html", page)
    job = start(translate, "in/html/")
    standin.clock.advance(standin.queue_seconds + standin.job_seconds)
    translate.describe_text_translation_job(JobId=job)
    out = s3.get_object(Bucket=BUCKET, Key=f"out/{ACCOUNT}-TranslateText-{job}/zh.page.html")["Body"].read().decode()
    assert '<span translate="no">keep <b>this</b> &lt;</span>' in out
    assert '<section translate="no"><p>All <span>of this</span> stays.</p></section><!-- note -->' in out
    assert out.startswith('<html><body><div id="x1">[pseudo en→zh] Óútér <em>téxt</em> &amp; ')


def test_installed_on_the_default_session(s3: Any) -> None:
    service = TranslateStandIn(s3, clock=SimulatedClock())
    with service.installed():
        client = boto3.client("translate", region_name=REGION)
        assert client.translate_text(Text="Hi.", SourceLanguageCode="en", TargetLanguageCode="zh")["TranslatedText"]
    assert service.calls[0][0] == "TranslateText"
    assert service.hooks.events == []


def test_throttling_uses_the_real_error_name(translate: Any, standin: TranslateStandIn) -> None:
    standin.throttle(1, "ListTerminologies")
    translate.list_parallel_data()  # other operations are not affected
    with pytest.raises(ClientError) as info:
        translate.list_terminologies()
    assert error_of(info) == ("TooManyRequestsException", 429)
    translate.list_terminologies()


def test_direct_calls_raise_botocore_client_errors(standin: TranslateStandIn) -> None:
    with pytest.raises(ClientError) as info:
        standin.client_error("GetParallelData", {"Name": "absent"})
    assert error_of(info) == ("ResourceNotFoundException", 404)
    assert standin.client_error("ListParallelData", {})["ParallelDataPropertiesList"] == []
