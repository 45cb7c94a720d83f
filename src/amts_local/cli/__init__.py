"""The ``amts`` command line: one subcommand module per domain area, each declaring its ``COMMANDS``.

Every command reads inputs without changing them, writes outputs atomically, and turns an
``AmtsError`` into a one-line message naming the file and the problem, with exit status 2. File access goes
through ``amts.fsio``, which names the file of any operating-system error; an ``OSError`` that still reaches
this level (from a library, say) is answered the same way, never with a traceback.

Options every command shares (``-o/--output``, ``--json``, ``--report``, ``-``, ``-q``/``-v``) are defined once in
``amts_local.cli.options``; each command's options are declared beside its handler (``amts_local.cli.commands``).
Threads are pinned here, at start-up, before a command module loads numpy.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import metadata
from typing import NoReturn

from amts.threads import pin_threads

pin_threads()  # one BLAS/OpenMP thread (amts.threads), set before the command modules import numpy

from amts.errors import AmtsError  # noqa: E402
from amts.fsio import os_input_error  # noqa: E402

from amts_local.cli import align, book, evaluate, run, sync, translate  # noqa: E402
from amts_local.cli.options import Verbosity, add_global_options, check_required_output  # noqa: E402

COMMAND_MODULES = (book, align, translate, sync, evaluate, run)


class OneLineParser(argparse.ArgumentParser):
    """argparse with a usage error on one line (the usage itself is one ``--help`` away), exit status 2."""

    def error(self, message: str) -> NoReturn:
        text = " ".join(message.splitlines())
        self.exit(2, f"{self.prog}: error: {text} (see {self.prog} --help)\n")


def version() -> str:
    try:
        # None when the installed metadata cannot be read (a user without access to the venv's files)
        return metadata.version("amts") or "unknown (metadata unreadable)"
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="amts",
        description="Auto Machine Translation and Synchronization",
        epilog="-q/-v may also follow the command. Where a command reads or writes a single file, - means standard "
        "input or output.",
    )
    add_global_options(parser, version=version())
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.COMMANDS.register(commands)
    for subparser in commands.choices.values():
        add_global_options(subparser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    check_required_output(parser, args)
    Verbosity.quiet = bool(args.quiet)
    Verbosity.verbose = 0 if args.quiet else int(args.verbose or 0)
    try:
        status: int = args.handler(args)
    except AmtsError as exc:
        return _fail(args.command, exc)
    except BrokenPipeError:
        return 0
    except OSError as exc:
        return _fail(args.command, os_input_error(exc))
    return status


def _fail(command: str, exc: AmtsError) -> int:
    """One line on standard error (line breaks inside a message are flattened), and the error's exit status."""
    message = " ".join(str(exc).splitlines())
    print(f"amts {command}: error: {message}", file=sys.stderr)
    return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
