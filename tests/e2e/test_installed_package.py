"""`pip install .` (not -e) into a fresh venv outside the checkout, then `amts run` on the sample book, works.

The runtime finds the state machine and cdk.json as package data (``amts_local/deploy/``), not by climbing out of the
package to the checkout. The install is resolved against the dev lock's versions (uv, from its cache or PyPI).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_installed_amts_runs_the_sample_book_outside_the_checkout(tmp_path: Path) -> None:
    # Given a fresh venv outside the checkout with `amts[local]` installed from a built wheel
    assert not tmp_path.resolve().is_relative_to(REPO)
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    install = [sys.executable, "-m", "uv", "pip", "install", "--quiet", "--python", str(python)]
    install += ["-c", str(REPO / "requirements-dev.lock"), f"{REPO}[local]"]
    subprocess.run(install, check=True, capture_output=True, text=True, timeout=900)
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    probe = "import amts_local.deployment as d; print(d.__file__); print(d.DEFAULT_CDK_JSON); print(d.DEFAULT_ASL_DIR)"
    found = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=clean)
    assert found.returncode == 0, found.stderr[-2000:]
    where = found.stdout.split()
    assert all(Path(path).is_relative_to(env_dir) for path in where), where  # the installed copy, not the checkout
    subprocess.run(
        [
            str(python),
            "-c",
            "from pathlib import Path; from amts_local.samplebook import write_sample_book; "
            "write_sample_book(Path('book'))",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean,
    )

    # When the installed command runs the sample book
    run = subprocess.run(
        [str(env_dir / "bin" / "amts"), "run", "--book", "book", "--pairs", "en-zh", "--out", "out"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean,
        timeout=600,
    )

    # Then the pipeline succeeds and writes the translated chapters and the report
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "run: SUCCEEDED" in run.stdout
    translated = sorted(p.relative_to(tmp_path / "out" / "zh") for p in (tmp_path / "out" / "zh").rglob("*.md"))
    sources = sorted(p.relative_to(tmp_path / "book" / "en") for p in (tmp_path / "book" / "en").rglob("*.md"))
    assert translated == sources
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["language_pairs"] == ["en-zh"]
