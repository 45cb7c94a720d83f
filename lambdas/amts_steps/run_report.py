"""The run report (all pairs): ``reports/<run>/report.{json,html,md}`` from every pair's result and pair report, and
the notification's wording. Only notes that apply to the run, each once; the summary figures (status per pair,
cost against the cap, engines and their segments) as typed fields the renderers open the report with."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from amts.evaluate import RunReport, ScoreReport, render_html, render_markdown
from amts.evaluate.models import (
    BudgetReport,
    CostLine,
    CostReport,
    EngineInfo,
    EngineUse,
    PairStatus,
    SyncWorkloadReport,
    TermConsistencyReport,
)
from amts.evaluate.report_summary import untranslated_note
from amts.evaluate.review_page import render_review_page
from amts.pipeline_config import BudgetConfig
from amts.translate.cost import CostEstimate, Pricing
from amts_aws.s3 import put_bytes, read_json, read_text
from pydantic import BaseModel

from amts_steps.budget import pricing_of
from amts_steps.job_output import JobSummary
from amts_steps.layout import pair_report_key
from amts_steps.pair_models import PairResult
from amts_steps.pair_report import PairReport
from amts_steps.run_models import ReportStep, RunSummary


def _fields_named_alike(source: BaseModel, target: type[BaseModel], *, prefix: str = "") -> dict[str, Any]:
    """The values of ``source``'s fields that ``target`` declares under the same name (after ``prefix``): a report
    row copies the step's figures it shows rather than restating each one."""
    return {prefix + name: value for name, value in source if prefix + name in target.model_fields}


def readable_cause(cause: str | None, limit: int = 1000) -> str:
    """The message of a failure: a Lambda error's ``errorMessage`` rather than its JSON and stack trace."""
    if not cause:
        return "no cause given"
    try:
        parsed = json.loads(cause)
    except json.JSONDecodeError:
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("errorMessage"), str):
        cause = f"{parsed.get('errorType', 'Error')}: {parsed['errorMessage']}"
    return cause if len(cause) <= limit else cause[: limit - 1] + "…"


def _read_pair_report(s3_client: Any, bucket: str, run_id: str, pair_name: str) -> PairReport | None:
    text = read_text(s3_client, bucket, pair_report_key(run_id, pair_name))
    return None if text is None else PairReport.model_validate_json(text)


def _cost(reports: dict[str, PairReport], results: list[PairResult], pricing: Pricing) -> CostReport | None:
    """One line per job at the price it is billed at; the pricing note compares standard and ACT prices."""
    lines: list[CostLine] = []
    for result in results:
        report = reports.get(result.pair_name)
        jobs = report.jobs if report is not None else []
        if not jobs and result.characters_billed:  # no pair report (older run): the ACT job's count only
            lines.append(
                CostLine(
                    label=f"{result.pair_name} ACT job",
                    characters=result.characters_billed,
                    usd_per_million_characters=pricing.act_per_million,
                )
            )
            continue
        for job in jobs:
            estimate = CostEstimate(
                job.characters_billed, (result.pair_name.split("-", 1)[1],), job.uses_parallel_data, pricing
            )
            model = "ACT" if job.uses_parallel_data else "standard"
            lines.append(
                CostLine(
                    label=f"{result.pair_name} {job.role} job ({model} price)",
                    characters=estimate.billed_characters,
                    usd_per_million_characters=pricing.act_per_million
                    if job.uses_parallel_data
                    else pricing.standard_per_million,
                )
            )
    if not lines:
        return None
    total = sum(line.characters for line in lines)
    note = (
        f"${pricing.standard_per_million:.2f} per million characters standard, ${pricing.act_per_million:.2f} with "
        f"ACT (parallel data); all {total:,} characters would cost ${total * pricing.standard_per_million / 1e6:.4f} "
        f"at the standard price and ${total * pricing.act_per_million / 1e6:.4f} at the ACT price; {pricing.note}"
    )
    return CostReport(lines=lines, pricing_note=note)


def _merge_terminology(reports: list[PairReport]) -> TermConsistencyReport | None:
    found = [(r, r.terminology) for r in reports if r.terminology is not None]
    if not found:
        return None
    issues = [
        issue.model_copy(update={"path": f"{report.target}/{issue.path}" if issue.path else report.pair})
        for report, terms in found
        for issue in terms.issues
    ]
    return TermConsistencyReport(
        glossary="; ".join(f"{report.pair}: {terms.glossary}" for report, terms in found),
        terms_checked=sum(terms.terms_checked for _, terms in found),
        occurrences=sum(terms.occurrences for _, terms in found),
        issues=issues,
    )


def _merge_workload(reports: list[PairReport]) -> SyncWorkloadReport | None:
    documents = [
        document.model_copy(update={"path": f"{report.pair}: {document.path}"})
        for report in reports
        if report.sync is not None
        for document in report.sync.documents
    ]
    return SyncWorkloadReport(documents=documents) if documents else None


def _pairs_with_jobs(
    results: list[PairResult], reports: dict[str, PairReport]
) -> Iterator[tuple[PairResult, list[JobSummary]]]:
    """Each pair's result with the jobs its report lists (none when it stored no report or ran no job: then
    the result's own engine, if any, names what translated it)."""
    for result in results:
        report = reports.get(result.pair_name)
        yield result, report.jobs if report is not None else []


def _engines(results: list[PairResult], reports: dict[str, PairReport]) -> list[EngineInfo]:
    engines: list[EngineInfo] = []
    for result, jobs in _pairs_with_jobs(results, reports):
        if not jobs:
            if result.engine:
                engines.append(EngineInfo(name=result.engine, description=f"{result.pair_name}"))
            continue
        for job in jobs:
            usage = ", ".join(f"{name} {count}" for name, count in job.engine_usage.items())
            act = f"parallel data {', '.join(job.parallel_data_names)}" if job.uses_parallel_data else "no ACT"
            engines.append(
                EngineInfo(
                    name=job.engine,
                    description=f"{result.pair_name} {job.role} job {job.job_id} ({act})"
                    + (f"; segments per engine: {usage}" if usage else ""),
                )
            )
    return engines


REVIEW_PAGE = "review.html"


def pair_statuses(results: list[PairResult]) -> list[PairStatus]:
    """How each pair ended, for the report's summary."""
    return [
        PairStatus.model_validate(
            {
                **_fields_named_alike(result, PairStatus),
                "pair": result.pair_name,
                "error": f"{result.error}: {readable_cause(result.cause)}" if result.status == "FAILED" else "",
            }
        )
        for result in results
    ]


def engine_uses(results: list[PairResult], reports: dict[str, PairReport]) -> list[EngineUse]:
    """Engine -> segments, one row per engine of each job (Amazon Translate does not count them)."""
    uses: list[EngineUse] = []
    for result, jobs in _pairs_with_jobs(results, reports):
        if not jobs:
            if result.engine:
                uses.append(EngineUse(engine=result.engine, pair=result.pair_name))
            continue
        for job in jobs:
            act = "ACT" if job.uses_parallel_data else "no ACT"
            label = f"{job.role} job ({act})"
            if not job.engine_usage:
                uses.append(EngineUse(engine=job.engine, pair=result.pair_name, job=label))
            uses.extend(
                EngineUse(engine=name, segments=count, pair=result.pair_name, job=label)
                for name, count in job.engine_usage.items()
            )
    return uses


def write_run_report(
    step: ReportStep, *, s3_client: Any, output_bucket: str, budget: BudgetConfig, now: datetime | None = None
) -> RunSummary:
    """Gather the pairs' results into ``reports/<run>/report.{json,html,md}`` and word the notification."""
    scores: list[ScoreReport] = []
    notes: list[str] = []  # the notification's lines (the report shows the same figures in its summary)
    details: list[str] = []  # the report's notes: only what applies to this run
    pair_reports: dict[str, PairReport] = {}
    for result in step.results:
        if result.status == "FAILED":
            notes.append(f"{result.pair_name}: FAILED ({result.error}): {readable_cause(result.cause)}")
        else:
            notes.append(
                f"{result.pair_name}: {result.status}, {result.chapters_published} chapter(s) published, "
                f"{result.segments_translated} segment(s) translated by the MT job"
                + untranslated_note(result.segments_untranslated)
            )
        stored = _read_pair_report(s3_client, output_bucket, step.run_id, result.pair_name)
        if stored is not None:
            pair_reports[result.pair_name] = stored
            details.extend(f"{result.pair_name}: {note}" for note in stored.notes)
            if stored.leakage_guard is not None and result.bleu is not None:  # a guard matters only to scores
                details.append(f"{result.pair_name} leakage guard: {stored.leakage_guard}: {stored.leakage_note}")
        if result.bleu is not None:
            without = "–" if result.bleu_baseline is None else f"{result.bleu_baseline:.2f}"
            guard = f" (leakage guard: {stored.leakage_guard})" if stored and stored.leakage_guard else ""
            notes.append(f"{result.pair_name}: BLEU {result.bleu:.2f} (0–100) with ACT, {without} without{guard}")
        if result.score_key:
            scored = read_json(s3_client, output_bucket, result.score_key)
            if scored.get("act"):
                scores.append(ScoreReport.model_validate(scored["act"]))
    reports = list(pair_reports.values())
    cost = _cost(pair_reports, step.results, pricing_of(budget))
    billed_characters = sum(line.characters for line in cost.lines) if cost is not None else 0
    billed_usd = cost.total_usd if cost is not None else 0.0
    budget_report = _budget_report(step, billed_characters, billed_usd)
    refused = budget_report is not None and not budget_report.approved
    if budget_report is not None and refused:
        notes.insert(0, f"Refused by the cost guard, nothing was sent to Translate: {budget_report.reason}")
    if step.skipped_keys:
        skipped = [f"{len(step.skipped_keys)} key(s) of the book skipped (the key validator refused them):"]
        skipped += [f"skipped {item.key}: {item.reason}" for item in step.skipped_keys[:20]]
        notes += skipped
        details += skipped
    report = RunReport(
        run_id=step.run_id if step.label is None else f"{step.label} ({step.run_id})",
        generated_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        language_pairs=[result.pair_name for result in step.results],
        engines=_engines(step.results, pair_reports),
        scores=scores,
        experiments=[r.experiment for r in reports if r.experiment is not None],
        cost=cost,
        budget=budget_report,
        terminology=_merge_terminology(reports),
        sync=_merge_workload(reports),
        pairs=pair_statuses(step.results),
        engine_usage=engine_uses(step.results, pair_reports),
        segments=[row for r in reports for row in r.segments],
        notes=list(dict.fromkeys(([notes[0]] if refused else []) + details)),
    )
    prefix = step.report_prefix
    if report.segments:  # the translator's page, beside the report (its links name the published keys)
        page = render_review_page(report.segments, title=f"AMTS review: {report.run_id}")
        put_bytes(s3_client, output_bucket, f"{prefix}{REVIEW_PAGE}", page.encode(), "text/html; charset=utf-8")
        report = report.model_copy(update={"review_page": REVIEW_PAGE})
    keys = [f"{prefix}report.json", f"{prefix}report.html", f"{prefix}report.md"]
    put_bytes(s3_client, output_bucket, keys[0], report.model_dump_json(indent=2).encode(), "application/json")
    put_bytes(s3_client, output_bucket, keys[1], render_html(report).encode(), "text/html; charset=utf-8")
    put_bytes(s3_client, output_bucket, keys[2], render_markdown(report).encode(), "text/markdown; charset=utf-8")
    failed = [r for r in step.results if r.status == "FAILED"]
    succeeded = len(step.results) - len(failed)
    if refused:
        lines = [f"AMTS run {step.run_id} was refused by the cost guard: nothing was translated."]
        subject = f"AMTS run refused (over budget): {step.run_id}"[:99]
    else:
        lines = [f"AMTS run {step.run_id}: {succeeded} pair(s) succeeded, {len(failed)} failed."]
        subject = f"AMTS run {'succeeded' if not failed else 'had failures'}: {step.run_id}"[:99]
    lines += [f"- {note}" for note in notes]
    lines.append(f"Report: s3://{output_bucket}/{keys[1]}")
    return RunSummary(
        run_id=step.run_id,
        succeeded=succeeded,
        failed=len(failed),
        report_keys=keys,
        subject=subject,
        message="\n".join(lines),
        all_succeeded=not failed and not refused,
        budget_exceeded=refused,
        billed_characters=billed_characters,
        billed_usd=billed_usd,
    )


def _budget_report(step: ReportStep, billed_characters: int, billed_usd: float) -> BudgetReport | None:
    decision = step.budget
    if decision is None:
        return None
    return BudgetReport.model_validate(
        {
            **_fields_named_alike(decision, BudgetReport),  # the estimate, the UTC day and month, and their spend
            **_fields_named_alike(decision.caps, BudgetReport, prefix="cap_"),
            "estimate_lines": [
                CostLine(
                    label=f"{job.pair_name} {job.role} job ({job.priced_as} price)",
                    characters=job.characters,
                    usd_per_million_characters=job.usd_per_million_characters,
                )
                for job in decision.estimate.jobs
            ],
            "billed_characters": billed_characters,
            "billed_usd": billed_usd,
        }
    )
