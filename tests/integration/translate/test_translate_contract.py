"""Contract suite: the adapter against the stand-in (on moto S3), for every status and error path."""

from __future__ import annotations

import json
from typing import Any

import pytest
from amts.errors import InputError
from amts.translate.adapter import (
    BudgetExceededError,
    JobRequest,
    ParallelDataFailedError,
    TranslateAdapter,
    TranslateServiceError,
)
from amts.translate.parallel_data import build_parallel_data
from amts.translate.standin import TranslateStandIn

from tests.integration.translate.conftest import ACCOUNT, BUCKET, ROLE

PAGE = (
    '<html><body><h1 id="s0001">Dataset</h1>'
    '<p id="s0002">We load <span translate="no">`data`</span> with <span translate="no">$n$</span> rows.</p>'
    "</body></html>"
)


def parallel_data(extra: str = "") -> bytes:
    pairs = [("We load the data.", "我们加载数据。"), ("The model is trained.", "模型被训练。")]
    if extra:
        pairs.append((extra, "额外的句子。"))
    data, _ = build_parallel_data(pairs, "en", "zh")
    return data


def job_request(adapter: TranslateAdapter, run: str, **overrides: Any) -> JobRequest:
    uri = adapter.stage_documents(f"s3://{BUCKET}/jobs/input/{run}/en-zh/", {"ch1.html": PAGE})
    fields: dict[str, Any] = {
        "execution_id": run,
        "source_language": "en",
        "target_languages": ("zh",),
        "input_s3_uri": uri,
        "output_s3_uri": f"s3://{BUCKET}/jobs/output/",
        "data_access_role_arn": ROLE,
    }
    fields.update(overrides)
    return JobRequest(**fields)


def operations(standin: TranslateStandIn) -> list[str]:
    return [name for name, _ in standin.calls]


# ---------------------------------------------------------------------------------------------- parallel data


def test_parallel_data_is_created_then_skipped_when_unchanged_then_updated(
    adapter: TranslateAdapter, standin: TranslateStandIn
) -> None:
    created = adapter.ensure_parallel_data("book-en-zh", parallel_data(), fmt="CSV", bucket=BUCKET)
    assert (created.action, created.status, created.imported_records) == ("created", "ACTIVE", 2)
    create_call = next(params for name, params in standin.calls if name == "CreateParallelData")
    assert create_call["ClientToken"] == f"pd-{created.content_sha256[:60]}"
    assert created.content_sha256 in create_call["Description"]

    standin.calls.clear()
    again = adapter.ensure_parallel_data("book-en-zh", parallel_data(), fmt="CSV", bucket=BUCKET)
    assert again.action == "unchanged"
    assert operations(standin) == ["GetParallelData"]

    updated = adapter.ensure_parallel_data("book-en-zh", parallel_data("One more line."), fmt="CSV", bucket=BUCKET)
    assert (updated.action, updated.status, updated.imported_records) == ("updated", "ACTIVE", 3)
    assert "UpdateParallelData" in operations(standin)


def test_one_import_at_a_time_means_retry_with_backoff(
    adapter: TranslateAdapter, standin: TranslateStandIn, translate: Any, s3: Any
) -> None:
    s3.put_object(Bucket=BUCKET, Key="pd/other.csv", Body=parallel_data())
    translate.create_parallel_data(
        Name="other", ParallelDataConfig={"S3Uri": f"s3://{BUCKET}/pd/other.csv", "Format": "CSV"}
    )
    result = adapter.ensure_parallel_data("book-en-zh", parallel_data(), fmt="CSV", bucket=BUCKET)
    assert result.status == "ACTIVE"
    assert adapter.retries >= 1
    refused = [p for n, p in standin.calls if n == "CreateParallelData" and p.get("Name") == "book-en-zh"]
    assert len(refused) == adapter.retries + 1  # the same request, same token, until the quota frees


def test_update_waits_for_a_running_import_of_the_same_resource(
    adapter: TranslateAdapter, standin: TranslateStandIn, translate: Any, s3: Any
) -> None:
    s3.put_object(Bucket=BUCKET, Key="pd/book.csv", Body=parallel_data())
    translate.create_parallel_data(
        Name="book-en-zh", ParallelDataConfig={"S3Uri": f"s3://{BUCKET}/pd/book.csv", "Format": "CSV"}
    )
    result = adapter.ensure_parallel_data("book-en-zh", parallel_data("Newer."), fmt="CSV", bucket=BUCKET)
    assert result.action == "updated"
    assert result.imported_records == 3


def test_failed_import_is_explained_from_the_auxiliary_error_file(adapter: TranslateAdapter) -> None:
    bad = "en,zh\nfine,好\n=SUM(A1),x\n".encode()
    with pytest.raises(ParallelDataFailedError) as info:
        adapter.ensure_parallel_data("broken", b"lang,zh\n" + bad, fmt="CSV", bucket=BUCKET)
    message = str(info.value)
    assert "could not import parallel data 'broken'" in message
    assert "Line 1: header: 'lang' is not an Amazon Translate language code" in message
    assert info.value.details["summary"]["record_error_count"] >= 1


def test_injected_import_failure_and_failed_update_keep_the_active_data(
    adapter: TranslateAdapter, standin: TranslateStandIn, translate: Any
) -> None:
    adapter.ensure_parallel_data("book-en-zh", parallel_data(), fmt="CSV", bucket=BUCKET)
    standin.fail_next_parallel_data("Injected: the file was refused.")
    with pytest.raises(ParallelDataFailedError, match="Injected: the file was refused"):
        adapter.ensure_parallel_data("book-en-zh", parallel_data("Changed."), fmt="CSV", bucket=BUCKET)
    props = translate.get_parallel_data(Name="book-en-zh")["ParallelDataProperties"]
    assert (props["Status"], props["LatestUpdateAttemptStatus"]) == ("ACTIVE", "FAILED")
    assert props["ImportedRecordCount"] == 2


def test_throttling_is_retried_then_surfaced_in_plain_words(
    adapter: TranslateAdapter, standin: TranslateStandIn
) -> None:
    standin.throttle(3)
    adapter.ensure_parallel_data("book-en-zh", parallel_data(), fmt="CSV", bucket=BUCKET)
    assert adapter.retries == 3
    impatient = TranslateAdapter(adapter.translate, adapter.s3, max_attempts=2, sleep=standin.clock.advance)
    standin.throttle(5, "DescribeTextTranslationJob")
    with pytest.raises(TranslateServiceError, match=r"throttling requests \(too many requests\) \(gave up after 2"):
        impatient.describe_job("0" * 32)


def test_bad_parallel_data_name_is_refused_before_any_call(
    adapter: TranslateAdapter, standin: TranslateStandIn
) -> None:
    with pytest.raises(InputError, match="must match"):
        adapter.ensure_parallel_data("book.en zh", parallel_data(), fmt="CSV", bucket=BUCKET)
    assert standin.calls == []


# ---------------------------------------------------------------------------------------------- jobs


def test_job_goes_submitted_in_progress_completed_and_outputs_are_found(
    adapter: TranslateAdapter, standin: TranslateStandIn
) -> None:
    request = job_request(adapter, "run-1")
    state = adapter.start_job(request)
    assert (state.status, state.phase, state.terminal) == ("SUBMITTED", "pending", False)
    standin.clock.advance(standin.queue_seconds)
    assert adapter.describe_job(state.job_id).status == "IN_PROGRESS"
    final = adapter.wait_for_job(state.job_id)
    assert (final.status, final.phase) == ("COMPLETED", "succeeded")
    assert final.output_s3_uri == f"s3://{BUCKET}/jobs/output/{ACCOUNT}-TranslateText-{state.job_id}/"
    outputs = adapter.job_outputs(final)
    key = outputs.documents["zh"]["ch1.html"]
    assert key.endswith(f"{ACCOUNT}-TranslateText-{state.job_id}/zh.ch1.html")
    html = adapter.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
    assert '<span translate="no">`data`</span>' in html
    assert '<h1 id="s0001">' in html
    assert outputs.characters_translated["zh"] == len("Dataset") + len("We load `data` with $n$ rows.")
    assert outputs.errors == []
    assert outputs.auxiliary["zh"]["amtsStandIn"]["engines"] == ["pseudo"]
    start = next(p for n, p in standin.calls if n == "StartTextTranslationJob")
    assert "ParallelDataNames" not in start
    assert "TerminologyNames" not in start
    assert "Settings" not in start


def test_a_retried_execution_finds_the_same_job(adapter: TranslateAdapter) -> None:
    request = job_request(adapter, "run-2")
    first = adapter.start_job(request)
    second = adapter.start_job(request)
    assert first.job_id == second.job_id


def test_act_job_with_terminology_and_settings_uses_the_memory(
    adapter: TranslateAdapter, standin: TranslateStandIn, translate: Any
) -> None:
    pairs = [("Dataset", "数据集"), ("We load the data.", "我们加载数据。")]
    data, _ = build_parallel_data(pairs, "en", "zh", config=None)
    adapter.ensure_parallel_data("book-en-zh", data, fmt="CSV", bucket=BUCKET)
    translate.import_terminology(
        Name="book-terms",
        MergeStrategy="OVERWRITE",
        TerminologyData={"File": "en,zh\nrows,行\n".encode(), "Format": "CSV"},
    )
    request = job_request(
        adapter, "run-3", parallel_data_name="book-en-zh", terminology_name="book-terms", formality="FORMAL"
    )
    final = adapter.wait_for_job(adapter.start_job(request).job_id)
    start = next(p for n, p in standin.calls if n == "StartTextTranslationJob")
    assert start["ParallelDataNames"] == ["book-en-zh"]
    assert start["TerminologyNames"] == ["book-terms"]
    assert start["Settings"] == {"Formality": "FORMAL"}
    outputs = adapter.job_outputs(final)
    aux = outputs.auxiliary["zh"]
    segments = {s["id"]: s["engine"] for s in aux["details"][0]["amtsStandIn"]["segments"]}
    assert segments["s0001"] == "translation-memory (exact)"
    assert segments["s0002"] == "pseudo"
    assert aux["details"][0]["auxiliaryData"]["appliedTerminologies"] == [
        {"name": "book-terms", "terms": [{"sourceText": "rows", "targetText": "行"}]}
    ]
    html = adapter.s3.get_object(Bucket=BUCKET, Key=outputs.documents["zh"]["ch1.html"])["Body"].read().decode()
    assert '<h1 id="s0001">数据集</h1>' in html


def test_completed_with_error_names_the_documents(adapter: TranslateAdapter, standin: TranslateStandIn) -> None:
    uri = adapter.stage_documents(f"s3://{BUCKET}/jobs/input/run-4/", {"a.html": PAGE, "b.html": PAGE})
    standin.finish_next_job_with_errors(["b.html"])
    request = JobRequest("run-4", "en", ("zh", "es"), uri, f"s3://{BUCKET}/out/", ROLE)
    final = adapter.wait_for_job(adapter.start_job(request).job_id)
    assert (final.status, final.phase, final.terminal) == ("COMPLETED_WITH_ERROR", "partial", True)
    assert "b.html" in (final.message or "")
    assert final.details == {"TranslatedDocumentsCount": 1, "DocumentsWithErrorsCount": 1, "InputDocumentsCount": 2}
    outputs = adapter.job_outputs(final)
    assert sorted(outputs.documents) == ["es", "zh"]
    assert list(outputs.documents["es"]) == ["a.html"]
    assert {(e.target_language, e.source_file) for e in outputs.errors} == {("zh", "b.html"), ("es", "b.html")}


def test_failed_job_has_a_message_and_no_outputs(adapter: TranslateAdapter, standin: TranslateStandIn) -> None:
    standin.fail_next_job("Injected: the data access role cannot read the input.")
    final = adapter.wait_for_job(adapter.start_job(job_request(adapter, "run-5")).job_id)
    assert (final.status, final.phase) == ("FAILED", "failed")
    assert final.message == "Injected: the data access role cannot read the input."
    with pytest.raises(TranslateServiceError, match="is FAILED; outputs exist only for COMPLETED"):
        adapter.job_outputs(final)


def test_stop_requested_then_stopped(adapter: TranslateAdapter, standin: TranslateStandIn) -> None:
    standin.slow_jobs(3600)
    state = adapter.start_job(job_request(adapter, "run-6"))
    stopping = adapter.stop_job(state.job_id)
    assert (stopping.status, stopping.phase, stopping.terminal) == ("STOP_REQUESTED", "stopping", False)
    final = adapter.wait_for_job(state.job_id)
    assert (final.status, final.phase, final.terminal) == ("STOPPED", "stopped", True)


def test_long_job_stays_in_progress(adapter: TranslateAdapter, standin: TranslateStandIn) -> None:
    standin.slow_jobs(2 * 24 * 3600)
    state = adapter.start_job(job_request(adapter, "run-7"))
    standin.clock.advance(24 * 3600)
    assert adapter.describe_job(state.job_id).status == "IN_PROGRESS"
    standin.clock.advance(24 * 3600 + standin.queue_seconds)
    assert adapter.describe_job(state.job_id).status == "COMPLETED"


def test_input_folder_rules(adapter: TranslateAdapter, s3: Any) -> None:
    with pytest.raises(InputError, match="bucket root"):
        adapter.stage_documents(f"s3://{BUCKET}/", {"a.html": PAGE})
    with pytest.raises(InputError, match="'details' folder"):
        adapter.stage_documents(f"s3://{BUCKET}/in/run/", {"details/a.html": PAGE})
    s3.put_object(Bucket=BUCKET, Key="in/run-8/details/x.html", Body=b"<p>x</p>")
    request = JobRequest("run-8", "en", ("zh",), f"s3://{BUCKET}/in/run-8/", f"s3://{BUCKET}/out/", ROLE)
    with pytest.raises(InputError, match="holds a 'details' folder"):
        adapter.start_job(request)
    empty = JobRequest("run-9", "en", ("zh",), f"s3://{BUCKET}/in/run-9/", f"s3://{BUCKET}/out/", ROLE)
    with pytest.raises(InputError, match="is empty"):
        adapter.start_job(empty)


def test_budget_guard_refuses_before_the_job_starts(adapter: TranslateAdapter, standin: TranslateStandIn) -> None:
    guarded = TranslateAdapter(adapter.translate, adapter.s3, budget_usd=0.000001, sleep=standin.clock.advance)
    request = job_request(adapter, "run-10", parallel_data_name="book-en-zh")
    estimate = guarded.estimate_cost({"ch1.html": PAGE}, request)
    assert estimate.uses_parallel_data
    with pytest.raises(BudgetExceededError, match="over the budget"):
        guarded.start_job(request, estimate=estimate)
    assert "StartTextTranslationJob" not in operations(standin)


def test_unknown_parallel_data_is_a_plain_error(adapter: TranslateAdapter) -> None:
    with pytest.raises(TranslateServiceError, match="the named resource does not exist"):
        adapter.start_job(job_request(adapter, "run-11", parallel_data_name="missing"))


def test_ten_concurrent_jobs_then_queue_or_refuse(adapter: TranslateAdapter, standin: TranslateStandIn) -> None:
    jobs = [adapter.start_job(job_request(adapter, f"run-q{i}")) for i in range(11)]
    standin.clock.advance(standin.queue_seconds + 1)
    statuses = [adapter.describe_job(j.job_id).status for j in jobs]
    assert statuses == ["IN_PROGRESS"] * 10 + ["SUBMITTED"]
    standin.clock.advance(standin.job_seconds)
    assert adapter.describe_job(jobs[0].job_id).status == "COMPLETED"
    standin.clock.advance(standin.queue_seconds)
    assert adapter.describe_job(jobs[10].job_id).status == "IN_PROGRESS"

    standin.clock.advance(10 * standin.job_seconds)  # let the first batch finish
    assert all(adapter.describe_job(j.job_id).status == "COMPLETED" for j in jobs)
    standin.reject_over_concurrency = True
    standin.slow_jobs(10**6)
    for i in range(10):
        adapter.start_job(job_request(adapter, f"run-r{i}"))
    impatient = TranslateAdapter(adapter.translate, adapter.s3, max_attempts=2, sleep=lambda _: None)
    with pytest.raises(TranslateServiceError, match="limit of 10 concurrent batch translation jobs"):
        impatient.start_job(job_request(adapter, "run-r10"))


def test_auxiliary_details_file_has_the_documented_shape(adapter: TranslateAdapter) -> None:
    final = adapter.wait_for_job(adapter.start_job(job_request(adapter, "run-12")).job_id)
    outputs = adapter.job_outputs(final)
    _, prefix = outputs.output_s3_uri.split(f"{BUCKET}/", 1)
    body = adapter.s3.get_object(Bucket=BUCKET, Key=f"{prefix}details/zh.auxiliary-translation-details.json")
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
