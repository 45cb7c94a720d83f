"""Run a book through the local pipeline: upload, watch the executions, collect outputs, bill the jobs.

Used by ``amts run`` (a person's own book), ``amts demo`` (the sample book) and the benchmark. A book is a
folder per language code with the same relative paths (``en/``, ``zh/`` ...). Every phase goes through the
real upload path (S3 -> EventBridge -> SQS -> Starter -> execution); results are read back from the output
bucket and the Translate jobs' auxiliary files, and written under the output folder atomically.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amts import config
from amts.book import chapter_of, markdown_files
from amts.errors import InputError
from amts.evaluate import RunReport, render_html, render_markdown
from amts.evaluate.models import ReviewSegment
from amts.evaluate.review_page import render_review_page
from amts.evaluate.review_totals import effort_line, review_line, review_totals
from amts.fsio import list_files, os_input_error, write_atomic
from amts.languages import LanguagePair
from amts.sync.review_rows import folder_rows
from amts.translate.job_outputs import recorded_engine
from amts.translate.rules import parse_s3_uri
from amts_steps.run_report import REVIEW_PAGE

from amts_local.runtime import LocalRuntime, ProgressEvent

ProgressSink = Callable[[ProgressEvent], None]


@dataclass(frozen=True)
class JobBilling:
    """One Translate batch job of a run: what it was sent and what it costs."""

    job_name: str
    pair: str
    act: bool
    status: str
    characters: int
    engines: tuple[str, ...]
    usd: float


@dataclass
class PhaseResult:
    """One execution of the pipeline (a phase of a scenario)."""

    name: str
    execution_arn: str | None
    status: str
    error: str | None
    cause: str | None
    seconds: float
    state_transitions: int
    jobs: list[JobBilling] = field(default_factory=list)
    notifications: list[dict[str, Any]] = field(default_factory=list)
    uploads: int = 0

    @property
    def characters(self) -> int:
        return sum(job.characters for job in self.jobs)

    @property
    def usd(self) -> float:
        return round(sum(job.usd for job in self.jobs), 6)


def book_languages(book_dir: Path) -> list[str]:
    """The language folders of a book (checked to exist and to hold markdown)."""
    if book_dir.exists() and not book_dir.is_dir():
        raise InputError("is a file, expected a folder (the book: one sub-folder per language)", path=str(book_dir))
    if not book_dir.is_dir():
        raise InputError("book folder not found", path=str(book_dir))
    try:
        folders = sorted(p for p in book_dir.iterdir() if p.is_dir())
    except OSError as exc:
        raise os_input_error(exc, book_dir, doing="cannot list the book folder") from None
    languages = [p.name for p in folders if markdown_files(p)]
    if not languages:
        raise InputError("no language folders with markdown files (expected e.g. en/, zh/)", path=str(book_dir))
    return languages


def check_book(book_dir: Path, pairs: Sequence[LanguagePair]) -> list[str]:
    """The relative chapter paths of the source language; the source folder must exist for every pair."""
    languages = book_languages(book_dir)
    sources = {pair.source for pair in pairs}
    for source in sorted(sources):
        if source not in languages:
            raise InputError(
                f"no source folder {source}/ for the pairs {', '.join(map(str, pairs))}", path=str(book_dir)
            )
    if len(sources) != 1:
        raise InputError("all pairs must share one source language", path=str(book_dir))
    source_dir = book_dir / next(iter(sources))
    return list(markdown_files(source_dir))


def translation_only(book_dir: Path, targets: Sequence[str], sources: Collection[str]) -> list[str]:
    """``<lang>/<path>`` of the translation files whose chapter no source version has (``sources``: the
    chapter paths of the current and, if given, the previous source). They are reported and left alone."""
    found = []
    for target in targets:
        folder = book_dir / target
        found += [f"{target}/{relative}" for relative in markdown_files(folder) if relative not in sources]
    return found


def count_transitions(history: Sequence[dict[str, Any]]) -> int:
    """State transitions as Step Functions bills them: one per state entered, plus one per task retry."""
    entered = sum(1 for event in history if str(event["type"]).endswith("StateEntered"))
    task_entered = sum(1 for event in history if event["type"] == "TaskStateEntered")
    scheduled = sum(1 for event in history if event["type"] in ("TaskScheduled", "LambdaFunctionScheduled"))
    return entered + max(0, scheduled - task_entered)


def run_phase(
    runtime: LocalRuntime,
    name: str,
    upload: Callable[[], int],
    *,
    on_event: ProgressSink | None = None,
    timeout: float = 1800.0,
) -> PhaseResult:
    """Upload (through ``upload``), then wait for the execution this started; collect its bill."""
    known_executions = {e["executionArn"] for e in runtime.executions()}
    known_jobs = {job["JobId"] for job in list_jobs(runtime)}
    started = time.monotonic()
    uploads = upload()
    runtime.wait_for_uploads(timeout=timeout)
    new = [e for e in runtime.executions() if e["executionArn"] not in known_executions]
    if not new:
        return PhaseResult(name, None, "NOT_STARTED", None, "no execution was started", 0.0, 0, uploads=uploads)
    if len(new) > 1:
        raise RuntimeError(f"{len(new)} executions started for one phase; the upload batch was split")
    return _wait_and_bill(
        runtime, name, new[0]["executionArn"], known_jobs, started, timeout=timeout, on_event=on_event, uploads=uploads
    )


def start_and_wait(
    runtime: LocalRuntime,
    name: str,
    execution_input: dict[str, Any],
    *,
    execution_name: str,
    on_event: ProgressSink | None = None,
    timeout: float = 1800.0,
) -> PhaseResult:
    """Start an execution directly (as a person does in the console), wait for it and collect its bill."""
    known_jobs = {job["JobId"] for job in list_jobs(runtime)}
    started = time.monotonic()
    arn = runtime.client("stepfunctions").start_execution(
        stateMachineArn=runtime.state_machines[runtime.main_state_machine],
        name=execution_name,
        input=json.dumps(execution_input),
    )["executionArn"]
    return _wait_and_bill(runtime, name, arn, known_jobs, started, timeout=timeout, on_event=on_event)


def _wait_and_bill(
    runtime: LocalRuntime,
    name: str,
    arn: str,
    known_jobs: set[str],
    started: float,
    *,
    timeout: float,
    on_event: ProgressSink | None,
    uploads: int = 0,
) -> PhaseResult:
    """Wait for the execution ``arn`` and bill the Translate jobs it started (those not in ``known_jobs``)."""
    description = runtime.wait_for_execution(arn, timeout=timeout, on_event=on_event)
    jobs = [bill_job(runtime, job) for job in list_jobs(runtime) if job["JobId"] not in known_jobs]
    return PhaseResult(
        name=name,
        execution_arn=arn,
        status=description["status"],
        error=description.get("error"),
        cause=description.get("cause"),
        seconds=time.monotonic() - started,
        state_transitions=count_transitions(runtime.history(arn)),
        jobs=jobs,
        notifications=runtime.notifications(),
        uploads=uploads,
    )


def pair_scores(out_dir: Path, phase: PhaseResult) -> list[dict[str, Any]]:
    """The per-pair score files (ACT and baseline, engines named) a run wrote under ``reports/<run>/<pair>/``."""
    if phase.execution_arn is None:
        return []
    run_id = phase.execution_arn.rsplit(":", 1)[-1]
    found = []
    for path in sorted((out_dir / "reports" / run_id).glob("*/scores.json")):
        try:
            found.append(json.loads(path.read_text(encoding="utf-8")))
        except json.JSONDecodeError:
            continue
    return found


def list_jobs(runtime: LocalRuntime) -> list[dict[str, Any]]:
    if runtime.translate is None:
        return []
    translate = runtime.client("translate")
    jobs: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"MaxResults": 500}
    while True:
        page = translate.list_text_translation_jobs(**kwargs)
        jobs.extend(page.get("TextTranslationJobPropertiesList", []))
        if not page.get("NextToken"):
            return jobs
        kwargs["NextToken"] = page["NextToken"]


def bill_job(runtime: LocalRuntime, job: dict[str, Any]) -> JobBilling:
    """Characters billed from the job's auxiliary details files (as with the real service)."""
    act = bool(job.get("ParallelDataNames"))
    budget = runtime.pipeline.budget
    price = budget.price_per_million_characters_act if act else budget.price_per_million_characters
    source = job.get("SourceLanguageCode", "")
    characters, engines = 0, set[str]()
    output_uri = str(job.get("OutputDataConfig", {}).get("S3Uri", ""))
    for target in job.get("TargetLanguageCodes", []):
        details = _read_details(runtime, output_uri, target)
        if details is None:
            continue
        characters += int(details.get("charactersTranslated", 0) or 0)
        engine = recorded_engine(details)
        engines.update(engine.engines if engine else [])
    targets = "+".join(job.get("TargetLanguageCodes", []))
    return JobBilling(
        job_name=str(job.get("JobName", job["JobId"])),
        pair=f"{source}-{targets}",
        act=act,
        status=str(job.get("JobStatus", "")),
        characters=characters,
        engines=tuple(sorted(engines)),
        usd=round(characters * price / 1_000_000, 6),
    )


def _read_details(runtime: LocalRuntime, output_uri: str, target: str) -> dict[str, Any] | None:
    parsed = parse_s3_uri(output_uri)
    if parsed is None:
        return None
    bucket, prefix = parsed
    key = f"{prefix.rstrip('/')}/details/{target}.auxiliary-translation-details.json"
    try:
        details: dict[str, Any] = json.loads(runtime.read_object(bucket, key))
    except runtime.client("s3").exceptions.NoSuchKey:
        return None
    return details


def upload_languages(runtime: LocalRuntime, book_dir: Path, languages: Sequence[str]) -> Callable[[], int]:
    return lambda: len(runtime.upload_book(book_dir, languages=languages))


def mirror_language(runtime: LocalRuntime, book_dir: Path, language: str, chapters: Collection[str]) -> list[str]:
    """Make ``book/<language>/`` in the input bucket hold exactly ``chapters`` of ``<book>/<language>/``, as
    ``aws s3 sync --delete`` would; returns the keys uploaded. The chapters gone from the folder are deleted first
    (a deletion starts nothing), so the run the uploads start sees the book as it is now, and Stage can tell a
    chapter that moved (its old path gone) from a new one."""
    prefix = f"{config.SOURCE_PREFIX}{language}/"
    bucket = runtime.names.input_bucket
    for key in runtime.list_keys(bucket, prefix):
        if key[len(prefix) :] not in chapters:
            runtime.client("s3").delete_object(Bucket=bucket, Key=key)
    return runtime.upload_book(book_dir, languages=[language], only=chapters)


def collect_outputs(runtime: LocalRuntime, out_dir: Path) -> dict[str, list[Path]]:
    """Translated chapters, parallel data and reports, copied from the buckets under ``out_dir``."""
    names = runtime.names
    return {
        "translated": runtime.download(names.output_bucket, config.OUTPUT_PREFIX, out_dir),
        "parallel_data": runtime.download(names.work_bucket, config.PARALLEL_DATA_PREFIX, out_dir / "parallel-data"),
        "reports": runtime.download(names.output_bucket, config.REPORT_PREFIX, out_dir / "reports"),
    }


SET_ASIDE = "source-gone"  # under the output folder: translations whose source chapter is no longer in the book


def set_aside_gone(out_dir: Path, targets: Sequence[str], chapters: Collection[str]) -> list[tuple[Path, Path]]:
    """Move the downloaded translations (and proposals) whose source chapter is no longer in the book from
    ``out_dir/<lang>/`` to ``out_dir/source-gone/<lang>/``: the output bucket keeps them (no function may delete
    there), but they are not current output, and beside the current chapters they would repeat their labels.
    Returns (from, to) pairs; the run report says where each moved."""
    moved = []
    for target in targets:
        folder = out_dir / target
        for path in list_files(folder) if folder.is_dir() else []:
            relative = path.relative_to(folder).as_posix()
            if chapter_of(relative) in chapters:
                continue
            destination = out_dir / SET_ASIDE / target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            path.replace(destination)
            moved.append((path, destination))
    return moved


def publish_latest_report(out_dir: Path, phase: PhaseResult, *, suffix: str = "") -> list[Path]:
    """Copy the run report of ``phase`` to ``out_dir/report{suffix}.html|json`` (the reports are per run)."""
    if phase.execution_arn is None:
        return []
    run_id = phase.execution_arn.rsplit(":", 1)[-1]
    published = []
    for report in sorted((out_dir / "reports" / run_id).glob("report.*")):
        target = out_dir / f"report{suffix}{report.suffix}"
        write_atomic(target, report.read_bytes())
        published.append(target)
    return published


def publish_review_page(
    out_dir: Path,
    *,
    source_lang: str,
    targets: Sequence[str],
    sources: Sequence[Path],
    old_source: Path | None = None,
    reports: Sequence[Path] = (),
) -> list[ReviewSegment]:
    """Write ``out_dir/review.html`` beside the translated chapters (``out_dir/<lang>/``) from their review markers,
    and give each run report in ``reports`` (``report.json``, re-rendered as ``.html`` and ``.md``) the page's rows
    as ``segments`` and a link to it."""
    rows: list[ReviewSegment] = []
    for target in targets:
        if (out_dir / target).is_dir():
            pair = f"{source_lang}-{target}"
            rows += folder_rows(
                out_dir / target, source=sources, old_source=old_source, pair=pair, link_prefix=f"{target}/"
            )
    write_atomic(out_dir / REVIEW_PAGE, render_review_page(rows, title=f"AMTS review: {out_dir.name}"))
    for path in reports:
        report = RunReport.model_validate_json(path.read_text(encoding="utf-8"))
        report = report.model_copy(update={"segments": rows, "review_page": REVIEW_PAGE})
        write_atomic(path, report.model_dump_json(indent=2) + "\n")
        write_atomic(path.with_suffix(".html"), render_html(report))
        write_atomic(path.with_suffix(".md"), render_markdown(report))
    return rows


def review_page_line(out_dir: Path, rows: Sequence[ReviewSegment]) -> str:
    """``review page: out/review.html: To review: 22 of 100 blocks (machine-translated 22). Effort: about 871 …``."""
    totals = review_totals(rows)
    return f"review page: {out_dir / REVIEW_PAGE}: {review_line(totals)}. {effort_line(totals)}"
