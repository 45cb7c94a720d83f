"""Release: fill an approved pair's job folder with exactly the documents the cost guard priced."""

from __future__ import annotations

from amts_steps.pair_models import ReleaseResult, ReleaseStep
from amts_steps.release import release_job_input
from amts_steps.settings import Settings

from amts_handlers.shared import client, logger, metrics, step_handler


@step_handler(ReleaseStep)
def handler(step: ReleaseStep, config: Settings) -> ReleaseResult:
    result = release_job_input(step, s3_client=client("s3"), work_bucket=config.work_bucket)
    logger.info("job input released", extra={"pair": step.task.pair_name, "documents": result.documents})
    metrics.add_metric(name="DocumentsReleased", unit="Count", value=result.documents)
    return result
