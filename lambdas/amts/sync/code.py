"""Code cells in a synchronized chapter: which translated cell still holds the source's code, and retagging.

Translators translate a cell's comments, docstrings and printed strings (``amts.book.skeleton.code_key`` leaves
those out), so a translated cell is the source's cell when their keys are equal. A cell whose code changed takes
the new source's code; the translation's comments are then lost and a person is asked to look.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from amts.book.skeleton import TAB_MARKER_LINE, cell_tabs, code_key
from amts.sync.changes import Unit

CODE_SIMILARITY = 0.6  # code this similar, same tab, in the same gap: the same cell, edited


def split_tab_marker(code: str) -> tuple[str | None, str]:
    """A code cell's framework marker line (``#@tab …`` / ``%%tab …``) and the cell without it."""
    lines = code.split("\n")
    if len(lines) > 1 and TAB_MARKER_LINE.fullmatch(lines[1]):
        return lines[1], "\n".join(lines[:1] + lines[2:])
    return None, code


def retag(target_code: str, new_code: str) -> str:
    """The target cell with the new source's tab marker line (added, replaced or removed)."""
    marker, _ = split_tab_marker(new_code)
    _, body = split_tab_marker(target_code)
    lines = body.split("\n")
    return "\n".join(lines[:1] + ([marker] if marker is not None else []) + lines[1:])


def has_translatable_text(code: str) -> bool:
    """Whether a code cell holds text a translator would touch (comments, docstrings, printed prose): its key
    differs from its code with only the framework line left out (as the key leaves it out)."""
    body = TAB_MARKER_LINE.sub("", "\n".join(code.split("\n")[1:-1]))
    return code_key("```\n" + body) != " ".join(["```", *body.split()])


def same_body(a: str, b: str) -> bool:
    """The same code apart from the framework marker, comments and prose strings."""
    return code_key(a) == code_key(b)


def pair_code_cells(src: Sequence[Unit], tgt: Sequence[Unit]) -> list[tuple[int, int]]:
    """Code cells of a source and target run that differ in number (zh ``paddle`` cells, an updated cell):
    pair, in order, cells of the same framework tab whose code is still mostly the same."""
    pairs: list[tuple[int, int]] = []
    start = 0
    for a in src:
        if not a.is_code:
            continue
        tabs = cell_tabs(a.text, a.block.tab)
        key = code_key(a.text)
        for position in range(start, len(tgt)):
            b = tgt[position]
            if not b.is_code or not set(tabs) <= set(cell_tabs(b.text, b.block.tab)):
                continue
            ratio = difflib.SequenceMatcher(None, key, code_key(b.text), autojunk=False).ratio()
            if ratio >= CODE_SIMILARITY:
                pairs.append((a.index, b.index))
                start = position + 1
                break
    return pairs
