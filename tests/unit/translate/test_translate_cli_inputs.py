"""Inputs of the translate area's commands that used to give a quiet wrong answer: a mistyped ``--since``, CSV
records Translate's rules refuse, and a build with nothing left that did not say which file."""

from __future__ import annotations

import json
from pathlib import Path

from tests.clirun import files_under, run_cli, tree_hashes

CHAPTER = "# Tensors\n\nA tensor holds numbers in a grid. Its shape says how many there are.\n"


def test_estimate_with_a_missing_since_path_is_refused(tmp_path: Path) -> None:
    # Given a chapter and a --since path with a typo
    chapter = tmp_path / "a.md"
    chapter.write_text(CHAPTER, encoding="utf-8")
    # When the change is priced, then it refuses instead of pricing the whole chapter as new
    result = run_cli(["estimate", str(chapter), "--pairs", "en-zh", "--since", str(tmp_path / "a-old.md")])
    assert result.status == 2
    assert result.error_line == (
        f"amts estimate: error: {tmp_path / 'a-old.md'}: --since: no such file or folder (without it, every "
        "segment would be priced as new)"
    )
    assert result.out == ""


def test_estimate_since_a_folder_counts_the_new_files(tmp_path: Path) -> None:
    for folder in ("old", "new"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "a.md").write_text(CHAPTER, encoding="utf-8")
    (tmp_path / "new" / "b.md").write_text("# Shapes\n\nA shape lists the sizes of the axes.\n", encoding="utf-8")
    result = run_cli(["estimate", str(tmp_path / "new"), "--pairs", "en-zh", "--since", str(tmp_path / "old")])
    assert result.status == 0, result
    assert f"(changes since {tmp_path / 'old'}; 1 file(s) new, priced whole): 2 file(s)" in result.out


def test_every_csv_record_is_written_or_counted_as_dropped(tmp_path: Path) -> None:
    # Given a CSV of four records: a plain one, one quoted across lines, one starting with a formula, and a
    # record with one field
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(
        "en,zh\n"
        '"A tensor holds numbers.","张量存放数字。"\n'
        '"A shape lists\nthe sizes of the axes.","形状列出\n各个轴的大小。"\n'
        '"=SUM(A1:A2) adds two cells.","=SUM(A1:A2) 把两个单元格相加。"\n'
        "a lone field\n",
        encoding="utf-8",
    )
    before = tree_hashes(pairs)
    out, stats = tmp_path / "pd.csv", tmp_path / "stats.json"
    # When parallel data is built from it
    result = run_cli(["build-parallel-data", str(pairs), "--pair", "en-zh", "-o", str(out), "--report", str(stats)])
    # Then the two good records are written (the wrapped one on one line), and the other two are counted with why
    assert result.status == 0, result
    assert out.read_text(encoding="utf-8") == (
        "en,zh\nA tensor holds numbers.,张量存放数字。\nA shape lists the sizes of the axes.,形状列出各个轴的大小。\n"
    )
    report = json.loads(stats.read_text(encoding="utf-8"))
    assert (report["input_pairs"], report["written_records"]) == (4, 2)
    assert report["dropped"] == {"leading_forbidden_character": 1, "record_with_1_fields_for_2_languages": 1}
    assert report["rewritten"] == {"line_breaks_joined": 2}
    assert "2 records written from 4 input records" in result.out
    assert tree_hashes(pairs) == before


def test_nothing_usable_names_the_input_file(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text('en,zh\n"=A1","=B1"\n', encoding="utf-8")
    result = run_cli(["build-parallel-data", str(pairs), "--pair", "en-zh", "-o", str(tmp_path / "out" / "pd.csv")])
    assert result.status == 2
    assert result.error_line == (
        f"amts build-parallel-data: error: {pairs}: no usable pairs left out of 1 input records (dropped: "
        "{'leading_forbidden_character': 1})"
    )
    assert files_under(tmp_path / "out") == []


def test_a_csv_without_the_pair_in_its_header_is_refused_at_line_1(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("en,es\nA tensor.,Un tensor.\n", encoding="utf-8")
    result = run_cli(["build-parallel-data", str(pairs), "--pair", "en-zh", "-o", str(tmp_path / "pd.csv")])
    assert result.status == 2
    assert result.error_line == (
        f"amts build-parallel-data: error: {pairs}:1: the header ['en', 'es'] must name the languages en and zh "
        "(one column each)"
    )


def test_a_tmx_file_that_is_not_well_formed_is_named_with_the_xml_error(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.tmx"
    pairs.write_text('<tmx version="1.4"><body><tu>', encoding="utf-8")
    result = run_cli(["build-parallel-data", str(pairs), "--pair", "en-zh", "-o", str(tmp_path / "out" / "pd.csv")])
    assert result.status == 2
    assert result.error_line.startswith(f"amts build-parallel-data: error: {pairs}:1: not well-formed XML at line 1")
    assert files_under(tmp_path / "out") == []
