"""Contract suite: the stand-in (on moto S3) answers the calls the state machine makes, for every status and error
path, and ``amts.translate.job_outputs`` reads what its jobs leave, as Assemble and Score do."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from amts.translate.job_outputs import TranslateServiceError
from amts.translate.parallel_data import build_parallel_data

from amts_local.standin import TranslateStandIn
from tests.integration.translate.conftest import ACCOUNT, BUCKET
from tests.integration.translate.jobs import describe, import_parallel_data, outputs, stage, start, wait

PAGE = (
    '<html><body><h1 id="s0001">Dataset</h1>'
    '<p id="s0002">We load <span translate="no">`data`</span> with <span translate="no">$n$</span> rows.</p>'
    "</body></html>"
)
OUT = f"s3://{BUCKET}/jobs/output/"


def parallel_data(s3: Any, key: str, extra: str = "") -> str:
    pairs = [("We load the data.", "我们加载数据。"), ("The model is trained.", "模型被训练。")]
    if extra:
        pairs.append((extra, "额外的句子。"))
    data, _ = build_parallel_data(pairs, "en", "zh")
    s3.put_object(Bucket=BUCKET, Key=key, Body=data)
    return f"s3://{BUCKET}/{key}"


def staged(s3: Any, run: str) -> str:
    return stage(s3, BUCKET, f"jobs/input/{run}/en-zh/", {"ch1.html": PAGE})


# ---------------------------------------------------------------------------------------------- parallel data


def test_parallel_data_is_created_then_updated_with_new_content(
    translate: Any, s3: Any, standin: TranslateStandIn
) -> None:
    created = import_parallel_data(translate, standin.clock, "book-en-zh", parallel_data(s3, "pd/a.csv"), update=False)
    assert (created["Status"], created["ImportedRecordCount"]) == ("ACTIVE", 2)
    newer = parallel_data(s3, "pd/b.csv", "One more line.")
    updated = import_parallel_data(translate, standin.clock, "book-en-zh", newer, update=True)
    assert (updated["Status"], updated["LatestUpdateAttemptStatus"]) == ("ACTIVE", "ACTIVE")
    assert (updated["ImportedRecordCount"], updated["ParallelDataConfig"]["S3Uri"]) == (3, newer)


def test_failed_import_is_explained_by_the_auxiliary_error_file(
    translate: Any, s3: Any, standin: TranslateStandIn
) -> None:
    s3.put_object(Bucket=BUCKET, Key="pd/bad.csv", Body="lang,zh\nfine,好\n=SUM(A1),x\n".encode())
    props = import_parallel_data(translate, standin.clock, "broken", f"s3://{BUCKET}/pd/bad.csv", update=False)
    assert props["Status"] == "FAILED"
    assert "not valid" in props["Message"]
    location = translate.get_parallel_data(Name="broken")["AuxiliaryDataLocation"]["Location"]
    with urllib.request.urlopen(location) as response:
        details = json.loads(response.read())
    assert details["summary"]["record_error_count"] >= 1
    assert {"content": "Line 1", "message": "header: 'lang' is not an Amazon Translate language code"} in details[
        "messages"
    ]


def test_injected_import_failure_and_failed_update_keep_the_active_data(
    translate: Any, s3: Any, standin: TranslateStandIn
) -> None:
    import_parallel_data(translate, standin.clock, "book-en-zh", parallel_data(s3, "pd/a.csv"), update=False)
    standin.fail_next_parallel_data("Injected: the file was refused.")
    changed = parallel_data(s3, "pd/b.csv", "Changed.")
    props = import_parallel_data(translate, standin.clock, "book-en-zh", changed, update=True)
    assert (props["Status"], props["LatestUpdateAttemptStatus"]) == ("ACTIVE", "FAILED")
    assert props["ImportedRecordCount"] == 2


# ---------------------------------------------------------------------------------------------- jobs


def test_job_goes_submitted_in_progress_completed_and_outputs_are_found(
    translate: Any, s3: Any, standin: TranslateStandIn
) -> None:
    job_id = start(translate, "run-1", staged(s3, "run-1"), OUT)
    state = describe(translate, job_id)
    assert (state.status, state.phase, state.terminal) == ("SUBMITTED", "pending", False)
    standin.clock.advance(standin.queue_seconds)
    assert describe(translate, job_id).status == "IN_PROGRESS"
    final = wait(translate, standin.clock, job_id)
    assert (final.status, final.phase) == ("COMPLETED", "succeeded")
    assert final.output_s3_uri == f"{OUT}{ACCOUNT}-TranslateText-{job_id}/"
    found = outputs(s3, final)
    key = found.documents["zh"]["ch1.html"]
    assert key.endswith(f"{ACCOUNT}-TranslateText-{job_id}/zh.ch1.html")
    html = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
    assert '<span translate="no">`data`</span>' in html
    assert '<h1 id="s0001">' in html
    assert found.characters_translated["zh"] == len("Dataset") + len("We load `data` with $n$ rows.")
    assert found.errors == []
    assert found.auxiliary["zh"]["engine"]["engines"] == ["pseudo"]


def test_a_retried_start_with_the_same_token_finds_the_same_job(translate: Any, s3: Any) -> None:
    uri = staged(s3, "run-2")
    assert start(translate, "run-2", uri, OUT) == start(translate, "run-2", uri, OUT)


def test_act_job_with_terminology_and_settings_uses_the_memory(
    translate: Any, s3: Any, standin: TranslateStandIn
) -> None:
    data, _ = build_parallel_data([("Dataset", "数据集"), ("We load the data.", "我们加载数据。")], "en", "zh")
    s3.put_object(Bucket=BUCKET, Key="pd/book.csv", Body=data)
    import_parallel_data(translate, standin.clock, "book-en-zh", f"s3://{BUCKET}/pd/book.csv", update=False)
    translate.import_terminology(
        Name="book-terms",
        MergeStrategy="OVERWRITE",
        TerminologyData={"File": "en,zh\nrows,行\n".encode(), "Format": "CSV"},
    )
    job_id = start(
        translate,
        "run-3",
        staged(s3, "run-3"),
        OUT,
        ParallelDataNames=["book-en-zh"],
        TerminologyNames=["book-terms"],
        Settings={"Formality": "FORMAL"},
    )
    aux = outputs(s3, wait(translate, standin.clock, job_id)).auxiliary["zh"]
    segments = {s["id"]: s["engine"] for s in aux["details"][0]["engine"]["segments"]}
    assert segments["s0001"] == "translation-memory (exact)"
    assert segments["s0002"] == "pseudo"
    assert aux["details"][0]["auxiliaryData"]["appliedTerminologies"] == [
        {"name": "book-terms", "terms": [{"sourceText": "rows", "targetText": "行"}]}
    ]
    html = s3.get_object(Bucket=BUCKET, Key=outputs(s3, describe(translate, job_id)).documents["zh"]["ch1.html"])
    assert '<h1 id="s0001">数据集</h1>' in html["Body"].read().decode()


def test_completed_with_error_names_the_documents(translate: Any, s3: Any, standin: TranslateStandIn) -> None:
    uri = stage(s3, BUCKET, "jobs/input/run-4/", {"a.html": PAGE, "b.html": PAGE})
    standin.finish_next_job_with_errors(["b.html"])
    final = wait(translate, standin.clock, start(translate, "run-4", uri, f"s3://{BUCKET}/out/", ("zh", "es")))
    assert (final.status, final.phase, final.terminal) == ("COMPLETED_WITH_ERROR", "partial", True)
    assert "b.html" in (final.message or "")
    assert final.details == {"TranslatedDocumentsCount": 1, "DocumentsWithErrorsCount": 1, "InputDocumentsCount": 2}
    found = outputs(s3, final)
    assert sorted(found.documents) == ["es", "zh"]
    assert list(found.documents["es"]) == ["a.html"]
    assert {(e.target_language, e.source_file) for e in found.errors} == {("zh", "b.html"), ("es", "b.html")}


def test_failed_job_has_a_message_and_no_outputs(translate: Any, s3: Any, standin: TranslateStandIn) -> None:
    standin.fail_next_job("Injected: the data access role cannot read the input.")
    final = wait(translate, standin.clock, start(translate, "run-5", staged(s3, "run-5"), OUT))
    assert (final.status, final.phase) == ("FAILED", "failed")
    assert final.message == "Injected: the data access role cannot read the input."
    with pytest.raises(TranslateServiceError, match="is FAILED; outputs exist only for COMPLETED"):
        outputs(s3, final)


def test_stop_requested_then_stopped(translate: Any, s3: Any, standin: TranslateStandIn) -> None:
    standin.slow_jobs(3600)
    job_id = start(translate, "run-6", staged(s3, "run-6"), OUT)
    translate.stop_text_translation_job(JobId=job_id)
    stopping = describe(translate, job_id)
    assert (stopping.status, stopping.phase, stopping.terminal) == ("STOP_REQUESTED", "stopping", False)
    final = wait(translate, standin.clock, job_id)
    assert (final.status, final.phase, final.terminal) == ("STOPPED", "stopped", True)


def test_long_job_stays_in_progress(translate: Any, s3: Any, standin: TranslateStandIn) -> None:
    standin.slow_jobs(2 * 24 * 3600)
    job_id = start(translate, "run-7", staged(s3, "run-7"), OUT)
    standin.clock.advance(24 * 3600)
    assert describe(translate, job_id).status == "IN_PROGRESS"
    standin.clock.advance(24 * 3600 + standin.queue_seconds)
    assert describe(translate, job_id).status == "COMPLETED"


def test_input_folder_rules_fail_the_job(translate: Any, s3: Any, standin: TranslateStandIn) -> None:
    s3.put_object(Bucket=BUCKET, Key="in/run-8/details/x.html", Body=b"<p>x</p>")
    nested = wait(translate, standin.clock, start(translate, "run-8", f"s3://{BUCKET}/in/run-8/", OUT))
    assert nested.status == "FAILED"
    assert "must not contain a folder named 'details'" in (nested.message or "")
    empty = wait(translate, standin.clock, start(translate, "run-9", f"s3://{BUCKET}/in/run-9/", OUT))
    assert (empty.status, "is empty" in (empty.message or "")) == ("FAILED", True)


def test_unknown_parallel_data_is_refused(translate: Any, s3: Any) -> None:
    with pytest.raises(translate.exceptions.ResourceNotFoundException):
        start(translate, "run-11", staged(s3, "run-11"), OUT, ParallelDataNames=["missing"])


def test_ten_concurrent_jobs_then_queue_or_refuse(translate: Any, s3: Any, standin: TranslateStandIn) -> None:
    jobs = [start(translate, f"run-q{i}", staged(s3, f"run-q{i}"), OUT) for i in range(11)]
    standin.clock.advance(standin.queue_seconds + 1)
    assert [describe(translate, j).status for j in jobs] == ["IN_PROGRESS"] * 10 + ["SUBMITTED"]
    standin.clock.advance(standin.job_seconds)
    assert describe(translate, jobs[0]).status == "COMPLETED"
    standin.clock.advance(standin.queue_seconds)
    assert describe(translate, jobs[10]).status == "IN_PROGRESS"

    standin.clock.advance(10 * standin.job_seconds)  # let the first batch finish
    assert all(describe(translate, j).status == "COMPLETED" for j in jobs)
    standin.reject_over_concurrency = True
    standin.slow_jobs(10**6)
    for i in range(10):
        start(translate, f"run-r{i}", staged(s3, f"run-r{i}"), OUT)
    with pytest.raises(translate.exceptions.TooManyRequestsException, match="limit of 10 concurrent batch"):
        start(translate, "run-r10", staged(s3, "run-r10"), OUT)


def test_auxiliary_details_file_has_the_documented_shape(translate: Any, s3: Any, standin: TranslateStandIn) -> None:
    found = outputs(s3, wait(translate, standin.clock, start(translate, "run-12", staged(s3, "run-12"), OUT)))
    _, prefix = found.output_s3_uri.split(f"{BUCKET}/", 1)
    body = s3.get_object(Bucket=BUCKET, Key=f"{prefix}details/zh.auxiliary-translation-details.json")
    aux = json.loads(body["Body"].read())
    for key in (
        "sourceLanguageCode",
        "targetLanguageCode",
        "charactersTranslated",
        "documentCountWithCustomerError",
        "documentCountWithServerError",
        "inputDataPrefix",
        "outputDataPrefix",
        "details",
    ):
        assert key in aux
    assert aux["details"][0]["sourceFile"] == "ch1.html"
    assert aux["details"][0]["targetFile"] == "zh.ch1.html"
