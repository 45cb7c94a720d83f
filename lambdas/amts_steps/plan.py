"""The Plan step: validate the execution input with its typed model and resolve it against the config and the book.

Bad input raises ``InputError`` with a message a person can act on; the state machine catches it by that error
name and ends in the ``InvalidInput`` Fail state after a notification.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from amts import config
from amts.errors import InputError
from amts.pipeline_config import LanguagePairConfig, PipelineConfig, PollSchedule
from amts.sync.renames import parse_renames
from amts_aws.s3 import list_chapters, read_text
from pydantic import ValidationError

from amts_steps.plan_models import PairSettings, PairTask, PollPlan, RunInput, RunPlan, SkippedBookKey

# History events per poll of a wait loop (Wait 2 + Task 5 + Choice 2 + Pass 2) and per pair outside the loops.
EVENTS_PER_POLL = 11
EVENTS_PER_PAIR = 100
HISTORY_EVENT_LIMIT = 25_000
# Leave room for retries and the run's own states.
HISTORY_EVENT_BUDGET = 22_000
# Step Functions payloads are capped at 256 KiB; the Map's results and the report summary need room too.
MAX_PLAN_BYTES = 160 * 1024
# Keys the validator refused, listed in the report (the first ones; the payload stays small).
MAX_REPORTED_SKIPS = 50


def describe_validation_error(exc: ValidationError) -> str:
    """One line naming each bad field and what is wrong with it."""
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "<input>"
        problems.append(f"{where}: {error['msg']}")
    return "; ".join(problems)


def parse_run_input(raw: dict[str, Any]) -> RunInput:
    """The execution input as a ``RunInput``, or an ``InputError`` listing every bad field."""
    try:
        return RunInput.model_validate(raw)
    except ValidationError as exc:
        raise InputError(
            f"invalid execution input: {describe_validation_error(exc)}. Expected e.g. "
            '{"pairs": ["en-zh"], "chapters": ["chapter_intro/index.md"], "evaluate": true, "publish": true}',
            path="execution input",
        ) from None


def wait_schedule(schedule: PollSchedule) -> list[int]:
    """The waits of a capped exponential backoff, in seconds, until ``max_wait_seconds`` is spent."""
    waits: list[int] = []
    waited, wait = 0.0, float(schedule.initial_seconds)
    while waited < schedule.max_wait_seconds:
        waits.append(round(wait))
        waited += wait
        wait = min(wait * schedule.backoff_rate, float(schedule.max_seconds))
    return waits


def poll_plan(pipeline: PipelineConfig) -> PollPlan:
    job = wait_schedule(pipeline.polling.translation_job)
    parallel_data = wait_schedule(pipeline.polling.parallel_data)
    return PollPlan.model_validate(
        {
            "job": {"schedule": job, "max_attempts": len(job)},
            "parallel_data": {"schedule": parallel_data, "max_attempts": len(parallel_data)},
        }
    )


def history_events_worst_case(pairs: Sequence[PairTask], poll: PollPlan) -> int:
    """Upper bound of the execution's history events: every loop polling until its limit (inline Map)."""
    total = 0
    for task in pairs:
        jobs = 2 if task.evaluate else 1
        total += EVENTS_PER_PAIR + EVENTS_PER_POLL * (poll.parallel_data.max_attempts + jobs * poll.job.max_attempts)
    return total


def _pair_settings(pair: LanguagePairConfig) -> PairSettings:
    return PairSettings(
        source=pair.source,
        target=pair.target,
        parallel_data_name=pair.parallel_data_name or f"amts-{pair.source}-{pair.target}",
        terminology_name=pair.terminology_name,
        formality=pair.formality,
        profanity="MASK" if pair.mask_profanity else None,
        evaluate=pair.evaluation,
        reference_prefix=pair.reference_prefix or f"{config.SOURCE_PREFIX}{pair.target}/",
        fuzzy_threshold=pair.fuzzy_threshold,
        mt_suggestions=pair.mt_suggestions,
    )


def _token(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def book_renames(s3_client: Any, input_bucket: str) -> dict[str, str]:
    """The book's rename map (``config/renames.tsv`` in the input bucket, new path -> old path), if any."""
    text = read_text(s3_client, input_bucket, config.RENAMES_KEY)
    return {} if text is None else parse_renames(text, where=f"s3://{input_bucket}/{config.RENAMES_KEY}")


def plan_run(
    raw_input: dict[str, Any],
    *,
    execution_name: str,
    pipeline: PipelineConfig,
    s3_client: Any,
    input_bucket: str,
) -> RunPlan:
    """Validate ``raw_input`` and produce the Map items; chapters that do not exist are an input error."""
    run = parse_run_input(raw_input)
    run_id = execution_name  # every key the run writes derives from the execution, never from the input
    renames = dict(book_renames(s3_client, input_bucket))
    renames.update({new: old for old, new in (run.renames or {}).items()})  # the execution input comes first
    selected = [pipeline.pair(key) for key in run.pairs] if run.pairs else list(pipeline.language_pairs)
    tasks: list[PairTask] = []
    listings: dict[str, set[str]] = {}
    skipped: dict[str, SkippedBookKey] = {}

    def listing(prefix: str) -> set[str]:
        if prefix not in listings:
            chapters, refused = list_chapters(s3_client, input_bucket, prefix)
            listings[prefix] = set(chapters)
            skipped.update({item.key: SkippedBookKey(key=item.key, reason=item.reason) for item in refused})
        return listings[prefix]

    for pair in selected:
        source_prefix = f"{config.SOURCE_PREFIX}{pair.source}/"
        available = listing(source_prefix)
        listing(_pair_settings(pair).reference_prefix)  # its refused keys are reported too
        if run.chapters is None:
            chapters = sorted(available)
            if not chapters:
                raise InputError(
                    f"no chapters to translate for {pair.key}: s3://{input_bucket}/{source_prefix} has no .md files; "
                    "upload the book first",
                    path="execution input",
                )
        else:
            # A translation uploaded without its source chapter (a translator's extra file) is left alone and
            # reported; a chapter that exists in neither language is a mistake in the input.
            translated: set[str] = set()
            for prefix in sorted({_pair_settings(other).reference_prefix for other in pipeline.language_pairs}):
                for path in run.chapters:
                    if path not in available and path in listing(prefix):
                        translated.add(path)
                        skipped[prefix + path] = SkippedBookKey(
                            key=prefix + path, reason=f"a translation without a {source_prefix}{path}: left alone"
                        )
            missing = [path for path in run.chapters if path not in available and path not in translated]
            if missing:
                raise InputError(
                    f"chapter(s) not found under s3://{input_bucket}/{source_prefix}: {', '.join(missing[:5])}"
                    + (f" and {len(missing) - 5} more" if len(missing) > 5 else ""),
                    path="execution input",
                )
            chapters = [path for path in run.chapters if path in available]
            if not chapters:
                continue  # only translation-only files for this pair: nothing to do
        unknown = sorted(new for new in (run.renames or {}).values() if new not in available)
        if unknown:  # a stale entry of the book's map is harmless; one the person typed is a mistake
            raise InputError(
                f"renames names chapter(s) not found under s3://{input_bucket}/{source_prefix}: "
                + ", ".join(unknown[:5]),
                path="execution input",
            )
        settings = _pair_settings(pair)
        evaluate = pair.evaluation if run.evaluate is None else run.evaluate
        tasks.append(
            PairTask(
                run_id=run_id,
                pair=settings,
                pair_name=pair.key,
                chapters=chapters if run.chapters is not None else None,
                chapter_count=len(chapters),
                publish=run.publish,
                evaluate=evaluate,
                job_name=f"amts-{run_id}-{pair.key}"[:256],
                client_token=_token(execution_name, pair.key),
                settings=pair.translation_settings,
                renames={new: old for new, old in renames.items() if new in available},
            )
        )
    poll = poll_plan(pipeline)
    worst = history_events_worst_case(tasks, poll)
    if worst > HISTORY_EVENT_BUDGET:
        raise InputError(
            f"{len(tasks)} pair(s) could need up to {worst} history events if every Translate job ran to the polling "
            f"limit, above the {HISTORY_EVENT_LIMIT} a Standard execution allows: run fewer pairs per execution, "
            "or raise polling.translation_job.max_seconds (fewer, longer waits)",
            path="execution input",
        )
    plan = RunPlan(
        run_id=run_id,
        label=run.run_id,
        skipped_keys=[skipped[key] for key in sorted(skipped)][:MAX_REPORTED_SKIPS],
        pairs=tasks,
        poll=poll,
        report_prefix=f"{config.REPORT_PREFIX}{run_id}/",
        history_events_worst_case=worst,
    )
    size = len(plan.model_dump_json().encode())
    if size > MAX_PLAN_BYTES:
        raise InputError(
            f"the run's plan is {size} bytes, too large for a Step Functions payload (256 KiB with the results): "
            "list fewer chapters, or omit 'chapters' to synchronize the whole book",
            path="execution input",
        )
    return plan
