"""Pure parts of the workflow: the execution input model, execution names, polling schedules, sample inputs."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from amts.errors import InputError
from amts.pipeline_config import PipelineConfig, PollSchedule, load_pipeline_config_from_cdk_json
from amts_steps.plan import (
    HISTORY_EVENT_LIMIT,
    history_events_worst_case,
    parse_run_input,
    plan_run,
    poll_plan,
    wait_schedule,
)
from amts_steps.plan_models import RunInput, SourceObject
from amts_steps.starter import execution_name, run_input_for

REPO = Path(__file__).resolve().parents[3]


def pipeline(**overrides: Any) -> PipelineConfig:
    data: dict[str, Any] = {"language_pairs": [{"source": "en", "target": "zh"}, {"source": "en", "target": "es"}]}
    data.update(overrides)
    return PipelineConfig.model_validate(data)


class FakeS3:
    """Just enough of an S3 client for listing the book and reading the book's rename map."""

    class exceptions:  # mirrors boto3's client.exceptions namespace
        class NoSuchKey(Exception):
            pass

    def __init__(self, keys: list[str], objects: dict[str, str] | None = None) -> None:
        self.keys = keys
        self.objects = objects or {}

    def get_object(self, Bucket: str, Key: str) -> dict[str, Any]:
        if Key not in self.objects:
            raise self.exceptions.NoSuchKey(Key)
        return {"Body": io.BytesIO(self.objects[Key].encode())}

    def get_paginator(self, name: str) -> Any:
        keys = self.keys

        class Paginator:
            def paginate(self, Bucket: str, Prefix: str) -> list[dict[str, Any]]:
                return [{"Contents": [{"Key": key} for key in keys if key.startswith(Prefix)]}]

        return Paginator()


def test_empty_input_means_whole_book_every_pair() -> None:
    plan = plan_run(
        {},
        execution_name="run-1",
        pipeline=pipeline(),
        s3_client=FakeS3(["book/en/a.md", "book/en/b/c.md", "book/zh/a.md"]),
        input_bucket="in",
    )
    assert [task.pair_name for task in plan.pairs] == ["en-zh", "en-es"]
    assert all(task.chapters is None and task.chapter_count == 2 for task in plan.pairs)
    assert plan.report_prefix == "reports/run-1/"
    assert len({task.client_token for task in plan.pairs}) == 2


def test_bad_input_lists_every_problem_at_once() -> None:
    with pytest.raises(InputError) as caught:
        parse_run_input({"pairs": ["en-xx"], "chapters": ["/abs.md", "x.txt"], "colour": "blue"})
    message = str(caught.value)
    assert "bad language pair 'en-xx'" in message
    assert "bad chapter path '/abs.md'" in message
    assert "colour: Extra inputs are not permitted" in message


def test_unconfigured_pair_and_missing_chapter_are_named() -> None:
    s3 = FakeS3(["book/en/a.md"])
    with pytest.raises(InputError, match="'en-ja' is not configured; configured pairs: en-zh, en-es"):
        plan_run({"pairs": ["en-ja"]}, execution_name="r", pipeline=pipeline(), s3_client=s3, input_bucket="in")
    with pytest.raises(InputError, match=r"not found under s3://in/book/en/: b\.md"):
        plan_run({"chapters": ["b.md"]}, execution_name="r", pipeline=pipeline(), s3_client=s3, input_bucket="in")


def test_a_translation_without_its_source_chapter_is_left_alone_and_reported() -> None:
    # Given a batch that uploaded a chapter and a Chinese file the English book does not have (a translator's note)
    s3 = FakeS3(["book/en/a.md", "book/zh/a.md", "book/zh/notes.md"])
    # When the run is planned for those uploads
    plan = plan_run(
        {"chapters": ["a.md", "notes.md"]}, execution_name="r", pipeline=pipeline(), s3_client=s3, input_bucket="in"
    )
    # Then every pair translates the chapter, and the translation-only file is skipped with its reason
    assert [(task.pair_name, task.chapters) for task in plan.pairs] == [("en-zh", ["a.md"]), ("en-es", ["a.md"])]
    assert [(item.key, item.reason) for item in plan.skipped_keys] == [
        ("book/zh/notes.md", "a translation without a book/en/notes.md: left alone")
    ]
    # and a batch of nothing but such files plans no pair at all
    alone = plan_run(
        {"chapters": ["notes.md"]}, execution_name="r", pipeline=pipeline(), s3_client=s3, input_bucket="in"
    )
    assert alone.pairs == []
    assert [item.key for item in alone.skipped_keys] == ["book/zh/notes.md"]


def test_renames_come_from_the_book_map_and_the_input_which_wins() -> None:
    # Given a book whose map says two chapters moved, and an execution input that says one of them differently
    s3 = FakeS3(
        ["book/en/new/a.md", "book/en/new/b.md"],
        {"config/renames.tsv": "# moved in v2\nold/a.md\tnew/a.md\nold/b.md new/b.md\ngone/c.md new/c.md\n"},
    )
    plan = plan_run(
        {"renames": {"older/b.md": "new/b.md"}},
        execution_name="r",
        pipeline=pipeline(),
        s3_client=s3,
        input_bucket="in",
    )
    # Then every pair gets new path -> old path, the input's entry first, and a map entry for a chapter the book
    # does not have is left out
    assert plan.pairs[0].renames == {"new/a.md": "old/a.md", "new/b.md": "older/b.md"}


def test_a_rename_to_a_missing_chapter_or_a_broken_map_is_named() -> None:
    s3 = FakeS3(["book/en/a.md"])
    with pytest.raises(InputError, match=r"renames names chapter\(s\) not found under s3://in/book/en/: z\.md"):
        plan_run(
            {"renames": {"y.md": "z.md"}}, execution_name="r", pipeline=pipeline(), s3_client=s3, input_bucket="in"
        )
    broken = FakeS3(["book/en/a.md"], {"config/renames.tsv": "only-one-path.md\n"})
    with pytest.raises(InputError, match=r"s3://in/config/renames.tsv:1: expected two chapter paths"):
        plan_run({}, execution_name="r", pipeline=pipeline(), s3_client=broken, input_bucket="in")


def test_wait_schedule_is_capped_exponential_and_spends_the_max_wait() -> None:
    schedule = PollSchedule(initial_seconds=60, max_seconds=1800, backoff_rate=2.0, max_wait_seconds=4 * 86_400)
    waits = wait_schedule(schedule)
    assert waits[:6] == [60, 120, 240, 480, 960, 1800]
    assert max(waits) == 1800
    assert sum(waits) >= 4 * 86_400
    assert sum(waits[:-1]) < 4 * 86_400
    assert len(waits) == schedule.worst_case_polls()


def test_the_default_config_fits_a_three_day_job_inside_the_history_limit() -> None:
    config = load_pipeline_config_from_cdk_json(REPO / "cdk.json")
    plan = plan_run({}, execution_name="r", pipeline=config, s3_client=FakeS3(["book/en/a.md"]), input_bucket="in")
    assert sum(poll_plan(config).job.schedule) >= 3 * 86_400
    assert plan.history_events_worst_case < HISTORY_EVENT_LIMIT


def test_too_many_pairs_for_the_history_limit_is_refused() -> None:
    targets = ["zh", "es", "fr", "de", "ja", "ko", "it", "pt", "ru", "ar", "hi", "tr"]
    slow = {
        "translation_job": {"initial_seconds": 60, "max_seconds": 600, "backoff_rate": 2.0, "max_wait_seconds": 345600}
    }
    config = pipeline(language_pairs=[{"source": "en", "target": t} for t in targets], polling=slow)
    with pytest.raises(InputError, match="history events"):
        plan_run({}, execution_name="r", pipeline=config, s3_client=FakeS3(["book/en/a.md"]), input_bucket="in")
    plan = plan_run(
        {"pairs": ["en-zh"]}, execution_name="r", pipeline=config, s3_client=FakeS3(["book/en/a.md"]), input_bucket="in"
    )
    assert history_events_worst_case(plan.pairs, plan.poll) < HISTORY_EVENT_LIMIT


def test_execution_name_is_deterministic_short_and_allowed() -> None:
    objects = [SourceObject(key="book/en/ä b/c.md", version_id="v1"), SourceObject(key="book/en/a.md", version_id="v2")]
    name = execution_name(objects)
    assert name == execution_name(list(reversed(objects)) + objects[:1])
    assert re.fullmatch(r"[0-9A-Za-z_-]{1,80}", name)
    assert name != execution_name([SourceObject(key="book/en/a.md", version_id="v3"), objects[0]])


def test_a_translation_upload_syncs_only_the_pairs_into_its_language() -> None:
    run = run_input_for([SourceObject(key="book/es/a.md")], pipeline=pipeline())
    assert run is not None
    assert run.pairs == ["en-es"]
    assert run.chapters == ["a.md"]


@pytest.mark.parametrize("sample", sorted((REPO / "statemachine").glob("*.input.json")), ids=lambda p: p.name)
def test_sample_execution_inputs_are_valid(sample: Path) -> None:
    RunInput.model_validate(json.loads(sample.read_text(encoding="utf-8")))


def test_a_lambda_error_is_reported_by_its_message() -> None:
    from amts_steps.run_report import readable_cause

    lambda_error = json.dumps({"errorType": "InputError", "errorMessage": "a.md:3: bad", "stackTrace": ["x"] * 50})
    assert readable_cause(lambda_error) == "InputError: a.md:3: bad"
    assert readable_cause("plain words") == "plain words"
    assert readable_cause(None) == "no cause given"
    assert len(readable_cause("x" * 5000)) == 1000


def test_a_huge_drop_stays_under_the_execution_input_limit() -> None:
    uploads = [
        SourceObject(key=f"book/en/chapter_{i:04d}/section_with_a_long_name.md", version_id="x" * 32)
        for i in range(3000)
    ]
    run = run_input_for(uploads, pipeline=pipeline())
    assert run is not None
    assert run.chapters is None  # the whole book, synchronized
    assert run.trigger_total == 3000
    assert len(run.model_dump_json(exclude_none=True).encode()) < 64 * 1024


def test_a_plan_too_large_for_a_payload_is_refused() -> None:
    chapters = [f"chapter_{i:04d}/a_section_with_a_rather_long_file_name.md" for i in range(2500)]
    s3 = FakeS3([f"book/en/{c}" for c in chapters])
    with pytest.raises(InputError, match="too large for a Step Functions payload"):
        plan_run({"chapters": chapters}, execution_name="r", pipeline=pipeline(), s3_client=s3, input_bucket="in")


def test_the_plan_request_event_is_what_the_state_machine_sends() -> None:
    from amts_steps.plan_models import PlanRequest

    event = json.loads((REPO / "tests" / "events" / "plan_request.json").read_text(encoding="utf-8"))
    request = PlanRequest.model_validate(event)
    assert parse_run_input(request.input).pairs == ["en-zh"]
    text = (REPO / "statemachine" / "pipeline.asl.json").read_text(encoding="utf-8")
    asl = json.loads(re.sub(r"\$\{[A-Za-z0-9_]+\}", "0", text))
    assert set(asl["States"]["Plan"]["Parameters"]) == {f"{name}.$" for name in PlanRequest.model_fields}
