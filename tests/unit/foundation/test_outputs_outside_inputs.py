"""No command writes on or inside one of its inputs: an output that is an input, or lies in an input folder, is
refused before anything is read or written (exit 2, one line naming the output and the input)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clirun import files_under, run_cli, tree_hashes

from .test_file_boundary import CHAPTER, book


def test_an_output_that_is_the_input_file_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "a.md"
    source.write_text(CHAPTER, encoding="utf-8")
    before = tree_hashes(tmp_path)
    result = run_cli(["to-html", str(source), "-o", str(tmp_path / "." / "a.md")])
    assert result.status == 2
    assert result.error_line == (
        f"amts to-html: error: {tmp_path / '.' / 'a.md'}: the output is the input {source}; give another output path"
    )
    assert tree_hashes(tmp_path) == before


@pytest.mark.parametrize(
    ("command", "output"),
    [
        (["pairs", "{book}/en", "{book}/zh", "--src", "en", "--tgt", "zh", "-o"], "{book}/en/pairs.csv"),
        (
            ["pairs", "{book}/en", "{book}/zh", "--src", "en", "--tgt", "zh", "-o", "{tmp}/p.csv", "--report"],
            "{book}/zh/stats.json",
        ),
        (
            ["sync", "--old-source", "{book}/en", "--old-target", "{book}/zh", "--new-source", "{book}/en", "-o"],
            "{book}/zh",
        ),
        (["score", "--hyp", "{book}/zh", "--ref", "{book}/zh", "--tgt", "zh", "--output"], "{book}/zh/scores"),
        (
            [
                "experiment",
                "--book",
                "{book}/en",
                "--translation",
                "{book}/zh",
                "--pair",
                "en-zh",
                "--sections",
                "ch/a.md",
                "--output",
            ],
            "{book}/zh/experiment",
        ),
        (["check-skeleton", "{book}/zh", "{book}/en", "--report"], "{book}/en/diff.json"),
        (["run", "--book", "{book}", "--pairs", "en-zh", "--output"], "{book}"),
        (["run", "--book", "{book}", "--pairs", "en-zh", "--output"], "{book}/zh"),
    ],
)
def test_an_output_inside_an_input_folder_is_refused(tmp_path: Path, command: list[str], output: str) -> None:
    # Given a book, and a command asked to write inside one of its input folders
    root = book(tmp_path / "book")
    before = tree_hashes(root)
    fill = {"book": str(root), "tmp": str(tmp_path)}
    argv = [part.format(**fill) for part in command] + [output.format(**fill)]
    # When it runs, then it refuses in one line naming the output and the input folder, and writes nothing
    result = run_cli(argv)
    assert result.status == 2, result
    line = result.error_line
    assert line.startswith(f"amts {command[0]}: error: {output.format(**fill)}: the output is ")
    assert "; give an" in line
    assert tree_hashes(root) == before
    assert [name for name in files_under(tmp_path) if not name.startswith("book")] == []
