"""Operating-system errors at the file boundary: one line naming the path and the problem, exit 2, never a traceback.

Each case is a kind of input people produce: a symbolic link loop, a memory path under a regular file, ``-o``
naming a folder, a folder named like a chapter, a file or folder the user may not read, a chapter that is a link
to a file outside the book. Inputs stay byte for byte as they were and no output is written in part.
"""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from amts.errors import InputError
from amts.fsio import list_files, read_text, sweep_temporaries, write_atomic

from tests.clirun import files_under, run_cli, run_cli_as, tree_hashes

CHAPTER = "# Tensors\n\nA tensor holds numbers in a grid. Its shape says how many.\n\n```python\nx = 1\n```\n"
CHINESE = "# 张量\n\n张量把数字放在网格里。它的形状说明有多少。\n\n```python\nx = 1\n```\n"


def book(root: Path) -> Path:
    (root / "en" / "ch").mkdir(parents=True)
    (root / "zh" / "ch").mkdir(parents=True)
    (root / "en" / "ch" / "a.md").write_text(CHAPTER, encoding="utf-8")
    (root / "zh" / "ch" / "a.md").write_text(CHINESE, encoding="utf-8")
    return root


def test_a_symbolic_link_loop_is_named(tmp_path: Path) -> None:
    # Given a chapter that is a link to itself
    loop = tmp_path / "loop.md"
    loop.symlink_to("loop.md")
    # When it is read, then one line names it and the loop, exit 2
    result = run_cli(["segment", str(loop), "--lang", "en"])
    assert result.status == 2
    assert (
        result.error_line == f"amts segment: error: {loop}: cannot read: too many levels of symbolic links (a "
        "symbolic link loop?)"
    )


def test_a_symbolic_link_loop_inside_a_book_is_named_before_anything_is_written(tmp_path: Path) -> None:
    root = book(tmp_path / "book")
    (root / "en" / "ch" / "loop.md").symlink_to("loop.md")
    before = tree_hashes(root)
    result = run_cli(["pairs", str(root / "en"), str(root / "zh"), "--src", "en", "--tgt", "zh", "-o",
                      str(tmp_path / "out" / "pairs.csv")])  # fmt: skip
    assert result.status == 2
    assert result.error_line.endswith(f"{root / 'en' / 'ch' / 'loop.md'}: too many levels of symbolic links (a "
                                      "symbolic link loop?)")  # fmt: skip
    assert tree_hashes(root) == before
    assert files_under(tmp_path / "out") == []


def test_a_memory_path_under_a_regular_file_is_named(tmp_path: Path) -> None:
    # Given a --memory whose folder is in fact a file
    for name, text in (("old.md", CHAPTER), ("tgt.md", CHINESE), ("new.md", CHAPTER)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "state").write_text("not a folder", encoding="utf-8")
    before = tree_hashes(tmp_path)
    # When a sync is asked to keep its memory there
    result = run_cli(["sync", "--old-source", str(tmp_path / "old.md"), "--old-target", str(tmp_path / "tgt.md"),
                      "--new-source", str(tmp_path / "new.md"), "-o", str(tmp_path / "out" / "new.md"),
                      "--memory", str(tmp_path / "state" / "memory.json")])  # fmt: skip
    # Then one line names the file in the way, and nothing was written
    assert result.status == 2
    assert result.error_line == f"amts sync: error: {tmp_path / 'state'}: a part of the path is a file, not a folder"
    assert tree_hashes(tmp_path) == before
    assert not (tmp_path / "out").exists()


def test_an_output_naming_an_existing_folder_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "a.md"
    source.write_text(CHAPTER, encoding="utf-8")
    (tmp_path / "html").mkdir()
    result = run_cli(["to-html", str(source), "-o", str(tmp_path / "html")])
    assert result.status == 2
    assert result.error_line == (
        f"amts to-html: error: {tmp_path / 'html'}: is a directory; give a file name for this output"
    )
    assert files_under(tmp_path / "html") == []


def test_a_run_whose_output_folder_cannot_be_created_is_refused_before_it_starts(tmp_path: Path) -> None:
    # Given a book, and an output path under a regular file
    root = book(tmp_path / "book")
    (tmp_path / "notes.md").write_text("a file", encoding="utf-8")
    before = tree_hashes(tmp_path)
    # When the book is run into it, then one line names the file in the way before anything runs
    result = run_cli(["run", "--book", str(root), "--pairs", "en-zh", "-o", str(tmp_path / "notes.md" / "out")])
    assert result.status == 2
    assert result.error_line == f"amts run: error: {tmp_path / 'notes.md'}: a part of the path is a file, not a folder"
    assert result.out == ""
    assert tree_hashes(tmp_path) == before


def test_a_folder_named_like_a_chapter_is_a_folder(tmp_path: Path) -> None:
    # Given a book with a folder called notes.md (holding a chapter of its own) next to its chapters
    root = book(tmp_path / "book")
    for lang, text in (("en", CHAPTER), ("zh", CHINESE)):
        (root / lang / "notes.md").mkdir()
        (root / lang / "notes.md" / "b.md").write_text(text, encoding="utf-8")
    before = tree_hashes(root)
    # When the book's files are paired, then the folder is walked into, never read as a chapter
    result = run_cli(["check-skeleton", str(root / "zh"), str(root / "en")])
    assert (result.status, result.err) == (0, "")
    assert "0 structural differences in 0 of 2 files" in result.out
    assert tree_hashes(root) == before


def test_a_chapter_linked_to_a_file_outside_the_book_is_refused(tmp_path: Path) -> None:
    # Given a book whose English chapter is a symbolic link to a file elsewhere
    root = book(tmp_path / "book")
    outside = tmp_path / "elsewhere.md"
    outside.write_text(CHAPTER, encoding="utf-8")
    (root / "en" / "ch" / "b.md").symlink_to(outside)
    before = tree_hashes(root, outside)
    # When the book is read, then the link is named with its target, exit 2, nothing written
    result = run_cli(["pairs", str(root / "en"), str(root / "zh"), "--src", "en", "--tgt", "zh", "-o",
                      str(tmp_path / "out" / "pairs.csv")])  # fmt: skip
    assert result.status == 2
    assert result.error_line == (
        f"amts pairs: error: {root / 'en' / 'ch' / 'b.md'}: is a symbolic link to {outside.resolve()}, outside "
        f"{(root / 'en').resolve()}; AMTS reads a book's files from inside the book only (copy the file in instead)"
    )
    assert tree_hashes(root, outside) == before
    assert not (tmp_path / "out").exists()


def test_a_chapter_folder_linked_to_a_folder_outside_the_book_is_refused(tmp_path: Path) -> None:
    # Given a book whose English has a folder of chapters that is a link to a folder elsewhere (which a walk that
    # does not follow links would skip without a word)
    root = book(tmp_path / "book")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "c.md").write_text(CHAPTER, encoding="utf-8")
    (root / "en" / "more").symlink_to(elsewhere, target_is_directory=True)
    # When the book's chapters are listed, then the link is named
    result = run_cli(["estimate", str(root / "en"), "--pairs", "en-zh"])
    assert result.status == 2
    assert result.error_line.startswith(
        f"amts estimate: error: {root / 'en' / 'more'}: is a symbolic link to {elsewhere.resolve()}, outside "
    )


def test_a_link_between_chapters_of_the_book_is_read() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = book(Path(folder) / "book")
        (root / "en" / "b.md").symlink_to(root / "en" / "ch" / "a.md")
        assert [p.name for p in list_files(root / "en")] == ["b.md", "a.md"]


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder every user may enter (pytest's own temporary folders are private to their owner)."""
    folder = Path(tempfile.mkdtemp(prefix="amts-perm-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in folder.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        shutil.rmtree(folder)


def _as_a_user_without_access(argv: list[str]) -> tuple[int, str]:
    """Run as this user when not root (chmod 000 then denies), else as 'nobody' in a forked child."""
    if os.geteuid() != 0:
        result = run_cli(argv)
    else:
        try:
            pwd.getpwnam("nobody")
        except KeyError:
            pytest.skip("running as root and there is no 'nobody' user to drop to")
        result = run_cli_as("nobody", argv)
    assert "Traceback" not in result.err, result.err
    return result.status, result.error_line


def test_a_file_the_user_may_not_read_is_named(shared_folder: Path) -> None:
    # Given a chapter nobody but its owner may read
    secret = shared_folder / "secret.md"
    secret.write_text(CHAPTER, encoding="utf-8")
    assert run_cli(["segment", str(secret), "--lang", "en"]).status == 0  # (and every module is loaded)
    secret.chmod(0o000)
    # When another user segments it, then one line names the file and the problem, exit 2
    status, line = _as_a_user_without_access(["segment", str(secret), "--lang", "en"])
    assert status == 2
    assert line == f"amts segment: error: {secret}: cannot read: permission denied"


def test_a_book_folder_the_user_may_not_list_is_named(shared_folder: Path) -> None:
    # Given a book with a chapter folder only its owner may open
    root = book(shared_folder / "book")
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    out = shared_folder / "out"
    out.mkdir(mode=0o777)
    out.chmod(0o777)
    argv = ["check-skeleton", str(root / "zh"), str(root / "en"), "--report", str(out / "diff.json")]
    assert run_cli(argv).status == 0
    (out / "diff.json").unlink()
    (root / "zh" / "ch").chmod(0o000)
    # When another user compares the book, then the folder is named (never a silently shorter book)
    status, line = _as_a_user_without_access(argv)
    assert status == 2
    assert line == f"amts check-skeleton: error: {root / 'zh' / 'ch'}: cannot list the folder: permission denied"
    assert files_under(out) == []


def test_read_text_names_a_directory() -> None:
    with tempfile.TemporaryDirectory() as folder, pytest.raises(InputError, match="is a directory, expected a file"):
        read_text(folder)


def test_temporary_files_of_a_killed_writer_are_removed_by_the_next_write(tmp_path: Path) -> None:
    # Given the temporary files a killed run left (its process is gone), one of a live writer, and another tool's
    dead = 2**22 + 12345  # above the default pid_max: no such process
    assert not Path(f"/proc/{dead}").exists()
    left = tmp_path / f".chapter.md.amts-{dead}-0a1b2c3d.tmp"
    live = tmp_path / f".other.md.amts-{os.getppid()}-0a1b2c3d.tmp"
    foreign = tmp_path / ".chapter.md.x1y2.tmp"
    journal = tmp_path / ".chapter.md.amts-0a1b2c3d.tmp"  # a sync journal's file: the journal decides
    for path in (left, live, foreign, journal):
        path.write_text("partial", encoding="utf-8")
    # When the next run writes into that folder
    write_atomic(tmp_path / "chapter.md", "# done\n")
    # Then the dead writer's temporary file is gone and the others are untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["chapter.md", live.name, foreign.name, journal.name])


def test_a_temporary_file_older_than_a_day_is_stale_whatever_its_pid(tmp_path: Path) -> None:
    old = tmp_path / f".a.md.amts-{os.getppid()}-00ff.tmp"
    old.write_text("partial", encoding="utf-8")
    day_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (day_ago, day_ago))
    assert sweep_temporaries(tmp_path) == [old]
