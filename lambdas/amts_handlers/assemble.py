"""Assemble: translated HTML back to markdown, merged with the memory, published atomically."""

from __future__ import annotations

from amts_steps.assemble import assemble_pair
from amts_steps.pair_models import AssembleResult, AssembleStep
from amts_steps.settings import Settings

from amts_handlers.shared import book_storage, logger, metrics, step_handler


@step_handler(AssembleStep)
def handler(step: AssembleStep, config: Settings) -> AssembleResult:
    result = assemble_pair(step, **book_storage())
    logger.info("assembled", extra={"pair": step.task.pair_name, "published": result.chapters_published})
    metrics.add_metric(name="ChaptersPublished", unit="Count", value=result.chapters_published)
    metrics.add_metric(name="CharactersBilled", unit="Count", value=result.characters_billed)
    return result
