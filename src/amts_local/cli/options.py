"""Options every command spells the same way, the deprecated spellings they replace, and ``-`` for stdin/stdout.

One meaning per flag name across commands (as in sacreBLEU and the aws CLI):
- ``-o/--output PATH``: where the command writes (a file, or a folder for commands that write several files);
- ``--json``: a switch: print the command's report as JSON on standard output instead of text;
- ``--report FILE``: also write the report as JSON to this file;
- ``--src``/``--tgt``: language codes; a file is ``--source`` (``score``).
Old spellings (``--out``, ``--json FILE``, ``score --src FILE``) still work for one release and print a one-line
deprecation note on standard error. Each is declared here once (``output_option``, ``json_option``, ``report_option``,
``deprecated_alias``) and listed in a command's ``options``; ``print_report`` is how every command with a report ends.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from amts.book import Document, parse
from amts.errors import InputError
from amts.fsio import check_outputs_outside, decode_text, read_bytes, read_text, write_atomic

from amts_local.cli.commands import Option, arg

STDIO = "-"  # read standard input / write standard output, where a command reads or writes a single file
STDIN_NAME = "<stdin>"
REMOVED_IN = "0.3.0"  # the release that drops the deprecated spellings


class Verbosity:
    """The global ``-q``/``-v`` of this process (set once by ``amts_local.cli.main``)."""

    quiet = False
    verbose = 0


def deprecation_note(old: str, new: str) -> None:
    if not Verbosity.quiet:
        print(f"amts: note: {old} is deprecated, use {new} (the old spelling goes in {REMOVED_IN})", file=sys.stderr)


class DeprecatedAlias(argparse.Action):
    """An old option spelling: stores its value in the new option's ``dest`` and prints a deprecation note."""

    def __init__(self, option_strings: Sequence[str], dest: str, *, replacement: str, **kwargs: Any) -> None:
        self.replacement = replacement
        super().__init__(option_strings, dest, **kwargs)

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, option: str | None = None
    ) -> None:
        deprecation_note(option or self.option_strings[0], self.replacement)
        setattr(namespace, self.dest, values)


class JsonSwitch(argparse.Action):
    """``--json`` as a switch; ``--json FILE`` (its old meaning in some commands) writes the report to FILE."""

    def __init__(self, option_strings: Sequence[str], dest: str, *, file_dest: str, **kwargs: Any) -> None:
        self.file_dest = file_dest
        super().__init__(option_strings, dest, nargs="?", const=True, default=False, metavar="OLD_FILE", **kwargs)

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, option: str | None = None
    ) -> None:
        if values is True:
            setattr(namespace, self.dest, True)
            return
        deprecation_note("--json FILE", "--report FILE (--json now prints the report as JSON)")
        setattr(namespace, self.file_dest, Path(values))


def deprecated_alias(flag: str, *, dest: str, replacement: str, type: Callable[[str], Any] = Path) -> Option:
    """An old spelling ``flag`` kept for one release: fills ``dest``, hidden from ``--help``, prints a note."""
    return arg(flag, dest=dest, type=type, action=DeprecatedAlias, replacement=replacement, help=argparse.SUPPRESS)


def file_option(flag: str, *, help: str, **settings: Any) -> Option:
    """An option naming a file (a ``Path``, shown as ``FILE`` unless ``settings`` say otherwise)."""
    return arg(flag, **({"type": Path, "metavar": "FILE"} | settings), help=help)


def output_option(*, help: str, required: bool = False, default: Path | None = None) -> Option:
    """``-o/--output PATH`` (``PATH`` or ``-``), with ``--out`` kept as a deprecated alias."""
    text = f"{help} (required)" if required else help  # checked after parsing, so that --out satisfies it too
    alias = deprecated_alias("--out", dest="output", replacement="-o/--output")

    def add(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("-o", "--output", type=Path, required=False, default=default, help=text, metavar="PATH")
        alias(parser)
        if required:
            parser.set_defaults(_required_output=True)

    return add


def json_option(*, file_dest: str | None = None, help: str | None = None) -> Option:
    """``--json``: print the report as JSON on standard output. With ``file_dest``, the old ``--json FILE`` form
    is kept as a deprecated spelling of ``--report FILE``."""
    text = help or "print the report as JSON on standard output instead of text"
    if file_dest is None:
        return arg("--json", action="store_true", help=text)
    old = " (--json FILE: deprecated, use --report FILE)"
    return arg("--json", action=JsonSwitch, file_dest=file_dest, help=text + old)


def report_option(*, what: str = "report") -> Option:
    """``--report FILE``: also write the command's report (``what`` names it in the help) as JSON to this file."""
    return file_option("--report", help=f"also write the {what} as JSON to this file")


Report = str | dict[str, Any] | list[Any]
"""A command's report: JSON text, or a value written as JSON (UTF-8 as is, one-space indent)."""


def report_json(report: Report) -> str:
    """The report as the JSON text that ``--json`` prints and ``--report FILE`` holds."""
    return report if isinstance(report, str) else json.dumps(report, ensure_ascii=False, indent=1) + "\n"


def save_report(args: argparse.Namespace, report: Report) -> None:
    """The report to ``--report FILE``, written whole, when the command has that option and it was given."""
    if getattr(args, "report", None) is not None:
        write_atomic(args.report, report_json(report))


def print_report(
    args: argparse.Namespace, report: Report, text: str | list[str], *, data_output: str | Path | None = None
) -> None:
    """How a command ends: its report saved to ``--report FILE`` when given, then printed as JSON with ``--json``,
    else as ``text`` (or its lines). On standard output, unless the command's data goes there (``data_output`` is
    ``-``): then on standard error."""
    save_report(args, report)
    if args.json:
        shown = report_json(report)
    else:
        shown = text if isinstance(text, str) else "".join(f"{line}\n" for line in text)
    message_stream(data_output).write(shown)


def add_global_options(parser: argparse.ArgumentParser, *, version: str | None = None) -> None:
    """``-q``/``-v``, and ``--version`` on the top-level parser (the one given a ``version``). On a subcommand they
    default to nothing, so ``amts -q pairs ...`` and ``amts pairs -q ...`` mean the same."""
    top_level = version is not None
    if top_level:
        parser.add_argument("--version", action="version", version=f"amts {version}")
    suppress = {"default": None} if top_level else {"default": argparse.SUPPRESS}
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "-q", "--quiet", action="store_true", help="no progress, notes or deprecation notes on stderr", **suppress
    )
    group.add_argument(
        "-v", "--verbose", action="count", help="more detail: every step of a run as a line, also in logs", **suppress
    )


def check_required_output(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """``-o/--output`` is required where the command has nothing sensible to write by default."""
    if getattr(args, "_required_output", False) and getattr(args, "output", None) is None:
        parser.error(f"{args.command}: the following arguments are required: -o/--output")


def is_stdio(path: str | Path | None) -> bool:
    return path is not None and str(path) == STDIO


def files_only(paths: Iterable[str | Path | None]) -> list[str | Path | None]:
    """The paths that name files (``-`` is standard input or output, never an input or output file)."""
    return [path for path in paths if not is_stdio(path)]


def outputs_outside(outputs: Iterable[str | Path | None], inputs: Iterable[str | Path | None]) -> None:
    """``fsio.check_outputs_outside`` for commands that accept ``-``."""
    check_outputs_outside(files_only(outputs), files_only(inputs))


def read_input_bytes(path: str | Path) -> bytes:
    return sys.stdin.buffer.read() if is_stdio(path) else read_bytes(path)


def read_input_text(path: str | Path) -> str:
    """A UTF-8 text input, from standard input for ``-`` (strict UTF-8 either way, named in errors)."""
    return decode_text(read_input_bytes(path), path=input_name(path))


def parse_input(path: str | Path) -> Document:
    """``amts.book.parse_file`` that also reads ``-``."""
    return parse(read_input_text(path), path=input_name(path))


def read_json(path: Path) -> Any:
    """A JSON file's value; JSON that does not parse is named with the file and the line."""
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", path=str(path), line=exc.lineno) from None


def input_name(path: str | Path) -> str:
    return STDIN_NAME if is_stdio(path) else str(path)


def write_output(path: str | Path, data: str | bytes) -> None:
    """Write an output whole: atomically to a file, or to standard output for ``-``."""
    if not is_stdio(path):
        write_atomic(path, data)
        return
    buffer = getattr(sys.stdout, "buffer", None)
    if isinstance(data, bytes) and buffer is not None:
        sys.stdout.flush()
        buffer.write(data)
        buffer.flush()
    else:
        data = data.decode("utf-8") if isinstance(data, bytes) else data  # a text-only stdout (a test's StringIO)
        sys.stdout.write(data)
        sys.stdout.flush()


def message_stream(*outputs: str | Path | None) -> Any:
    """Where a command's summary goes: standard error when an output is standard output, else standard output."""
    return sys.stderr if any(is_stdio(path) for path in outputs) else sys.stdout
