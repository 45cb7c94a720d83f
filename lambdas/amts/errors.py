"""Errors a person can act on: each names the file (and line, when known) and the problem."""

from __future__ import annotations


class AmtsError(Exception):
    """A user-facing error. The command line prints it and exits with status 2."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path if self.line is None else f"{self.path}:{self.line}"
            where += ": "
        return f"{where}{self.message}"


class InputError(AmtsError):
    """The input is malformed: bad encoding, an unterminated construct, an empty file, a bad option."""


class AlignmentError(AmtsError):
    """Two texts could not be aligned with enough confidence to trust the pairs."""
