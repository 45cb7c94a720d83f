"""Every benchmark imports: `make bench` runs them one after another, so a stale import (a module moved or a name
renamed) would stop the whole run half-way, after minutes of work."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"


@pytest.mark.parametrize("script", sorted(BENCH.glob("*.py")), ids=lambda path: path.name)
def test_the_benchmark_imports_without_running(script: Path) -> None:
    spec = importlib.util.spec_from_file_location(f"bench_check_{script.stem}", script)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the scripts run their work only under __main__
    assert hasattr(module, "main") or script.stem in {"gale_church", "measure", "screenshots"}, script.name
