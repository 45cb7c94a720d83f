"""The ``amts`` command line: one subcommand module per domain area, each with ``register()``.

Every command reads inputs without changing them, writes outputs atomically, and turns an
``AmtsError`` into a one-line message naming the file and the problem, with exit status 2. File access goes
through ``amts.fsio``, which names the file of any operating-system error; an ``OSError`` that still reaches
this level (from a library, say) is answered the same way, never with a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from amts.cli import align, book, evaluate, run, sync, translate
from amts.errors import AmtsError
from amts.fsio import os_input_error

COMMAND_MODULES = (book, align, translate, sync, evaluate, run)


class OneLineParser(argparse.ArgumentParser):
    """argparse with a usage error on one line (the usage itself is one ``--help`` away), exit status 2."""

    def error(self, message: str) -> NoReturn:
        text = " ".join(message.splitlines())
        self.exit(2, f"{self.prog}: error: {text} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="amts", description="Auto Machine Translation and Synchronization")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
