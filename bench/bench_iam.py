"""Mutation testing of the least-privilege proof: how many template widenings and narrowings it catches.

Runs ``tests/e2e/test_iam_mutations.py`` (the scenarios on the local stack, the synthesized template, every
generated mutation) with ``AMTS_WRITE_RESULTS=1``, which writes ``bench/results/iam_mutations.json``:
"widenings caught N of M, narrowings caught N of M" and each mutation with the check that caught it.
Usage: .venv/bin/python bench/bench_iam.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "iam_mutations.json"


def main() -> int:
    environment = {**os.environ, "AMTS_WRITE_RESULTS": "1"}
    test = "tests/e2e/test_iam_mutations.py"
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test], cwd=ROOT, env=environment
    )
    if RESULTS.is_file():
        print(json.loads(RESULTS.read_text(encoding="utf-8"))["summary"])
    return completed.returncode


if __name__ == "__main__":
    sys.exit(main())
