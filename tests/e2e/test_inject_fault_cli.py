"""``amts run --inject-fault KIND``: each fault a person can inject, and what the run then reports.

The book is the sample book with the Chinese of one more chapter removed, so the en-zh job translates two
chapters (documents c00000.html for chapter_evaluation, c00003.html for the new chapter) and the en-es job one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from amts_local.faults import FAULT_KINDS
from amts_local.samplebook import CHAPTERS, write_sample_book
from tests.clirun import CliResult, run_cli, tree_hashes

pytestmark = pytest.mark.slow

UNTRANSLATED = "chapter_evaluation/evaluating-models.md"  # its Chinese is removed: the first document of en-zh


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_sample_book(tmp_path_factory.mktemp("fault-book") / "book").root
    (root / "zh" / UNTRANSLATED).unlink()
    return root


@pytest.fixture(scope="module")
def baseline(book: Path, tmp_path_factory: pytest.TempPathFactory) -> CliResult:
    """The same run without a fault: both pairs succeed."""
    result = run_cli(["run", "--book", str(book), "--pairs", "en-zh,en-es", "-o", str(tmp_path_factory.mktemp("b"))])
    assert result.status == 0, result.err
    return result


def _run(book: Path, out: Path, pairs: str, *kinds: str) -> CliResult:
    before = tree_hashes(book)
    faults = [arg for kind in kinds for arg in ("--inject-fault", kind)]
    result = run_cli(["run", "--book", str(book), "--pairs", pairs, "-o", str(out), *faults])
    assert tree_hashes(book) == before  # the book is never written
    for kind in kinds:  # the run says what was injected and what to expect
        assert f"injected fault {kind}: {FAULT_KINDS[kind].what}; expected: {FAULT_KINDS[kind].expected}" in result.out
    return result


def _transitions(result: CliResult) -> int:
    found = re.search(r"^run: \w+ in [\d.]+ s, (\d+) state transitions", result.out, re.MULTILINE)
    assert found is not None, result.out
    return int(found.group(1))


def _billed(result: CliResult) -> int:
    found = re.search(r"^run: .*, (\d+) characters billed", result.out, re.MULTILINE)
    assert found is not None, result.out
    return int(found.group(1))


def _published(out: Path, lang: str) -> set[str]:
    return {str(p.relative_to(out / lang)) for p in (out / lang).rglob("*.md")} if (out / lang).is_dir() else set()


def test_throttling_is_retried_and_the_run_succeeds(book: Path, tmp_path: Path) -> None:
    result = _run(book, tmp_path / "out", "en-zh,en-es", "throttling")
    assert result.status == 0, result.err
    assert result.out.count("! translate.TooManyRequestsException") == 3  # two starts and one status poll
    assert "run: SUCCEEDED" in result.out
    assert "was not triggered" not in result.out
    assert _published(tmp_path / "out", "zh") == _published(tmp_path / "out", "es") == set(CHAPTERS)


def test_a_failed_job_fails_its_pair_and_the_other_pair_publishes(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _run(book, out, "en-zh,en-es", "failed-job")
    assert result.status == 1
    assert "run: FAILED" in result.out
    assert "1 pair(s) succeeded, 1 failed." in result.err
    failed = re.search(r"^- en-(\w+): FAILED \(AMTS\.TranslateJobFailed\): .*inject-fault failed-job", result.err, re.M)
    assert failed is not None, result.err
    other = "es" if failed.group(1) == "zh" else "zh"
    assert _published(out, other) == set(CHAPTERS)
    assert f"translated chapter(s) missing under {out.resolve()}" in result.err
    assert f"outputs in {out.resolve()}" in result.out  # the other pair's chapters and the report were written
    assert (out / "report.html").is_file()


def test_completed_with_error_fails_the_pair_naming_the_chapter(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _run(book, out, "en-zh", "completed-with-error")
    assert result.status == 1
    assert f"- en-zh: FAILED (AMTS.ChaptersNotTranslated): {UNTRANSLATED}: CustomerError" in result.err
    # the job's other chapter and the chapters that needed no translation are published
    assert _published(out, "zh") == set(CHAPTERS) - {UNTRANSLATED}
    assert f"1 translated chapter(s) missing under {out.resolve()}, e.g. zh/{UNTRANSLATED}" in result.err


def test_a_failed_parallel_data_import_fails_its_pair_before_any_job(
    book: Path, tmp_path: Path, baseline: CliResult
) -> None:
    out = tmp_path / "out"
    result = _run(book, out, "en-zh,en-es", "parallel-data-failed")
    assert result.status == 1
    failed = re.search(r"^- en-(\w+): FAILED \(AMTS\.ParallelDataFailed\): parallel data amts-en-", result.err, re.M)
    assert failed is not None, result.err
    assert "--inject-fault parallel-data-failed" in result.err
    other = "es" if failed.group(1) == "zh" else "zh"
    assert _published(out, other) == set(CHAPTERS)
    assert _published(out, failed.group(1)) == set()
    assert 0 < _billed(result) < _billed(baseline)  # only the other pair's job ran


def test_a_slow_job_is_polled_longer_and_the_run_succeeds(book: Path, tmp_path: Path, baseline: CliResult) -> None:
    result = _run(book, tmp_path / "out", "en-zh,en-es", "slow-job")
    assert result.status == 0, result.err
    assert _transitions(result) > _transitions(baseline)
    assert _published(tmp_path / "out", "zh") == set(CHAPTERS)


def test_a_fault_the_run_never_meets_is_reported(tmp_path: Path) -> None:
    # Given an English-only book: no parallel data is built, so no import can fail
    book = write_sample_book(tmp_path / "book").root
    for lang in ("zh", "es"):
        for path in sorted((book / lang).rglob("*.md")):
            path.unlink()
    result = _run(book, tmp_path / "out", "en-zh", "parallel-data-failed")
    assert result.status == 0, result.err
    assert (
        "injected fault parallel-data-failed was not triggered (1 left unused): the run made no call it applies to"
        in result.out
    )
