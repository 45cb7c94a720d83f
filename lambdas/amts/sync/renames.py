"""Chapters that moved: which old chapter a new chapter continues, so that its translation is reused.

A book that is restructured moves, renames, splits and merges chapters (D2L v1.0 moved 30). A new chapter with no
old chapter at its path is matched by content against the old chapters that no longer exist at theirs: the share
of its labels and figures, code cells and sentences that the old chapter has. A folder that was renamed as a whole
(most of its chapters went to one new folder) carries its remaining chapters by name. A rename map given by a
person (``--renames``, the pipeline's ``renames`` field) overrides the detection.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from amts.book import Document, segments, split_sentences
from amts.book.skeleton import ElementKind, skeleton
from amts.errors import InputError
from amts.fsio import read_text
from amts.sync.memory import loose_key

# A new chapter continues an old one when at least this share of its anchors, code or sentences is in it
# (features that many old chapters share are not counted).
MIN_SHARE = 0.15
# A feature found in this many old chapters is boilerplate (an import cell, a stock sentence), not evidence; two
# old chapters may share a passage when one new chapter merges them.
COMMON_IN = 3
# A folder was renamed when at least this share of its moved chapters went to the same new folder.
FOLDER_SHARE = 2 / 3
_MIN_SENTENCE = 20  # shorter sentences ("Summary.") say nothing about where a chapter came from
_LINE = re.compile(r"\s*(\S+)\s+(\S+)\s*")


@dataclass(frozen=True)
class Rename:
    """A chapter's old path and new path, how it was found (``map``, ``content``, ``folder``) and the share."""

    old: str
    new: str
    how: str
    share: float = 1.0


@dataclass(frozen=True)
class _Fingerprint:
    anchors: frozenset[str]
    code: frozenset[str]
    sentences: frozenset[str]


def _fingerprint(doc: Document, lang: str) -> _Fingerprint:
    elements = skeleton(doc)
    anchor_kinds = (ElementKind.LABEL, ElementKind.EQLABEL, ElementKind.FIGURE)
    return _Fingerprint(
        anchors=frozenset(e.identity for e in elements if e.kind in anchor_kinds),
        code=frozenset(e.key.split("\x00", 1)[-1] for e in elements if e.kind is ElementKind.CODE),
        sentences=frozenset(
            loose_key(sentence)
            for segment in segments(doc)
            for sentence in split_sentences(segment.text, lang)
            if len(sentence) >= _MIN_SENTENCE
        ),
    )


def _share(new: frozenset[str], old: frozenset[str]) -> float:
    return len(new & old) / len(new) if new else 0.0


def _similarity(new: _Fingerprint, old: _Fingerprint, common: frozenset[str]) -> float:
    """How much of a new chapter (anchors, code cells or sentences, whichever is highest) an old one has; what
    many old chapters share (import cells, a stock sentence) says nothing and is left out."""
    return max(
        _share(new.anchors - common, old.anchors),
        _share(new.code - common, old.code),
        _share(new.sentences - common, old.sentences),
    )


def detect_renames(
    new_chapters: Mapping[str, Document],
    old_chapters: Mapping[str, Document],
    *,
    lang: str,
    given: Mapping[str, str] | None = None,
) -> dict[str, Rename]:
    """Renames for the new chapters that have no old chapter at their path, keyed by new path.

    ``old_chapters`` are the old chapters that have a translation; ``given`` (new path -> old path) comes first.
    An old chapter may continue in several new ones (a split); a merged chapter takes the old one it shares most
    with.
    """
    found: dict[str, Rename] = {new: Rename(old, new, "map") for new, old in (given or {}).items()}
    orphans = [path for path in new_chapters if path not in old_chapters and path not in found]
    candidates = [path for path in old_chapters if path not in new_chapters]
    if not orphans or not candidates:
        return found
    old_prints = {path: _fingerprint(doc, lang) for path, doc in old_chapters.items()}
    seen: Counter[str] = Counter()
    for fingerprint in old_prints.values():
        seen.update(fingerprint.anchors | fingerprint.code | fingerprint.sentences)
    common = frozenset(feature for feature, count in seen.items() if count >= COMMON_IN)
    for path in orphans:
        new_print = _fingerprint(new_chapters[path], lang)
        best, best_share = None, 0.0
        for candidate in candidates:
            share = _similarity(new_print, old_prints[candidate], common)
            if share > best_share:
                best, best_share = candidate, share
        if best is not None and best_share >= MIN_SHARE:
            found[path] = Rename(best, path, "content", round(best_share, 3))
    _folder_renames(found, orphans, candidates)
    return found


def _folder_renames(found: dict[str, Rename], orphans: list[str], candidates: list[str]) -> None:
    """Chapters left in a folder whose moved chapters mostly went to one new folder move by name."""
    moves: dict[str, Counter[str]] = defaultdict(Counter)
    for rename in found.values():
        moves[str(PurePosixPath(rename.old).parent)][str(PurePosixPath(rename.new).parent)] += 1
    used_old = {rename.old for rename in found.values()}
    for path in orphans:
        if path in found:
            continue
        new_path = PurePosixPath(path)
        for old_folder, targets in moves.items():
            folder, count = targets.most_common(1)[0]
            if folder != str(new_path.parent) or count < FOLDER_SHARE * sum(targets.values()):
                continue
            old_path = str(PurePosixPath(old_folder) / new_path.name)
            if old_path in candidates and old_path not in used_old:
                found[path] = Rename(old_path, path, "folder")
                break


def load_renames(path: str | Path) -> dict[str, str]:
    """The rename map in a file (see ``parse_renames``)."""
    return parse_renames(read_text(path), where=str(path))


def parse_renames(text: str, *, where: str) -> dict[str, str]:
    """A rename map: one ``OLD NEW`` pair of chapter paths per line (tab or spaces), ``#`` comments, blank lines.
    Returns new path -> old path. Raises ``InputError`` naming ``where`` and the line of a malformed entry."""
    renames: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0]
        if not line.strip():
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            raise InputError(
                "expected two chapter paths, OLD and NEW, separated by a tab or spaces", path=where, line=number
            )
        old, new = match.group(1), match.group(2)
        for value in (old, new):
            pure = PurePosixPath(value)
            if pure.is_absolute() or ".." in pure.parts or not value.endswith(".md"):
                raise InputError(
                    f"{value!r} is not a chapter path inside the book (relative, ending in .md)",
                    path=where,
                    line=number,
                )
        if new in renames and renames[new] != old:
            raise InputError(f"{new} is renamed twice ({renames[new]} and {old})", path=where, line=number)
        renames[new] = old
    return renames
