"""The shared file helpers: atomic, readable outputs and strict UTF-8 inputs."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest
from amts.errors import InputError
from amts.fsio import decode_text, read_text, write_atomic


def test_write_atomic_creates_parents_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    # Given a target in a folder that does not exist yet
    target = tmp_path / "out" / "chapter.md"
    # When it is written
    write_atomic(target, "# 标题\n")
    # Then the content is there, UTF-8, and no temporary file is left behind
    assert target.read_bytes() == "# 标题\n".encode()
    assert [p.name for p in target.parent.iterdir()] == ["chapter.md"]


def test_write_atomic_gives_the_mode_of_an_ordinary_write(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = tmp_path / "report.json"
        write_atomic(target, b"{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_a_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given an existing output, and a rename that fails (a full disk, a crash before publishing)
    target = tmp_path / "chapter.md"
    target.write_text("old", encoding="utf-8")

    def failing_replace(src: str, dst: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    # When a new version is written, then the error names the file and the problem, and the old file is untouched
    with pytest.raises(InputError) as caught:
        write_atomic(target, "new")
    assert str(caught.value) == f"{target}: cannot write: no space left on the device"
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["chapter.md"]


def test_invalid_utf8_names_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"ok\n\xff\xfe\n")
    with pytest.raises(InputError) as caught:
        read_text(bad)
    assert str(caught.value).startswith(f"{bad}:2: invalid UTF-8")


def test_binary_data_is_refused() -> None:
    with pytest.raises(InputError, match="binary data"):
        decode_text(b"PK\x03\x04\x00\x00", path="book.zip")


def test_a_bom_is_kept() -> None:
    assert decode_text("\ufeff# T\n".encode(), path="x.md") == "\ufeff# T\n"
