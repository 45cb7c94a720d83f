"""One test per class of issue 15 ("every bad or unusual input: a clear answer, never a silent wrong result"),
through the command line on samples written here: the exit status, the one line naming the file and line, the
inputs unchanged by hash, and no output written in part.

The other tests of the classes: operating-system errors (class 3) in ``test_file_boundary.py`` and
``test_outputs_outside_inputs.py``; wrong answers with exit 0 (class 4) in
``tests/unit/evaluate/test_eval_coverage.py``, ``tests/unit/align/test_align_one_sided.py`` and
``tests/unit/translate/test_translate_cli_inputs.py``; the local pipeline on a book with a translation-only file
(class 5) in ``tests/e2e/test_run_cli.py``; and the property test over every command in ``test_cli_properties.py``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.clirun import files_under, run_cli, tree_hashes

FOREIGN = (
    "---\ntitle: Secret Title\n---\n\n"
    "# Tensors {#sec-tensors .unnumbered}\n\n"
    'A tensor holds numbers.[^grid] See <img src="grid.svg" alt="grid"> for a picture.\n\n'
    "~~~python\nsecret_code = 1\n~~~\n\n"
    "[^grid]: A grid of numbers.\n"
)
OLD_EN = (
    "# Tensors\n\nA tensor holds numbers in a grid.\n\nIts shape says how many numbers each axis has.\n\n"
    "```python\nx = 1\n```\n"
)
NEW_EN = OLD_EN.replace("Its shape says", "Its shape tells us") + "\nA brand new closing remark about shapes.\n"
ZH = "# 张量\n\n张量把数字放在网格里。\n\n它的形状说明每个轴有多少个数字。\n\n```python\nx = 1\n```\n"


def _translatable(html: str) -> str:
    """The text of the HTML that Translate may change: tags and ``translate="no"`` spans removed."""
    kept = re.sub(r'<span translate="no"[^>]*>.*?</span>', "", html)
    kept = re.sub(r"<title[^>]*>.*?</title>", "", kept)
    return re.sub(r"<[^>]+>", "", kept)


def test_class_1_markdown_the_model_does_not_know_is_protected_or_refused(tmp_path: Path) -> None:
    # Given a chapter with front matter, heading attributes, a raw-HTML attribute, a footnote and a ~~~ fence
    chapter = tmp_path / "a.md"
    chapter.write_text(FOREIGN, encoding="utf-8")
    before = tree_hashes(chapter)
    # When its Translate HTML is made
    result = run_cli(["to-html", str(chapter), "-o", str(tmp_path / "out" / "a.html")])
    # Then none of them reaches the translator as text
    assert result.status == 0, result.err
    text = _translatable((tmp_path / "out" / "a.html").read_text(encoding="utf-8"))
    for protected in ("Secret Title", "sec-tensors", "unnumbered", "grid.svg", "[^grid]", "secret_code"):
        assert protected not in text
    assert "A tensor holds numbers." in text
    assert "A grid of numbers." in text
    # and a ~~~ fence left open is refused at the line where it opens, with nothing written
    chapter.write_text(FOREIGN.replace("secret_code = 1\n~~~\n", "secret_code = 1\n"), encoding="utf-8")
    before = tree_hashes(chapter)
    refused = run_cli(["to-html", str(chapter), "-o", str(tmp_path / "refused" / "a.html")])
    assert refused.status == 2
    assert refused.error_line.startswith(f"amts to-html: error: {chapter}:9: unterminated code fence ~~~")
    assert tree_hashes(chapter) == before
    assert files_under(tmp_path / "refused") == []


def test_class_2_an_output_keeps_its_inputs_line_endings(tmp_path: Path) -> None:
    # Given a chapter and its translation saved with a byte-order mark and CRLF line endings
    files = {}
    for name, text in (("old.md", OLD_EN), ("zh.md", ZH), ("new.md", NEW_EN)):
        files[name] = tmp_path / name
        files[name].write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    before = tree_hashes(*files.values())
    # When a change (an edited sentence, a new paragraph) is synced, machine-translated and merged
    out = tmp_path / "out" / "zh.md"
    result = run_cli(["sync", "--old-source", str(files["old.md"]), "--old-target", str(files["zh.md"]),
                      "--new-source", str(files["new.md"]), "-o", str(out), "--pair", "en-zh"])  # fmt: skip
    # Then the output has the BOM and CRLF on every line, the machine-translated lines and markers included
    assert result.status == 0, result.err
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\n") == data.count(b"\r\n") > ZH.count("\n")
    assert b"amts:review" in data
    assert tree_hashes(*files.values()) == before
    # and a file with lone-CR endings is split into its lines (its code is no segment)
    lone = tmp_path / "cr.md"
    lone.write_bytes(OLD_EN.replace("\n", "\r").encode("utf-8"))
    segmented = run_cli(["segment", str(lone), "--lang", "en"])
    assert segmented.status == 0
    assert segmented.out.splitlines() == [
        "Tensors",
        "A tensor holds numbers in a grid.",
        "Its shape says how many numbers each axis has.",
    ]


def test_class_5_a_chapter_linked_from_outside_the_book_stops_the_run_before_it_starts(tmp_path: Path) -> None:
    # Given a book whose English chapter is a symbolic link to a file outside the book
    (tmp_path / "book" / "en").mkdir(parents=True)
    outside = tmp_path / "elsewhere.md"
    outside.write_text(OLD_EN, encoding="utf-8")
    (tmp_path / "book" / "en" / "a.md").symlink_to(outside)
    before = tree_hashes(tmp_path)
    # When the book is run, then the link is named in one line and nothing runs or is written
    result = run_cli(["run", "--book", str(tmp_path / "book"), "--pairs", "en-zh", "-o", str(tmp_path / "out")])
    assert result.status == 2
    assert result.error_line.startswith(f"amts run: error: {tmp_path / 'book' / 'en' / 'a.md'}: is a symbolic link to ")
    assert result.error_line.endswith("AMTS reads a book's files from inside the book only (copy the file in instead)")
    assert result.out == ""
    assert tree_hashes(tmp_path) == before
    assert not (tmp_path / "out").exists()


def test_class_6_an_open_display_equation_is_named_where_it_opens(tmp_path: Path) -> None:
    # Given a chapter whose equation on line 5 is never closed, followed by a valid one
    chapter = tmp_path / "a.md"
    chapter.write_text(
        "# Losses\n\nThe squared loss is\n\n$$l = (y - \\hat{y})^2\n\nand the absolute loss is\n\n$$l = |y|$$\n",
        encoding="utf-8",
    )
    before = tree_hashes(chapter)
    result = run_cli(["to-html", str(chapter), "-o", str(tmp_path / "out" / "a.html")])
    assert result.status == 2
    assert result.error_line == f"amts to-html: error: {chapter}:5: unterminated $$ display math (no closing $$)"
    assert tree_hashes(chapter) == before
    assert files_under(tmp_path / "out") == []


def test_class_6_a_glossary_entry_is_named_at_its_own_line_as_written(tmp_path: Path) -> None:
    # Given a glossary whose second term spans two lines, and whose third is a spreadsheet formula
    glossary = tmp_path / "glossary.csv"
    glossary.write_text('en,zh\ntensor,张量\n"learning\nrate",学习率\n=SUM(A1:A2),求和\nloss,损失\n', encoding="utf-8")
    before = tree_hashes(glossary)
    result = run_cli(["import-terminology", str(glossary), "--pair", "en-zh", "-o", str(tmp_path / "out" / "t.csv")])
    assert result.status == 0, result.err
    assert f"{glossary}:5: dropped '=SUM(A1:A2)': leading_forbidden_character" in result.out
    assert tree_hashes(glossary) == before


def test_class_7_a_temporary_file_a_killed_writer_left_is_removed_by_the_next_write(tmp_path: Path) -> None:
    # Given a writer killed after writing its temporary file and before the rename that publishes it
    out = tmp_path / "out"
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, sys, time\n"
            "from amts import fsio\n"
            "os.replace = lambda *a: (print('written', flush=True), time.sleep(60))\n"
            "fsio.write_atomic(sys.argv[1], 'half a report')\n",
            str(out / "report.html"),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "written"
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    left = [name for name in files_under(out) if name.endswith(".tmp")]
    assert len(left) == 1
    assert left[0].startswith(f".report.html.amts-{writer.pid}-")
    assert not (out / "report.html").exists()  # never half a report under its real name
    # When the next command writes into that folder
    chapter = tmp_path / "a.md"
    chapter.write_text(OLD_EN, encoding="utf-8")
    time.sleep(0.05)
    result = run_cli(["to-html", str(chapter), "-o", str(out / "a.html")])
    # Then the leftover is gone and only the new output is there
    assert result.status == 0, result.err
    assert files_under(out) == ["a.html"]


def test_class_5_a_chapter_the_model_refuses_stops_the_run_before_it_starts(tmp_path: Path) -> None:
    # Given a book with a good chapter and one whose code fence on line 7 is never closed
    (tmp_path / "book" / "en").mkdir(parents=True)
    (tmp_path / "book" / "en" / "a.md").write_text(OLD_EN, encoding="utf-8")
    broken = tmp_path / "book" / "en" / "b.md"
    broken.write_text(OLD_EN.replace("x = 1\n```\n", "x = 1\n"), encoding="utf-8")
    before = tree_hashes(tmp_path)
    # When the book is run, then the chapter is named at the line of the open fence, and nothing runs
    result = run_cli(["run", "--book", str(tmp_path / "book"), "--pairs", "en-zh", "-o", str(tmp_path / "out")])
    assert result.status == 2
    assert result.error_line == f"amts run: error: {broken}:7: unterminated code fence ``` (no closing ``` line)"
    assert result.out == ""
    assert tree_hashes(tmp_path) == before
    assert not (tmp_path / "out").exists()


def test_class_5_a_translation_only_file_is_named_by_a_book_sync(tmp_path: Path) -> None:
    # Given a book whose Chinese folder has a translator's file that no English chapter has
    for folder, text in (("old", OLD_EN), ("zh", ZH), ("new", NEW_EN)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "a.md").write_text(text, encoding="utf-8")
    (tmp_path / "zh" / "notes.md").write_text("# 译者说明\n\n这个文件只有中文。\n", encoding="utf-8")
    before = tree_hashes(tmp_path)
    # When the book is synced, then the file is named as left alone (it is not in the output), here and in the report
    result = run_cli(["sync", "--old-source", str(tmp_path / "old"), "--old-target", str(tmp_path / "zh"),
                      "--new-source", str(tmp_path / "new"), "-o", str(tmp_path / "out"), "--pair", "en-zh",
                      "--report", str(tmp_path / "report.json")])  # fmt: skip
    assert result.status == 0, result.err
    assert "left alone: notes.md: a translation with no chapter of that path in the new source (not in the output)" in (
        result.out
    )
    assert json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["translations_left_alone"] == ["notes.md"]
    assert [name for name in files_under(tmp_path / "out") if name.endswith(".md")] == ["a.md"]
    assert {k: v for k, v in tree_hashes(tmp_path).items() if "/out/" not in k and "report" not in k} == before
