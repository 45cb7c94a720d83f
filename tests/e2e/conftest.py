"""Fixtures of the end-to-end tier: the scenarios run on the local stack, and the synthesized template."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from amts_local.samplebook import write_sample_book
from tests.e2e.scenarios import PipelineRun, pipeline_run, scenario_context


@pytest.fixture(scope="module")
def scenarios_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PipelineRun]:
    """Every scenario of ``tests/e2e/scenarios.py`` run once per test module; the stack stays up for the module."""
    with pipeline_run(tmp_path_factory.mktemp("pipeline")) as run:
        yield run


@pytest.fixture(scope="session")
def synthesized_template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The stack's CloudFormation template for the scenarios' configuration, synthesized once per session."""
    from stacks.app import synthesize

    synthesis = synthesize(str(tmp_path_factory.mktemp("cdk-out")), extra_context=scenario_context())
    template: dict[str, Any] = synthesis.template
    return template


def sample_book_and_old_source(tmp_path: Path) -> tuple[Path, Path]:
    """The project's sample book in ``tmp_path/book`` and a copy of its English in ``tmp_path/old-en``: the
    previous source of a run that syncs what a test then edits."""
    book = write_sample_book(tmp_path / "book").root
    old = tmp_path / "old-en"
    shutil.copytree(book / "en", old)
    return book, old
