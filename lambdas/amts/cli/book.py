"""Subcommands of the book area (placeholder until that area's commands land)."""

from __future__ import annotations

import argparse
from typing import Any


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this area's subcommands to the parser; each sets handler to a function returning the exit status."""
