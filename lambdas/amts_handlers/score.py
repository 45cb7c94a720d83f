"""Score: score one pair (action "score"), or write the run report from every pair's result (action "report")."""

from __future__ import annotations

from typing import Any

from amts_steps.models import ScoreStep
from amts_steps.run_models import ReportStep, ScoreRequest
from amts_steps.run_report import write_run_report
from amts_steps.score import score_pair
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import TypeAdapter

from amts_handlers.shared import client, logger, metrics, settings, tracer

_REQUEST: TypeAdapter[ScoreStep | ReportStep] = TypeAdapter(ScoreRequest)


@logger.inject_lambda_context(correlation_id_path="run_id || task.run_id")
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = _REQUEST.validate_python(event)
    config = settings()
    if isinstance(request, ReportStep):
        summary = write_run_report(
            request, s3_client=client("s3"), output_bucket=config.output_bucket, budget=config.pipeline.budget
        )
        metrics.add_metric(name="PairsFailed", unit="Count", value=summary.failed)
        logger.info("run report written", extra={"keys": summary.report_keys})
        return summary.model_dump(mode="json")
    # The glossary the pair's terminology is built from (term-consistency check); None: the terms Translate applied.
    glossary_key = config.pipeline.pair(request.task.pair_name).terminology_key
    result = score_pair(
        request,
        s3_client=client("s3"),
        input_bucket=config.input_bucket,
        work_bucket=config.work_bucket,
        output_bucket=config.output_bucket,
        glossary_key=glossary_key,
    )
    logger.info("scored", extra={"pair": result.pair_name, "bleu": result.bleu, "bleu_baseline": result.bleu_baseline})
    return result.model_dump(mode="json")
