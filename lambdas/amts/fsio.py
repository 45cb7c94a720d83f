"""File-system helpers shared by every command: the one boundary between AMTS and the operating system.

Inputs are read, folders listed and outputs published here, and every ``OSError`` on the way becomes an
``InputError`` naming the path and the problem in words (a person reads it as ``FILE: problem``, exit 2).
Outputs are published whole or not at all: through a temporary file in the target's folder and an atomic
rename. A run that is killed mid-write leaves that temporary file behind; its name carries the writer's process
id, and the next write into the same folder removes temporary files whose writer is gone.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from amts.errors import InputError

_MESSAGES = {
    errno.ENOENT: "no such file or directory",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ELOOP: "too many levels of symbolic links (a symbolic link loop?)",
    errno.EISDIR: "is a directory, expected a file",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EEXIST: "a part of the path is a file, not a folder",
    errno.ENAMETOOLONG: "file name too long",
    errno.ENOSPC: "no space left on the device",
    errno.EROFS: "read-only file system",
    errno.EDQUOT: "disk quota exceeded",
    errno.EBUSY: "the file is busy",
    errno.ETXTBSY: "the file is busy",
    errno.EINVAL: "invalid file name",
}

# Our temporary files: ".<name>.amts-<pid>-<random>.tmp" (the sync journal's ".<name>.amts-<hex>.tmp" never match).
_TEMPORARY = re.compile(r"^\..+\.amts-(\d+)-[0-9a-f]+\.tmp$")
STALE_TEMPORARY_SECONDS = 24 * 3600  # a temporary file this old is stale even if its pid now names another process
_swept: set[Path] = set()


def describe_os_error(exc: OSError) -> str:
    """The problem an ``OSError`` stands for, in words (no errno, no traceback)."""
    if exc.errno in _MESSAGES:
        return _MESSAGES[exc.errno]
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]


def os_input_error(exc: OSError, path: str | os.PathLike[str] | None = None, *, doing: str = "") -> InputError:
    """An ``InputError`` for ``exc``: the path (given, else the one the error names) and the problem."""
    where = str(path) if path is not None else (str(exc.filename) if exc.filename is not None else None)
    problem = describe_os_error(exc)
    return InputError(f"{doing}: {problem}" if doing else problem, path=where)


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a file; a missing, unreadable or non-regular file is an ``InputError`` naming it."""
    source = Path(path)
    try:
        return source.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", path=str(source)) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a file", path=str(source)) from None
    except OSError as exc:
        raise os_input_error(exc, source, doing="cannot read") from None


def read_text(path: str | os.PathLike[str]) -> str:
    """Read a UTF-8 text file, naming the file and the byte offset when it is not valid UTF-8."""
    return decode_text(read_bytes(path), path=str(path))


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


def check_output_folder(folder: str | os.PathLike[str]) -> None:
    """Refuse, before any work is done, an output folder that could not be created or written: a file in its place
    or on its path, ``-`` (standard output, which cannot hold a folder), or a folder the user may not write
    (``InputError`` naming it)."""
    if str(folder) == "-":
        raise InputError("standard output cannot hold a folder of outputs: give a folder path", path="-")
    target = Path(folder)
    for candidate in (target, *target.parents):
        if not candidate.exists():
            continue
        if not candidate.is_dir():
            problem = (
                "is a file, expected a folder for the outputs"
                if candidate == target
                else "a part of the path is a file, not a folder"
            )
            raise InputError(problem, path=str(candidate))
        if not os.access(candidate, os.W_OK | os.X_OK):
            raise InputError("permission denied: cannot write in this folder", path=str(candidate))
        return


def ensure_folder(folder: str | os.PathLike[str]) -> Path:
    """Create ``folder`` (and its parents) for outputs; a file in the way (or ``-``) is an ``InputError`` naming it."""
    check_output_folder(folder)
    target = Path(folder)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_input_error(exc, target, doing="cannot create the folder") from None
    return target


def write_atomic(
    path: str | os.PathLike[str], data: str | bytes, *, encoding: str = "utf-8", durable: bool = False
) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and an atomic rename.

    The rename makes the write all-or-nothing for readers and for a killed process. With ``durable`` it also
    survives a power loss or an OS crash: the data is flushed to disk before the rename, and the folder (the new
    name) after it."""
    target = Path(path)
    if target.is_dir():
        raise InputError("is a directory; give a file name for this output", path=str(target))
    ensure_folder(target.parent)
    sweep_temporaries(target.parent)
    payload = data.encode(encoding) if isinstance(data, str) else data
    tmp = target.parent / f".{target.name[:120]}.amts-{os.getpid()}-{secrets.token_hex(4)}.tmp"
    try:
        with open(tmp, "xb") as handle:
            handle.write(payload)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        # Give the output the mode an ordinary write would have (not the 0600 of a private temporary file).
        os.chmod(tmp, 0o666 & ~_current_umask())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise os_input_error(exc, target, doing="cannot write") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
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


def sweep_temporaries(folder: Path, *, once: bool = True) -> list[Path]:
    """Remove temporary files that a killed writer left in ``folder`` (by default once per folder and process;
    a recovery step, which runs after a crash it cannot see, sweeps every time)."""
    key = folder.absolute()
    if once and key in _swept:
        return []
    _swept.add(key)
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []  # the write that follows names the problem
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if match is None or not entry.is_file(follow_symlinks=False):
            continue
        try:
            old = time.time() - entry.stat(follow_symlinks=False).st_mtime > STALE_TEMPORARY_SECONDS
            if old or not _process_alive(int(match.group(1))):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue  # gone meanwhile, or not ours to remove
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's live process
    except OverflowError:
        return False
    return True


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def list_files(
    root: str | os.PathLike[str], suffixes: Sequence[str] = (".md",), *, within: bool = True, ignore_case: bool = False
) -> list[Path]:
    """Every file under ``root`` whose name ends with one of ``suffixes``, sorted (as ``sorted(root.rglob(...))``).

    Folders are walked without following symbolic links to folders (as ``Path.rglob`` does). A folder that
    cannot be read is an ``InputError`` naming it, never a silently shorter list. With ``within``, a file or a
    folder that is a symbolic link resolving outside ``root`` is refused too (see docs/decisions.md: AMTS reads a
    book's chapters from inside the book only).
    """
    base = Path(root)
    wanted = tuple(suffix.lower() for suffix in suffixes) if ignore_case else tuple(suffixes)

    def fail(exc: OSError) -> None:
        raise os_input_error(exc, doing="cannot list the folder")

    if not base.is_dir():
        return []  # as rglob: callers say what a missing folder means for them
    found: list[Path] = []
    resolved_root = _resolve(base) if within else base
    for folder, folders, names in os.walk(base, onerror=fail):
        if within:  # a linked folder is not walked; one that leads out of the book would hide chapters silently
            for name in folders:
                if (Path(folder) / name).is_symlink():
                    check_inside(Path(folder) / name, resolved_root)
        for name in names:
            if not (name.lower() if ignore_case else name).endswith(wanted):
                continue
            path = Path(folder) / name
            if within and path.is_symlink():
                check_inside(path, resolved_root)
            found.append(path)
    return sorted(found)


def _resolve(path: Path) -> Path:
    try:
        return path.resolve(strict=False)
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symbolic link loop on Python 3.11
        raise InputError("too many levels of symbolic links (a symbolic link loop?)", path=str(path)) from exc


def check_inside(path: Path, root: Path) -> None:
    """Refuse a symbolic link under ``root`` that resolves outside it (``root`` already resolved)."""
    target = _resolve(path)
    if not target.is_relative_to(root):
        raise InputError(
            f"is a symbolic link to {target}, outside {root}; AMTS reads a book's files from inside the book only "
            "(copy the file in instead)",
            path=str(path),
        )


def check_outputs_outside(
    outputs: Iterable[str | os.PathLike[str] | None], inputs: Iterable[str | os.PathLike[str] | None]
) -> None:
    """Refuse an output that is one of the inputs or lies inside an input folder.

    Every command reads its inputs unchanged, so no output may land on or inside one: ``amts run --out book/``
    would write machine translation into the book's own translation folders.
    """
    resolved_inputs = [(_resolve(Path(i)), Path(i)) for i in inputs if i is not None]
    for output in outputs:
        if output is None:
            continue
        out = _resolve(Path(output))
        for resolved, given in resolved_inputs:
            if out == resolved:
                raise InputError(f"the output is the input {given}; give another output path", path=str(output))
            if resolved.is_dir() and out.is_relative_to(resolved):
                raise InputError(
                    f"the output is inside the input folder {given}; give an output path outside it",
                    path=str(output),
                )
