"""A subcommand's interface declared beside its handler, and one loop that adds them all to the ``amts`` parser.

``@COMMANDS.command(name, help=..., description=..., options=[...])`` on a handler records the command; a module's
``COMMANDS.register`` adds its commands, in the order their handlers are defined, each with its options and
``handler`` set. Options are data: ``arg(...)`` for a plain ``add_argument``, or a shared option from
``amts_local.cli.options`` (``-o/--output``, ``--json``, ``--report``), declared once there.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

Handler = Callable[[argparse.Namespace], int]
"""Runs a command from its parsed arguments and returns the exit status."""

Option = Callable[[argparse.ArgumentParser], object]
"""Adds one option (or a few that go together) to a command's parser."""


def arg(*flags: str, **settings: Any) -> Option:
    """An ``add_argument(*flags, **settings)`` kept as data in a command's option list."""
    return lambda parser: parser.add_argument(*flags, **settings)


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    help: str
    description: str
    options: tuple[Option, ...]
    parser_settings: dict[str, Any] = field(default_factory=dict)  # epilog, formatter_class: as add_parser takes them


class CommandArea:
    """The subcommands of one module (one domain area), in the order their handlers are defined."""

    def __init__(self) -> None:
        self.commands: list[Command] = []

    def command(
        self, name: str, *, help: str, description: str, options: Sequence[Option] = (), **parser_settings: Any
    ) -> Callable[[Handler], Handler]:
        """Declare the subcommand ``name``, run by the decorated handler."""

        def declare(handler: Handler) -> Handler:
            self.commands.append(Command(name, handler, help, description, tuple(options), parser_settings))
            return handler

        return declare

    def register(self, subparsers: argparse._SubParsersAction[Any]) -> None:
        """Add this area's subcommands to the ``amts`` parser."""
        for command in self.commands:
            parser = subparsers.add_parser(
                command.name, help=command.help, description=command.description, **command.parser_settings
            )
            for option in command.options:
                option(parser)
            parser.set_defaults(handler=command.handler)
