"""File-system helpers shared by every command: outputs are published whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from amts.errors import InputError


def write_atomic(
    path: str | os.PathLike[str], data: str | bytes, *, encoding: str = "utf-8", durable: bool = False
) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and an atomic rename.

    The rename makes the write all-or-nothing for readers and for a killed process. With ``durable`` it also
    survives a power loss or an OS crash: the data is flushed to disk before the rename, and the folder (the new
    name) after it."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode(encoding) if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        # mkstemp creates 0600 files; give the output the mode an ordinary write would have.
        os.chmod(tmp, 0o666 & ~_current_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable:
        fsync_folder(target.parent)


def fsync_folder(folder: str | os.PathLike[str]) -> None:
    """Flush a folder's entries to disk, so that a file created, renamed or removed in it stays so after a power
    loss (POSIX; where a folder cannot be opened, as on Windows, there is nothing to do)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_text(path: str | os.PathLike[str]) -> str:
    """Read a UTF-8 text file, naming the file and the byte offset when it is not valid UTF-8."""
    source = Path(path)
    try:
        data = source.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", path=str(source)) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a file", path=str(source)) from None
    return decode_text(data, path=str(source))


def decode_text(data: bytes, *, path: str) -> str:
    """Decode UTF-8 bytes strictly; binary data and invalid sequences are errors, a BOM is kept."""
    if b"\x00" in data:
        line = _line_at(data, data.index(b"\x00"))
        raise InputError("binary data (NUL byte), expected UTF-8 text", path=path, line=line)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"invalid UTF-8 at byte {exc.start}", path=path, line=_line_at(data, exc.start)) from None


def _line_at(data: bytes, offset: int) -> int:
    """The 1-based line of byte ``offset``; LF, CRLF and a lone CR each end a line."""
    head = data[:offset]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1
