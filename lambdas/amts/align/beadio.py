"""The Vecalign bead text format: one bead per line, ``[0]:[0]``, ``[1, 2]:[1]``, ``[3]:[]``."""

from __future__ import annotations

import re
from collections.abc import Sequence

from amts.align.models import Bead
from amts.errors import InputError

_LINE = re.compile(r"^\s*\[([0-9,\s]*)\]\s*:\s*\[([0-9,\s]*)\]\s*(?::\s*[-+0-9.eE]+\s*)?$")


def format_bead(bead: Bead) -> str:
    return f"[{', '.join(map(str, bead.src))}]:[{', '.join(map(str, bead.tgt))}]"


def format_beads(beads: Sequence[Bead]) -> str:
    return "".join(format_bead(bead) + "\n" for bead in beads)


def _indices(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def parse_beads(text: str, *, path: str = "<beads>") -> list[Bead]:
    """Read beads written by ``format_beads`` (an optional trailing ``:score`` is accepted and ignored)."""
    beads = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        if match is None:
            raise InputError(f"expected a bead like [0, 1]:[2], got {line!r}", path=path, line=number)
        beads.append(Bead(_indices(match.group(1)), _indices(match.group(2))))
    return beads


def check_coverage(beads: Sequence[Bead], n_src: int, n_tgt: int) -> None:
    """Raise ValueError unless the beads cover 0..n-1 on each side exactly once, in order."""
    src = [i for bead in beads for i in bead.src]
    tgt = [j for bead in beads for j in bead.tgt]
    if src != list(range(n_src)) or tgt != list(range(n_tgt)):
        raise ValueError("beads do not cover every sentence exactly once, in order")
