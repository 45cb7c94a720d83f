"""The whole D2L corpus: every file round-trips (markdown, identity HTML, hostile translation)."""

from __future__ import annotations

from pathlib import Path

import pytest
from amts.book.roundtrip import check_file

CORPUS_PARTS = ("en", "zh", "origin/en", "origin/zh")


@pytest.mark.slow
@pytest.mark.corpus
def test_every_corpus_file_round_trips(corpus_dir: Path) -> None:
    # One test over all files, reporting every failure at once.
    files = sorted(path for part in CORPUS_PARTS for path in (corpus_dir / part).rglob("*.md"))
    assert len(files) >= 557
    failures = []
    for path in files:
        check = check_file(str(path))
        if not check.ok:
            failures.append(f"{path.relative_to(corpus_dir)}: {'; '.join(check.failures)}")
    assert not failures, f"{len(failures)} of {len(files)} files fail:\n" + "\n".join(failures[:20])
