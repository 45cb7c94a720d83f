"""``amts sync`` (file and directory forms) and ``amts review-list``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amts_local.cli import main
from tests.unit.sync.samples import NEW_SOURCE, OLD_SOURCE, OLD_TARGET, OTHER_TARGET


def args(**options: str) -> list[str]:
    """``sync`` command-line arguments from keyword options (``old_source`` -> ``--old-source``)."""
    result = ["sync"]
    for name, value in options.items():
        result += [f"--{name.replace('_', '-')}", value]
    return result


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.usefixtures("use_aligner")
def test_sync_file_form_writes_output_report_and_memory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path / "old.md", OLD_SOURCE)
    tgt = write(tmp_path / "tgt.md", OLD_TARGET)
    new = write(tmp_path / "new.md", NEW_SOURCE)
    out, report = tmp_path / "out" / "out.md", tmp_path / "report.json"

    options = {"old_source": str(old), "old_target": str(tgt), "new_source": str(new), "out": str(out)}
    status = main(args(**options, report=str(report), engine="pseudo"))

    assert status == 0
    data = json.loads(report.read_text(encoding="utf-8"))
    for field in ("source_chars_total", "reused_chars", "mt_chars", "flagged_segments", "origin_counts"):
        assert field in data
    assert data["mt_chars"] == len("Typical examples include predicting costs and forecasting demand.")
    assert data["reused_chars"] + data["mt_chars"] + data["flagged_chars"] == data["source_chars_total"]
    assert "[pseudo en→zh] Typical examples" in out.read_text(encoding="utf-8")
    assert (tmp_path / "out" / ".amts" / "memory.en-zh.json").is_file()
    assert old.read_text(encoding="utf-8") == OLD_SOURCE  # inputs untouched
    assert tgt.read_text(encoding="utf-8") == OLD_TARGET
    assert "to MT (1 units, engine sync-pseudo)" in capsys.readouterr().out

    # review-list finds the marker, with its effort in characters.
    assert main(["review-list", str(out)]) == 0
    listing = capsys.readouterr().out
    assert f"{out}:4\tmachine-translation\t" in listing
    assert "To review: 1 of " in listing
    assert " blocks (machine-translated 1) in 1 files" in listing


@pytest.mark.usefixtures("use_aligner")
def test_sync_directory_form(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for root, text in (("old", OLD_SOURCE), ("tgt", OLD_TARGET), ("new", NEW_SOURCE)):
        write(tmp_path / root / "chapter_a" / "linreg.md", text)
    write(tmp_path / "new" / "chapter_a" / "fresh.md", "# Fresh\n\nA new section.\n")
    report = tmp_path / "book.json"

    status = main(
        args(
            old_source=str(tmp_path / "old"),
            old_target=str(tmp_path / "tgt"),
            new_source=str(tmp_path / "new"),
            out=str(tmp_path / "out"),
            report=str(report),
            engine="pseudo",
        )
    )

    assert status == 0
    assert (tmp_path / "out" / "chapter_a" / "linreg.md").is_file()
    # A section with no translation yet is translated whole.
    fresh = (tmp_path / "out" / "chapter_a" / "fresh.md").read_text(encoding="utf-8")
    assert "# [pseudo en→zh] Fresh\n" in fresh
    assert "[pseudo en→zh] A new section.\n" in fresh
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["problems"] == []
    assert [f["file"] for f in data["files"]] == ["chapter_a/fresh.md", "chapter_a/linreg.md"]
    assert 0 < data["workload_reduction"] < 1
    assert data["baseline_workload_reduction"] == 0.0
    assert "2 files synced, 0 kept their human file (proposal beside it), 0 not" in capsys.readouterr().out


@pytest.mark.usefixtures("use_aligner")
def test_sync_refuses_a_target_from_another_section(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path / "old.md", OLD_SOURCE)
    tgt = write(tmp_path / "tgt.md", OTHER_TARGET)
    new = write(tmp_path / "new.md", NEW_SOURCE)

    status = main(args(old_source=str(old), old_target=str(tgt), new_source=str(new), out=str(tmp_path / "out.md")))

    assert status == 2
    assert "wrong file or a different book" in capsys.readouterr().err
    assert not (tmp_path / "out.md").exists()


def test_sync_bad_input_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path / "old.md", OLD_SOURCE)
    broken = write(tmp_path / "tgt.md", "# Title\n\n```{.python .input}\nx = 1\n")
    status = main(args(old_source=str(old), old_target=str(broken), new_source=str(old), out=str(tmp_path / "out.md")))
    assert status == 2
    assert str(broken) in capsys.readouterr().err


def test_review_list_on_a_clean_book(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "book" / "a.md", OLD_TARGET)
    assert main(["review-list", str(tmp_path / "book"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_review_list_skips_proposals_and_survives_an_empty_chapter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Given a synced book with one marked chapter, the proposal offered beside a kept human chapter (marked
    throughout), and an empty chapter
    When the book's markers are listed
    Then only the chapter's marker is counted, and the empty chapter neither stops the listing nor adds to it."""
    marker = "<!-- amts:review reasons=machine-translation segments=s0002 chars=12 mt=1:12 -->"
    write(tmp_path / "book" / "ch" / "a.md", f"# 标题\n\n{marker}\n\n〔机翻〕一段话。\n")
    write(tmp_path / "book" / "ch" / "b.amts-proposal.md", f"# 标题\n\n{marker}\n\n〔机翻〕另一段。\n")
    write(tmp_path / "book" / "ch" / "c.md", "")

    assert main(["review-list", str(tmp_path / "book")]) == 0

    listing = capsys.readouterr().out
    assert "To review: 1 of 2 blocks (machine-translated 1) in 1 files" in listing
    # 12 characters of MT to post-edit weigh 0.6 each
    assert "Effort: about 7 weighted source characters (of 12 source characters to check)" in listing
    assert "1 machine-translated sentences to post-edit (12 characters)" in listing
    assert "kept without a marker: 1 segments / 2 translated chars" in listing
