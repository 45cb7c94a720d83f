"""The ``amts`` command line: one subcommand module per domain area, each with ``register()``.

Every command reads inputs without changing them, writes outputs atomically, and turns an
``AmtsError`` into a one-line message naming the file and the problem, with exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from amts.cli import align, book, evaluate, run, sync, translate
from amts.errors import AmtsError

COMMAND_MODULES = (book, align, translate, sync, evaluate, run)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="amts", description="Auto Machine Translation and Synchronization")
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
        print(f"amts {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        return 0
    return status


if __name__ == "__main__":
    sys.exit(main())
