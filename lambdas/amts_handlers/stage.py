"""Stage: plan the sync and stage only the segments that need MT as HTML, measured for the cost guard."""

from __future__ import annotations

from amts_steps.pair_models import StageResult, StageStep
from amts_steps.settings import Settings
from amts_steps.stage import stage_pair

from amts_handlers.shared import book_storage, logger, metrics, step_handler


@step_handler(StageStep)
def handler(step: StageStep, config: Settings) -> StageResult:
    result = stage_pair(step, **book_storage())
    logger.info("staged", extra={"pair": step.task.pair_name, "documents": result.documents})
    metrics.add_metric(name="CharactersStaged", unit="Count", value=result.characters)
    return result
