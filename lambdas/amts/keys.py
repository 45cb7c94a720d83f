"""One validator for every S3 key and chapter path that enters the pipeline.

A key reaches AMTS from an upload event (the Starter), a listing of the input or output bucket (Plan, Stage,
BuildParallelData), the execution input (chapters, renames) and the local download of the output bucket. Each
of them asks this module, so a key refused in one place can never be processed in another: a chapter path is
relative, made of plain folder names (no ``..``, ``.`` or empty component), free of backslashes and control
characters, and names a markdown file; a book key is ``book/<language>/<chapter path>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from amts import config
from amts.book.parser import PROPOSAL_SUFFIX
from amts.errors import InputError

# S3 keys are at most 1,024 bytes of UTF-8.
MAX_KEY_BYTES = 1024
# A language folder: an ISO 639 code with an optional script or region (en, zh, zh-TW, pt-BR, sr-Latn).
_LANGUAGE_FOLDER = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,4})?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class BookKey:
    """A valid key under ``book/``: its language folder and chapter path."""

    language: str
    path: str


def key_problem(relative: str) -> str | None:
    """Why ``relative`` (a key or a path below a known prefix) is unsafe to use as a path, or None."""
    if not relative:
        return "empty name"
    if len(relative.encode("utf-8")) > MAX_KEY_BYTES:
        return f"longer than the {MAX_KEY_BYTES} bytes an S3 key may have"
    control = _CONTROL.search(relative)
    if control is not None:
        return f"control character U+{ord(control.group()):04X} in the name"
    if "\\" in relative:
        return "backslash in the name; folders are separated by '/'"
    if relative.startswith("/"):
        return "absolute path; expected a path relative to its folder"
    for part in relative.split("/"):
        if part in ("", ".", ".."):
            shown = "empty folder name ('//')" if part == "" else f"'{part}' component"
            return f"{shown} in the path; only plain folder names are allowed"
    return None


def check_relative_key(relative: str, *, where: str | None = None) -> str:
    """``relative`` unchanged, or an ``InputError`` naming it and the problem."""
    return _or_input_error(key_problem(relative), relative, where=where or relative)


def _or_input_error(problem: str | None, value: str, *, where: str) -> str:
    """``value`` when there is no ``problem``, else an ``InputError`` naming ``where`` and the problem."""
    if problem is not None:
        raise InputError(problem, path=where)
    return value


def chapter_problem(path: str) -> str | None:
    """Why ``path`` is not a chapter path (relative to ``book/<language>/``), or None."""
    problem = key_problem(path)
    if problem is not None:
        return problem
    if path.endswith(PROPOSAL_SUFFIX):
        return f"an AMTS proposal ({PROPOSAL_SUFFIX}), not a chapter; rename it to the chapter to accept it"
    if not path.endswith(".md") or path.rsplit("/", 1)[-1] == ".md":
        return "not a markdown file (.md); only d2lbook markdown chapters are translated"
    return None


def check_chapter_path(path: str, *, where: str | None = None) -> str:
    """``path`` unchanged when it is a valid chapter path, else an ``InputError`` naming it and the problem."""
    return _or_input_error(chapter_problem(path), path, where=where or path)


def book_key_problem(key: str, *, prefix: str = config.SOURCE_PREFIX) -> str | None:
    """Why ``key`` is not ``<prefix><language>/<chapter path>``, or None."""
    problem = key_problem(key)
    if problem is not None:
        return problem
    if not key.startswith(prefix):
        return f"outside the book folder; expected {prefix}<language>/<path>.md"
    language, _, path = key[len(prefix) :].partition("/")
    if not path:
        return f"no language folder; expected {prefix}<language>/<path>.md"
    if not _LANGUAGE_FOLDER.match(language):
        return f"{language!r} is not a language folder; expected a code such as en, zh or zh-TW"
    return chapter_problem(path)


def parse_book_key(key: str, *, prefix: str = config.SOURCE_PREFIX) -> BookKey:
    """``book/<language>/<path>.md`` as a ``BookKey``, or an ``InputError`` naming the key and the problem."""
    _or_input_error(book_key_problem(key, prefix=prefix), key, where=key)
    language, _, path = key[len(prefix) :].partition("/")
    return BookKey(language=language, path=path)


@dataclass(frozen=True)
class SkippedKey:
    """A listed key the validator refused, with the reason (for the run report)."""

    key: str
    reason: str


def split_chapter_listing(keys: list[str], prefix: str) -> tuple[list[str], list[SkippedKey]]:
    """The chapter paths below ``prefix`` among ``keys``, sorted, and the markdown-looking keys refused.

    Keys that are not markdown at all (images, data files of the book) are neither chapters nor refused.
    """
    chapters: list[str] = []
    skipped: list[SkippedKey] = []
    for key in keys:
        if not key.startswith(prefix):
            continue
        relative = key[len(prefix) :]
        if not key.endswith(".md"):
            continue
        problem = chapter_problem(relative)
        if problem is None:
            chapters.append(relative)
        else:
            skipped.append(SkippedKey(key=key, reason=problem))
    return sorted(chapters), skipped
