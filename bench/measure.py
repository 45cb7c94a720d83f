"""What the benchmarks measure the same way: wall and CPU time, peak memory, the bead mix of aligned pairs, and the
results file (written whole, then echoed).

Imported by the bench scripts, which run with bench/ first on sys.path (as a script's own folder is) and with the
project's packages importable.
"""

from __future__ import annotations

import json
import resource
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from amts.fsio import write_atomic

if TYPE_CHECKING:  # only for the annotation: the scripts that time no alignment need not load the aligner
    from amts.align.models import PairSet


def cpu_seconds() -> float:
    """User and system CPU time of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """The peak resident set of this process (or its children), in MiB: ru_maxrss is in KiB on Linux."""
    return resource.getrusage(who).ru_maxrss / 1024


class Stopwatch:
    """Wall and CPU seconds since it was made."""

    def __init__(self) -> None:
        self.wall_start, self.cpu_start = time.perf_counter(), cpu_seconds()

    def elapsed(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall_start, cpu_seconds() - self.cpu_start


def bead_mix(pairs: PairSet) -> dict[str, float]:
    """The share of each bead kind (1-1, 1-2, ...) among the beads the alignment made, to four places."""
    beads = Counter(pairs.stats.beads)
    bead_total = sum(beads.values()) or 1
    return {kind: round(count / bead_total, 4) for kind, count in sorted(beads.items())}


def corpus_present(corpus: Path) -> bool:
    """Whether the D2L corpus is there; says so when it is not (the benchmarks then measure nothing)."""
    if corpus.is_dir():
        return True
    print(f"skipped: the D2L corpus is not at {corpus} (it lives in ../shared beside the project)")
    return False


def write_results(path: Path, results: object, *, ensure_ascii: bool = False) -> None:
    """Write the results as indented JSON, whole or not at all, and print them."""
    text = json.dumps(results, indent=2, ensure_ascii=ensure_ascii) + "\n"
    write_atomic(path, text)
    print(text, end="")
