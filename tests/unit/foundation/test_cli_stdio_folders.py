"""``-`` is standard output where one file is written, and refused (one line, exit 2) where a folder is needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clirun import run_cli
from tests.unit.sync.samples import OLD_SOURCE, OLD_TARGET

MARKED = (
    "# 标题\n\n<!-- amts:review reasons=untranslated segments=s0002 chars=11 untranslated=1:11 -->\n\nHello world\n"
)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _book(root: Path) -> tuple[Path, Path, Path]:
    folders = root / "old", root / "tgt", root / "new"
    for folder, text in zip(folders, (OLD_SOURCE, OLD_TARGET, OLD_SOURCE), strict=True):
        folder.mkdir()
        (folder / "linreg.md").write_text(text, encoding="utf-8")
    return folders


def test_sync_of_folders_refuses_standard_output_as_its_output_folder(here: Path) -> None:
    old, tgt, new = _book(here)
    argv = ["sync", "--old-source", str(old), "--old-target", str(tgt), "--new-source", str(new), "--engine", "pseudo"]
    result = run_cli([*argv, "-o", "-"])
    assert result.status == 2
    assert "standard output cannot hold a folder" in result.error_line
    assert not (here / "-").exists()


def test_sync_of_files_refuses_standard_output(here: Path) -> None:
    old, tgt, new = _book(here)
    argv = ["sync", "--old-source", str(old / "linreg.md"), "--old-target", str(tgt / "linreg.md")]
    result = run_cli([*argv, "--new-source", str(new / "linreg.md"), "--engine", "pseudo", "-o", "-"])
    assert result.status == 2
    assert result.error_line.startswith("amts sync: error: -: ")
    assert not (here / "-").exists()


@pytest.mark.parametrize("command", ["run", "demo"])
def test_run_and_demo_refuse_standard_output_as_their_output_folder(here: Path, command: str) -> None:
    (here / "book" / "en").mkdir(parents=True)
    (here / "book" / "en" / "a.md").write_text("# A\n\nText.\n", encoding="utf-8")
    argv = ["run", "--book", "book", "--pairs", "en-zh"] if command == "run" else ["demo"]
    result = run_cli([*argv, "-o", "-"])
    assert result.status == 2
    assert "standard output cannot hold a folder" in result.error_line
    assert not (here / "-").exists()


def test_run_names_a_book_that_is_a_file(here: Path) -> None:
    (here / "book.md").write_text("# A\n", encoding="utf-8")
    result = run_cli(["run", "--book", "book.md", "--pairs", "en-zh", "-o", "out"])
    assert result.status == 2
    assert "book.md: is a file, expected a folder" in result.error_line


def test_review_list_prints_the_page_on_standard_output_and_the_list_on_standard_error(here: Path) -> None:
    (here / "zh").mkdir()
    (here / "zh" / "a.md").write_text(MARKED, encoding="utf-8")
    result = run_cli(["review-list", "zh", "--html", "-"])
    assert result.status == 0
    assert result.out.startswith("<!DOCTYPE html>")
    assert "untranslated (English)" in result.out  # the class of a block left in English
    assert "zh/a.md:3\tuntranslated\t11 chars\tHello world" in result.err
    assert "1 units left in English to translate (11 characters)" in result.err
    assert not (here / "-").exists()


def test_review_list_refuses_json_and_the_page_both_on_standard_output(here: Path) -> None:
    (here / "a.md").write_text(MARKED, encoding="utf-8")
    result = run_cli(["review-list", "a.md", "--json", "--html", "-"])
    assert result.status == 2
    assert "--json and --html -" in result.error_line
