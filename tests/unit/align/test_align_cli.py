"""``amts align`` and ``amts pairs`` as a user runs them, including bad input."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from amts.align.beadio import check_coverage, parse_beads

from amts_local.cli import main
from tests.unit.align.samples import EN, EN_MD, ES, UNRELATED_ZH, ZH, ZH_MD


def write(path: Path, lines: list[str]) -> str:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_align_prints_vecalign_beads_covering_every_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src, tgt = write(tmp_path / "en.txt", EN), write(tmp_path / "zh.txt", ZH[:4] + ZH[5:])
    assert main(["align", src, tgt, "--src", "en", "--tgt", "zh"]) == 0
    out = capsys.readouterr().out
    beads = parse_beads(out)
    check_coverage(beads, len(EN), len(ZH) - 1)
    assert out.splitlines()[0] == "[0]:[0]"
    assert "[4]:[]" in out.splitlines()


def test_align_keeps_blank_lines_as_their_own_indices(tmp_path: Path) -> None:
    src = write(tmp_path / "en.txt", [EN[0], "", *EN[1:4]])
    tgt = write(tmp_path / "zh.txt", ZH[:4])
    out = tmp_path / "beads.txt"
    assert main(["align", src, tgt, "--src", "en", "--tgt", "zh", "-o", str(out)]) == 0
    beads = parse_beads(out.read_text())
    check_coverage(beads, 5, 4)
    assert ((1,), ()) in [(b.src, b.tgt) for b in beads]


def test_align_spanish_to_english(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src, tgt = write(tmp_path / "es.txt", ES), write(tmp_path / "en.txt", EN)
    assert main(["align", src, tgt, "--src", "es", "--tgt", "en"]) == 0
    assert capsys.readouterr().out.splitlines() == [f"[{i}]:[{i}]" for i in range(len(EN))]


@pytest.mark.parametrize(
    ("src_lines", "tgt_lines", "args", "message"),
    [
        (EN, [], ["--src", "en", "--tgt", "zh"], "zh.txt: no sentences"),
        (EN, ZH, ["--src", "zh", "--tgt", "en"], "en.txt: source language is 'zh'"),
        (EN, ZH, ["--src", "en", "--tgt", "xx"], "unknown target language 'xx'"),
        (EN, ZH, ["--src", "en", "--tgt", "en"], "both 'en'"),
        (EN, ES, ["--src", "en", "--tgt", "zh"], "es.txt: target language is 'zh'"),
        (EN, UNRELATED_ZH, ["--src", "en", "--tgt", "zh"], "low-confidence alignment"),
    ],
)
def test_align_bad_input_is_a_clear_error(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    src_lines: list[str],
    tgt_lines: list[str],
    args: list[str],
    message: str,
) -> None:
    src = write(tmp_path / "en.txt", src_lines)
    tgt = write(tmp_path / ("es.txt" if tgt_lines is ES else "zh.txt"), tgt_lines)
    assert main(["align", src, tgt, *args]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""


def test_align_missing_file_names_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["align", str(tmp_path / "nope.txt"), str(tmp_path / "zh.txt"), "--src", "en", "--tgt", "zh"]) == 2
    assert "nope.txt: file not found" in capsys.readouterr().err


def test_pairs_writes_csv_and_reports_one_sided_tabs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "en.md").write_text(EN_MD, encoding="utf-8")
    (tmp_path / "zh.md").write_text(ZH_MD, encoding="utf-8")
    out = tmp_path / "pairs.csv"
    status = main(
        ["pairs", str(tmp_path / "en.md"), str(tmp_path / "zh.md"), "--src", "en", "--tgt", "zh", "-o", str(out)]
    )
    assert status == 0
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["en", "zh"]
    assert [EN[3], ZH[3]] in rows
    assert ["The linear regression model.", "线性回归模型"] in rows
    assert len(rows) - 1 == 11  # ten sample sentences plus the caption
    report = capsys.readouterr().out
    assert "tab jax (one-sided tab)" in report
    assert "tab paddle (one-sided tab)" in report


def test_pairs_paragraph_granularity_and_folders(tmp_path: Path) -> None:
    for side, text in (("en", EN_MD), ("zh", ZH_MD)):
        (tmp_path / side / "chapter").mkdir(parents=True)
        (tmp_path / side / "chapter" / "linreg.md").write_text(text, encoding="utf-8")
    (tmp_path / "en" / "chapter" / "only-en.md").write_text(EN_MD, encoding="utf-8")
    out, report = tmp_path / "pairs.csv", tmp_path / "report.json"
    args = ["pairs", str(tmp_path / "en"), str(tmp_path / "zh"), "--src", "en", "--tgt", "zh"]
    assert main([*args, "--granularity", "paragraph", "-o", str(out), "--report", str(report)]) == 0
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert [f"{EN[1]} {EN[2]}", f"{ZH[1]}{ZH[2]}"] in rows
    assert '"source file without a target file": 1' in report.read_text()


def test_pairs_on_unrelated_files_reports_low_confidence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "en.md").write_text("\n\n".join(EN[1:9]) + "\n", encoding="utf-8")
    (tmp_path / "zh.md").write_text("\n\n".join(UNRELATED_ZH[:8]) + "\n", encoding="utf-8")
    out = tmp_path / "pairs.csv"
    args = ["pairs", str(tmp_path / "en.md"), str(tmp_path / "zh.md"), "--src", "en", "--tgt", "zh", "-o", str(out)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "low-confidence alignment" in err
    assert "pairs dropped" in err
    assert not out.exists()
