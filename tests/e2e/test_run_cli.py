"""``amts run`` on a user's book: one translated file per source chapter and pair, the reports, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from amts.evaluate import RunReport

from amts_local.cli import main
from amts_local.samplebook import CHAPTERS, NEW_CHAPTER, edited_new_chapter, write_sample_book
from tests.clirun import run_cli, tree_hashes, write_pipeline_config
from tests.e2e.conftest import sample_book_and_old_source

pytestmark = pytest.mark.slow


def test_a_missing_book_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["run", "--book", str(tmp_path / "nope"), "--pairs", "en-zh", "-o", str(tmp_path / "out")])
    assert status == 2
    assert "nope: book folder not found" in capsys.readouterr().err


def test_a_book_without_its_source_folder_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "book" / "zh").mkdir(parents=True)
    (tmp_path / "book" / "zh" / "a.md").write_text("# 标题\n", encoding="utf-8")
    status = main(["run", "--book", str(tmp_path / "book"), "--pairs", "en-zh", "-o", str(tmp_path / "out")])
    assert status == 2
    assert "no source folder en/" in capsys.readouterr().err


def test_run_with_an_old_source_translates_every_chapter_and_syncs_the_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a book whose English was edited since the translations were made, and the previous English
    book, old = sample_book_and_old_source(tmp_path)
    (book / "en" / NEW_CHAPTER).write_text(edited_new_chapter(), encoding="utf-8")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.md")}
    out = tmp_path / "out"

    # When it runs for both pairs
    status = main(["run", "--book", str(book), "--pairs", "en-zh,en-es", "--old-source", str(old), "-o", str(out)])

    # Then it succeeds with one file per source chapter and pair, and the reports
    printed = capsys.readouterr().out
    assert status == 0, printed
    for target in ("zh", "es"):
        for chapter in CHAPTERS:
            assert (out / target / chapter).is_file(), f"{target}/{chapter}"
    assert (out / "report.html").is_file()
    assert (out / "report.json").is_file()
    assert "previous: SUCCEEDED" in printed
    assert "current: SUCCEEDED" in printed
    assert f"review page: {out.resolve() / 'review.html'}: " in printed
    # and the inputs are untouched
    assert {p: p.read_bytes() for p in before} == before


def test_a_human_chapter_that_cannot_be_synced_is_never_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the sample book, whose Chinese for one chapter is the translation of another text altogether
    book = write_sample_book(tmp_path / "book").root
    chapter = next(c for c in CHAPTERS if c != NEW_CHAPTER and (book / "zh" / c).is_file())
    foreign = (book / "zh" / chapter).read_text(encoding="utf-8")
    other = next(c for c in CHAPTERS if c not in (chapter, NEW_CHAPTER) and (book / "zh" / c).is_file())
    (book / "zh" / chapter).write_text((book / "zh" / other).read_text(encoding="utf-8"), encoding="utf-8")
    human = (book / "zh" / chapter).read_bytes()
    assert human != foreign.encode()
    out = tmp_path / "out"

    # When the book runs through the local pipeline (the deployed state machine and handlers)
    status = main(["run", "--book", str(book), "--pairs", "en-zh", "-o", str(out)])

    # Then the human chapter is published byte for byte, the machine translation is offered beside it with a
    # review marker on every block, and the report says why
    printed = capsys.readouterr().out
    assert status == 0, printed
    assert (out / "zh" / chapter).read_bytes() == human
    proposal = (out / "zh" / chapter).with_name(Path(chapter).stem + ".amts-proposal.md").read_text(encoding="utf-8")
    assert "<!-- amts:review reasons=machine-translation" in proposal
    report = (out / "report.md").read_text(encoding="utf-8")
    assert f"kept the human file of {chapter}: not synced, human file kept" in report
    assert "kept their human translation" in printed
    # and the review page lists the chapter once, as refused, pointing to the proposal
    refused = [row for row in RunReport.model_validate_json((out / "report.json").read_text("utf-8")).segments
               if row.chapter == chapter]  # fmt: skip
    assert [(row.classes, row.file) for row in refused] == [(["refused"], f"zh/{chapter}")]
    assert 'data-class="refused"' in (out / "review.html").read_text(encoding="utf-8")


def test_run_keeps_the_human_sentence_of_an_english_sentence_changed_by_a_word(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a book whose English changed one word in one sentence since its Chinese was made
    book, old = sample_book_and_old_source(tmp_path)
    chapter = next(c for c in CHAPTERS if c != NEW_CHAPTER and (book / "zh" / c).is_file())
    english = (book / "en" / chapter).read_text(encoding="utf-8")
    sentence = next(line for line in english.split("\n") if len(line) > 80 and " the " in line and line[:1].isalpha())
    (book / "en" / chapter).write_text(english.replace(sentence, sentence.replace(" the ", " this ", 1)), "utf-8")
    human = (book / "zh" / chapter).read_text(encoding="utf-8")
    out = tmp_path / "out"

    # When it runs through the local pipeline (the deployed steps)
    status = main(["run", "--book", str(book), "--pairs", "en-zh", "--old-source", str(old), "-o", str(out)])

    # Then the Chinese of that sentence is kept, marked with the English change, and nothing is machine-translated
    assert status == 0, capsys.readouterr().err
    published = (out / "zh" / chapter).read_text(encoding="utf-8")
    assert "reasons=fuzzy-kept" in published
    assert "change: the → this" in published
    assert "[pseudo" not in published
    kept = [line for line in human.split("\n") if line.strip() and not line.startswith(("#", ":", "```"))]
    assert all(line in published for line in kept[:3])


def test_a_pair_outside_cdk_json_runs_with_its_own_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given the sample book's English, a French folder, and a pipeline config that names en-fr (cdk.json does not)
    book = write_sample_book(tmp_path / "sample").root
    (tmp_path / "book").mkdir()
    shutil.copytree(book / "en", tmp_path / "book" / "en")
    (tmp_path / "book" / "fr").mkdir()
    config_file = write_pipeline_config(tmp_path / "pipeline.json", "fr")
    out = tmp_path / "out"
    argv = ["run", "--book", str(tmp_path / "book"), "--pairs", "en-fr", "-o", str(out)]

    # When it runs without the config, then the pair is refused, naming the configured ones
    assert main(argv) == 2
    assert "language pair 'en-fr' is not configured; configured pairs: en-zh, en-es" in capsys.readouterr().err

    # When it runs with --config, then every chapter is translated into French and --json reports the phase
    status = main([*argv, "--config", str(config_file), "--json"])
    printed = capsys.readouterr()
    assert status == 0, printed.err
    for chapter in CHAPTERS:
        assert (out / "fr" / chapter).is_file(), chapter
    [phase] = json.loads(printed.out)
    assert phase["status"] == "SUCCEEDED"
    assert phase["characters_billed"] > 0


def test_a_translation_only_file_and_a_refused_name_are_reported_and_left_alone(tmp_path: Path) -> None:
    # Given a book whose Chinese folder has one file more than the English (a translator's own notes), and an
    # English chapter whose name holds a control character (the pipeline's key validator refuses it)
    book = write_sample_book(tmp_path / "book").root
    notes = book / "zh" / "notes" / "translators.md"
    notes.parent.mkdir()
    notes.write_text("# 译者说明\n\n这一章只有中文版本，记录了翻译时的约定。\n", encoding="utf-8")
    (book / "en" / "bad\x07name.md").write_text("# Title\n\nA sentence to translate.\n", encoding="utf-8")
    before = tree_hashes(book)
    out = tmp_path / "out"

    # When the book runs through the local pipeline
    result = run_cli(["run", "--book", str(book), "--pairs", "en-zh", "-o", str(out)])

    # Then the run translates the rest of the book; the two files are named and left alone (not uploaded, no output)
    assert result.status == 0, result.err
    assert "left alone: zh/notes/translators.md: a translation without a en/ chapter of that path (not uploaded)" in (
        result.out
    )
    assert "left alone: en/bad\\x07name.md: control character U+0007 in the name (not uploaded)" in result.out
    assert "run: SUCCEEDED" in result.out
    assert {str(p.relative_to(out / "zh")) for p in (out / "zh").rglob("*.md")} == set(CHAPTERS)
    assert f"outputs in {out.resolve()}" in result.out
    assert tree_hashes(book) == before


def test_a_book_with_no_chapter_the_pipeline_accepts_is_refused_before_it_runs(tmp_path: Path) -> None:
    book = tmp_path / "book"
    (book / "en").mkdir(parents=True)
    (book / "en" / "bad\x07name.md").write_text("# Title\n\nA sentence to translate.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(["run", "--book", str(book), "--pairs", "en-zh", "-o", str(out)])
    assert result.status == 2
    assert result.error_line == (
        f"amts run: error: {book}: no chapter of en/ can be uploaded: en/bad\\x07name.md: control character U+0007 "
        "in the name"
    )
    assert result.out == ""
    assert not out.exists()
