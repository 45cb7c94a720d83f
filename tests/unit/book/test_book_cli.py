"""The book area's commands: amts segment, roundtrip, to-html, from-html."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amts_local.cli import main

from .test_book_html import DOC_TEXT


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode())
    return path


def test_segment_prints_sentences_one_per_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(
        tmp_path / "a.md",
        "# The Title\n:label:`sec_a`\n\n* First *one*.  Second\n  with `x. Y` here.\n\n```python\nx = 1\n```\n",
    )
    assert main(["segment", str(source), "--lang", "en"]) == 0
    assert capsys.readouterr().out == "The Title\nFirst *one*.\nSecond with `x. Y` here.\n"


def test_segment_joins_chinese_lines_without_spaces(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(tmp_path / "zh.md", "我们读取\n数据集。然后$x$训练。\n")
    assert main(["segment", str(source), "--lang", "zh"]) == 0
    assert capsys.readouterr().out == "我们读取数据集。\n然后$x$训练。\n"


def test_segment_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(tmp_path / "a.md", ":begin_tab:`pytorch`\nTab text. More.\n:end_tab:\n")
    assert main(["segment", str(source), "--lang", "en", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record == {
        "id": "s0001",
        "kind": "paragraph",
        "line": 2,
        "sentences": ["Tab text.", "More."],
        "tab": ["pytorch"],
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"# T\n\n\xff\xfe bad\n", "invalid UTF-8"),
        (b"# T\n\n```python\nx\n", "unterminated code fence"),
        (b"$$x\n", "unterminated $$"),
        (b":begin_tab:`a`\nx\n", "unbalanced :begin_tab:"),
    ],
)
def test_segment_bad_input_exits_2_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, message: str
) -> None:
    source = tmp_path / "bad.md"
    source.write_bytes(data)
    assert main(["segment", str(source), "--lang", "en"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no partial output
    assert f"{source}:" in captured.err
    assert message in captured.err


def test_segment_rejects_an_unknown_language(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(tmp_path / "a.md", "Text.\n")
    assert main(["segment", str(source), "--lang", "xx"]) == 2
    assert "unknown language code 'xx'" in capsys.readouterr().err


def test_roundtrip_counts_files_and_fails_on_bad_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "a.md", DOC_TEXT)
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub" / "b.md", "\ufeff# T\r\n\r\nText [**here**].\r\n")
    write(tmp_path / "notes.txt", "not markdown")
    assert main(["roundtrip", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "2/2 files ok\n"
    write(tmp_path / "sub" / "c.md", "```\nopen fence\n")
    assert main(["roundtrip", str(tmp_path)]) == 2
    out = capsys.readouterr().out
    assert out.startswith("2/3 files ok\n")
    assert "c.md:1: unterminated code fence" in out


def test_roundtrip_missing_path_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["roundtrip", str(tmp_path / "nope")]) == 2
    assert "no such file or directory" in capsys.readouterr().err


def test_to_html_and_from_html_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(tmp_path / "a.md", DOC_TEXT)
    html_path = tmp_path / "out" / "a.html"
    assert main(["to-html", str(source), "-o", str(html_path)]) == 0
    translated = write(tmp_path / "t.html", html_path.read_text().replace("Plain words.", "Palabras."))
    out_md = tmp_path / "a.es.md"
    assert main(["from-html", str(source), str(translated), "-o", str(out_md)]) == 0
    assert out_md.read_text() == DOC_TEXT.replace("Plain words.", "Palabras.")
    assert source.read_text() == DOC_TEXT  # inputs are never modified
    assert "3 segments translated, 0 kept" in capsys.readouterr().out


def test_from_html_reports_issues_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(tmp_path / "a.md", DOC_TEXT)
    html_path = tmp_path / "a.html"
    assert main(["to-html", str(source), "-o", str(html_path), "--segments", "s0002"]) == 0
    damaged = write(
        tmp_path / "t.html", html_path.read_text().replace('<span translate="no" data-p="1">$y$</span>', "")
    )
    out_md = tmp_path / "a.es.md"
    assert main(["from-html", str(source), str(damaged), "-o", str(out_md), "--segments", "s0002"]) == 1
    captured = capsys.readouterr()
    assert "segment s0002 span '$y$': dropped-span" in captured.err
    assert out_md.read_text() == DOC_TEXT
