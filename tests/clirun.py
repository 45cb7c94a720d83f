"""Running the ``amts`` command line in tests: in-process, in a forked process as another user, and input hashes.

Every bad-input test checks the same promise (README, "Command line"): exit status 2, exactly one line on standard
error naming the file and the problem, the inputs unchanged byte for byte, and no output written in part.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pwd
import sys
import traceback
from collections.abc import Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from amts_local.cli import main


@dataclass(frozen=True)
class CliResult:
    status: int
    out: str
    err: str

    @property
    def error_line(self) -> str:
        """The one line a bad input must produce (fails the test when there is not exactly one)."""
        lines = self.err.splitlines()
        assert len(lines) == 1, f"expected exactly one line on stderr, got {len(lines)}:\n{self.err}"
        return lines[0]


def run_cli(argv: Sequence[str]) -> CliResult:
    """``amts ARGV`` in this process; a traceback (an exception escaping ``main``) fails the test."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            status = main(list(argv))
        except SystemExit as exc:  # argparse usage errors
            status = exc.code if isinstance(exc.code, int) else 2
    return CliResult(status, out.getvalue(), err.getvalue())


def run_cli_as(user: str, argv: Sequence[str]) -> CliResult:
    """``amts ARGV`` in a forked child that runs as ``user`` (the caller must be root).

    The child inherits the modules already imported here: the interpreter itself may live where ``user`` cannot
    read, so run the same command once in this process first.
    """
    account = pwd.getpwnam(user)
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        status = 99
        try:
            os.close(out_r)
            os.close(err_r)
            os.setgroups([])
            os.setgid(account.pw_gid)
            os.setuid(account.pw_uid)
            with os.fdopen(out_w, "w") as out, os.fdopen(err_w, "w") as err:
                sys.stdout, sys.stderr = out, err
                try:
                    status = main(list(argv))
                except BaseException:
                    traceback.print_exc(file=err)
                    status = 98
                out.flush()
                err.flush()
        finally:
            os._exit(status)
    os.close(out_w)
    os.close(err_w)
    with os.fdopen(out_r) as out, os.fdopen(err_r) as err:
        stdout, stderr = out.read(), err.read()
    _, wait_status = os.waitpid(pid, 0)
    return CliResult(os.waitstatus_to_exitcode(wait_status), stdout, stderr)


def tree_hashes(*roots: Path) -> dict[str, str]:
    """SHA-256 of every file under ``roots`` (or of the file itself), by path: the inputs' fingerprint."""
    hashes: dict[str, str] = {}
    for root in roots:
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
        for path in paths:
            hashes[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def files_under(root: Path) -> list[str]:
    """Every file and folder under ``root`` (hidden ones included), relative: to show nothing was written."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []


def write_pipeline_config(path: Path, target: str) -> Path:
    """The project's pipeline config (cdk.json's ``amts:pipeline``) with en-``target`` as its only pair, written to
    ``path`` for ``amts run --config``: a pair cdk.json does not name."""
    cdk = json.loads((Path(__file__).resolve().parents[1] / "cdk.json").read_text(encoding="utf-8"))
    pipeline = cdk["context"]["amts:pipeline"]
    pair = {**pipeline["language_pairs"][0], "target": target, "parallel_data_name": f"amts-en-{target}"}
    pair["reference_prefix"] = f"book/{target}/"
    path.write_text(json.dumps({**pipeline, "language_pairs": [pair]}), encoding="utf-8")
    return path
