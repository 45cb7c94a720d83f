"""Synthesize the stack once per test session (bundling skipped) and share the template with every test."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from stacks.nag import Acknowledged


@dataclass(frozen=True)
class Synthesized:
    outdir: Path
    template: dict[str, Any]
    report: dict[str, Any]
    template_name: str
    acknowledgments: tuple[Acknowledged, ...]

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.template["Resources"].items() if v["Type"] == resource_type}

    def one(self, resource_type: str) -> tuple[str, dict[str, Any]]:
        found = self.resources(resource_type)
        assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
        return next(iter(found.items()))


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    from stacks.app import synthesize

    outdir = tmp_path_factory.mktemp("cdk-out")
    synthesis = synthesize(str(outdir))
    return Synthesized(
        outdir=outdir,
        template=synthesis.template,
        report=synthesis.report,
        template_name=synthesis.stack_name,
        acknowledgments=synthesis.acknowledgments,
    )


@pytest.fixture(scope="session")
def template(synthesized: Synthesized) -> dict[str, Any]:
    return synthesized.template
