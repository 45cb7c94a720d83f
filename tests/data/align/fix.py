"""Replace consecutive draft beads by hand-corrected ones: fix.py NAME 'old1|old2' 'new1|new2'."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from amts.align.gold import dump_gold

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    path = HERE / f"{sys.argv[1]}.json"
    record = json.loads(path.read_text())
    beads: list[str] = record["beads"]
    old, new = sys.argv[2].split("|"), sys.argv[3].split("|") if sys.argv[3] else []
    for start in range(len(beads) - len(old) + 1):
        if beads[start : start + len(old)] == old:
            beads[start : start + len(old)] = new
            break
    else:
        sys.exit(f"not found: {old}")
    path.write_text(dump_gold(record))
