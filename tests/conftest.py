"""Fixtures shared by every test tier."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "d2l"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The real D2L corpus beside the project; tests that need it are skipped, saying why, when it is absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"the D2L corpus is not at {CORPUS}; it lives in ../shared beside the project")
    return CORPUS
