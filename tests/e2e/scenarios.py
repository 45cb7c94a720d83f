"""The pipeline scenarios the end-to-end tests run, in order, on one local stack.

A scenario is a function of the running ``PipelineRun``: it drives the stack (uploads, console starts) and leaves
what the tests look at in ``run.results``. Every AWS call any scenario makes is recorded (``runtime.calls``), so each
new scenario widens what the least-privilege proof sees: to cover a new path (a failed job, a terminology, a
parallel-data update), write a function here and append it to ``SCENARIOS``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amts import config
from amts.pipeline_config import PipelineConfig

from amts_local.bookrun import run_phase, start_and_wait, upload_languages
from amts_local.demo import DEMO_PAIRS, EVALUATED_CHAPTER, sent_texts
from amts_local.runtime import LocalRuntime, default_pipeline_config, local_pipeline_config
from amts_local.samplebook import CHAPTERS, NEW_CHAPTER, SOURCE_LANGUAGE, edited_new_chapter, write_sample_book

# en-zh runs with a custom terminology and its glossary, so the proof sees the terminology paths too.
TERMINOLOGY = "amts-en-zh-terms"
GLOSSARY_KEY = f"{config.CONFIG_PREFIX}glossary.en-zh.csv"
GLOSSARY = "en,zh\nweight decay,权重衰减\nloss function,损失函数\n"


def scenario_pipeline() -> PipelineConfig:
    """The configuration every scenario runs under (and the proof's template is synthesized with): the demo's
    pairs, en-zh with a terminology and the glossary it is built from."""
    base = default_pipeline_config()
    pairs = tuple(
        base.pair(key).model_copy(update={"terminology_name": TERMINOLOGY, "terminology_key": GLOSSARY_KEY})
        if key == "en-zh"
        else base.pair(key)
        for key in DEMO_PAIRS
    )
    return base.model_copy(update={"language_pairs": pairs})


def scenario_context() -> dict[str, Any]:
    """``scenario_pipeline`` as the cdk.json context CDK synthesizes the stack from."""
    context: dict[str, Any] = json.loads(scenario_pipeline().to_env_json())
    return {config.CDK_CONTEXT_PIPELINE: context}


@dataclass
class PipelineRun:
    runtime: LocalRuntime
    root: Path
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def bindings(self) -> dict[str, str]:
        """Environment variables and ASL placeholders with the local values (names for the template's resources)."""
        return {**self.runtime.function_environment(), **self.runtime.asl_substitutions()}


Scenario = Callable[[PipelineRun], None]


def terminology_imported(run: PipelineRun) -> None:
    """A person imports the en-zh terminology; its glossary file is not uploaded yet (Score notes it is missing)."""
    run.runtime.client("translate").import_terminology(
        Name=TERMINOLOGY,
        MergeStrategy="OVERWRITE",
        TerminologyData={"File": GLOSSARY.encode(), "Format": "CSV", "Directionality": "UNI"},
    )


def glossary_uploaded(run: PipelineRun) -> None:
    """The glossary the terminology is built from, uploaded outside book/ (nothing starts); later runs check it."""
    run.runtime.upload(GLOSSARY_KEY, GLOSSARY)


def whole_book_with_an_empty_chapter(run: PipelineRun) -> None:
    """The sample book in en/zh/es uploaded at once, plus an empty chapter the Starter rejects."""
    book = write_sample_book(run.root / "book")
    run.results["book"] = book.root
    run.results["book_bytes_before"] = {p: p.read_bytes() for p in book.root.rglob("*") if p.is_file()}
    runtime = run.runtime
    upload_book = upload_languages(runtime, book.root, ("en", "zh", "es"))

    def upload_book_and_an_empty_chapter() -> int:
        runtime.upload(f"{config.SOURCE_PREFIX}{SOURCE_LANGUAGE}/chapter_drafts/empty.md", b"")
        return upload_book() + 1

    run.results["first"] = run_phase(runtime, "translate", upload_book_and_an_empty_chapter)


def paragraph_edit_delivered_three_times(run: PipelineRun) -> None:
    """One paragraph edited; its event delivered three times (EventBridge and SQS deliver at least once)."""
    runtime = run.runtime
    edit_key = f"{config.SOURCE_PREFIX}{SOURCE_LANGUAGE}/{NEW_CHAPTER}"
    batches_before = len(runtime.stats.starter_batches)

    def upload_edit() -> int:
        runtime.upload(edit_key, edited_new_chapter())
        message = event_for(runtime, edit_key)
        for _ in range(2):
            runtime.client("sqs").send_message(QueueUrl=runtime.upload_queue_url, MessageBody=message)
        return 1

    run.results["second"] = second = run_phase(runtime, "sync", upload_edit)
    run.results["duplicate_batches"] = runtime.stats.starter_batches[batches_before:]
    run.results["sent"] = sent_texts(runtime, second)
    run.results["edit_key"] = edit_key


def late_duplicate(run: PipelineRun) -> None:
    """A late copy of the edit's event, after its run: nothing new is translated."""
    runtime, key = run.runtime, run.results["edit_key"]

    def redeliver() -> int:
        runtime.client("sqs").send_message(QueueUrl=runtime.upload_queue_url, MessageBody=event_for(runtime, key))
        return 1

    run.results["late"] = run_phase(runtime, "late duplicate", redeliver)


def evaluation_only(run: PipelineRun) -> None:
    """An evaluation-only run started from the console: whole chapters, scored, never published."""
    run.results["evaluation"] = start_and_wait(
        run.runtime,
        "evaluate",
        {"pairs": ["en-zh"], "chapters": [EVALUATED_CHAPTER], "publish": False, "evaluate": True},
        execution_name="e2e-evaluation",
    )


def human_translations_revised(run: PipelineRun) -> None:
    """A translator revises a chapter in zh and in es: both pairs' parallel data change (UpdateParallelData), and
    the revised human chapters are kept."""
    runtime = run.runtime
    chapter = next(path for path, versions in CHAPTERS.items() if "zh" in versions and "es" in versions)
    revised = {lang: CHAPTERS[chapter][lang].rstrip("\n") + "\n\n" + note for lang, note in REVISION_NOTES.items()}

    def upload_revisions() -> int:
        for lang, text in revised.items():
            runtime.upload(f"{config.SOURCE_PREFIX}{lang}/{chapter}", text)
        return len(revised)

    run.results["revised"] = run_phase(runtime, "human revisions", upload_revisions)
    run.results["revised_chapter"] = chapter


REVISION_NOTES = {"zh": "译者补充了一段说明。", "es": "El traductor añadió una nota."}


def a_failed_job(run: PipelineRun) -> None:
    """A Translate job that fails: its pair is recorded as failed, the run ends in PairsFailed."""
    runtime = run.runtime
    assert runtime.translate is not None
    runtime.translate.fail_next_job("Injected: the job could not be processed.")
    run.results["failed_job"] = start_and_wait(
        runtime,
        "failed job",
        {"pairs": ["en-es"], "chapters": [EVALUATED_CHAPTER], "publish": False, "evaluate": True},
        execution_name="e2e-failed-job",
    )


def refused_by_the_cost_guard(run: PipelineRun) -> None:
    """A run over its per-run cap: refused before any job folder is written, nothing sent."""
    runtime = run.runtime
    budget = runtime.pipeline.budget
    runtime.reconfigure_functions(
        runtime.pipeline.model_copy(update={"budget": budget.model_copy(update={"max_cost_usd_per_run": 0.000001})})
    )
    try:
        run.results["refused"] = start_and_wait(
            runtime,
            "over budget",
            {"pairs": ["en-zh"], "chapters": [EVALUATED_CHAPTER], "publish": False, "evaluate": True},
            execution_name="e2e-over-budget",
        )
    finally:
        runtime.reconfigure_functions(runtime.pipeline.model_copy(update={"budget": budget}))


def unsafe_keys_uploaded(run: PipelineRun) -> None:
    """Uploads with a backslash and a traversal in their keys: each rejected on its own, nothing starts."""
    runtime = run.runtime
    bad = [f"{config.SOURCE_PREFIX}en/a\\b.md", f"{config.SOURCE_PREFIX}en/x/../../../reports/evil.md"]

    def upload_bad() -> int:
        for key in bad:
            runtime.upload(key, "# Title\n\nA sentence.\n")
        return len(bad)

    run.results["unsafe"] = run_phase(runtime, "unsafe keys", upload_bad)


SCENARIOS: tuple[Scenario, ...] = (
    terminology_imported,
    whole_book_with_an_empty_chapter,
    glossary_uploaded,
    paragraph_edit_delivered_three_times,
    late_duplicate,
    evaluation_only,
    human_translations_revised,
    a_failed_job,
    refused_by_the_cost_guard,
    unsafe_keys_uploaded,
)


@contextmanager
def pipeline_run(root: Path, scenarios: Sequence[Scenario] = SCENARIOS) -> Iterator[PipelineRun]:
    """Run ``scenarios`` in order on one local stack (the demo's pairs) and keep the stack up while in use."""
    with LocalRuntime(pipeline=local_pipeline_config(scenario_pipeline())) as runtime:
        run = PipelineRun(runtime, root)
        for scenario in scenarios:
            scenario(run)
        yield run


def event_for(runtime: LocalRuntime, key: str) -> str:
    """The EventBridge event S3 sent for the current version of ``key`` (as it sits in the queue)."""
    head = runtime.client("s3").head_object(Bucket=runtime.names.input_bucket, Key=key)
    return json.dumps(
        {
            "version": "0",
            "id": "11111111-2222-3333-4444-555555555555",
            "detail-type": "Object Created",
            "source": "aws.s3",
            "account": runtime.names.account,
            "time": "2026-11-25T00:00:00Z",
            "region": runtime.names.region,
            "resources": [f"arn:aws:s3:::{runtime.names.input_bucket}"],
            "detail": {
                "version": "0",
                "bucket": {"name": runtime.names.input_bucket},
                "object": {
                    "key": key,
                    "size": head["ContentLength"],
                    "etag": head["ETag"].strip('"'),
                    "version-id": head.get("VersionId"),
                    "sequencer": "0062E99A88DC407460",
                },
                "request-id": "R",
                "requester": runtime.names.account,
                "reason": "PutObject",
            },
        }
    )
