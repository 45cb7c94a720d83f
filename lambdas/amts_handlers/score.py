"""Score: score one pair (action "score"), or write the run report from every pair's result (action "report")."""

from __future__ import annotations

from amts_steps.pair_models import PairResult, ScoreStep
from amts_steps.run_models import ReportStep, RunSummary, ScoreRequest
from amts_steps.run_report import write_run_report
from amts_steps.score import score_pair
from amts_steps.settings import Settings
from pydantic import TypeAdapter

from amts_handlers.shared import book_storage, client, logger, metrics, step_handler


@step_handler(TypeAdapter[ScoreStep | ReportStep](ScoreRequest), correlation_id_path="run_id || task.run_id")
def handler(request: ScoreStep | ReportStep, config: Settings) -> PairResult | RunSummary:
    if isinstance(request, ReportStep):
        summary = write_run_report(
            request, s3_client=client("s3"), output_bucket=config.output_bucket, budget=config.pipeline.budget
        )
        metrics.add_metric(name="PairsFailed", unit="Count", value=summary.failed)
        logger.info("run report written", extra={"keys": summary.report_keys})
        return summary
    # The glossary the pair's terminology is built from (term-consistency check); None: the terms Translate applied.
    glossary_key = config.pipeline.pair(request.task.pair_name).terminology_key
    result = score_pair(request, **book_storage(), glossary_key=glossary_key)
    logger.info("scored", extra={"pair": result.pair_name, "bleu": result.bleu, "bleu_baseline": result.bleu_baseline})
    return result
