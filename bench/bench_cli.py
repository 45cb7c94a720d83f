"""The command line as users run it: ``amts pairs`` and ``amts run`` over the D2L corpus, wall time and CPU seconds.

    .venv/bin/python bench/bench_cli.py [--corpus DIR] [--skip-run] [--skip-full]

Each command runs as a child process with the user's environment minus any thread setting (no
OPENBLAS/OMP/MKL_NUM_THREADS, no CPU affinity): what the CLI does by itself is what is measured, the one
BLAS/OpenMP thread it sets at start-up (``amts.threads``) included. CPU seconds are the child's user + system time
(``wait4``). For comparison with the figures of issue 17 (before the CLI pinned its threads), the 24-file subset also
runs once with ``OPENBLAS_NUM_THREADS``/``OMP_NUM_THREADS`` set to the machine's core count, which the CLI honours:
the old default. The machine is shared, so the load average before and after each command is recorded.

Writes bench/results/cli.json and bench/results/cli.md. Needs ../shared/corpus/d2l (never copied into the
repository); exits 0 with a note when it is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "d2l"
RESULTS = REPO / "bench" / "results" / "cli.json"
TABLE = REPO / "bench" / "results" / "cli.md"
SUBSET_FILES = 24
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

# Issue 17's figures, measured before the CLI pinned its threads (same corpus, same 2-core shared machine).
PREVIOUS = {
    "pairs_subset": {"unpinned_cpu_s": [21.6, 37.9], "pinned_cpu_s": [9.0, 9.4]},
    "run_corpus": {"unpinned_cpu_s": 125.0, "pinned_cpu_s": 90.0},
    "pairs_corpus": {"readme_wall_s": 35.0, "bench_pinned_wall_s": 35.3, "bench_pinned_cpu_s": 33.5},
}


def user_environment(threads: int | None = None) -> dict[str, str]:
    """The caller's environment without thread settings (or with all of them at ``threads``)."""
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    if threads is not None:
        env.update({name: str(threads) for name in THREAD_VARIABLES})
    return env


def timed(argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``amts ARGV`` as a child; its wall time, CPU seconds (user + system), peak memory and the load."""
    command = [sys.executable, "-m", "amts_local.cli", "-q", *argv]
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:  # a pipe could fill and block
        started = time.monotonic()
        child = subprocess.Popen(command, cwd=REPO, env=env, stdout=stdout, stderr=stderr, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.monotonic() - started
        stdout.seek(0)
        stderr.seek(0)
        out, err = stdout.read(), stderr.read()
    return {
        "command": "amts -q " + " ".join(argv),
        "exit_status": os.waitstatus_to_exitcode(status),
        "wall_s": round(wall, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_mib": round(usage.ru_maxrss / 1024, 1),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "stdout_tail": out[-400:],
        "stderr_tail": err[-400:] if os.waitstatus_to_exitcode(status) else "",
    }


def subset(corpus: Path, into: Path, count: int) -> Path:
    """The first ``count`` chapter pairs of origin/ (sorted by path) in a temporary book."""
    origin = corpus / "origin"
    chapters = sorted(p.relative_to(origin / "en") for p in (origin / "en").rglob("*.md"))
    chosen = [c for c in chapters if (origin / "zh" / c).is_file()][:count]
    for relative in chosen:
        for lang in ("en", "zh"):
            target = into / lang / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(origin / lang / relative, target)
    return into


def pairs_argv(book: Path, out: Path) -> list[str]:
    return ["pairs", str(book / "en"), str(book / "zh"), "--src", "en", "--tgt", "zh", "-o", str(out)]


def table(results: dict[str, Any]) -> str:
    rows = [
        ("`amts pairs`, 24-file subset", results.get("pairs_subset"), "21.6–37.9 s CPU unpinned, 9.0–9.4 s pinned"),
        ("`amts pairs`, 24-file subset, threads = cores", results.get("pairs_subset_cores"), "(the old default)"),
        ("`amts pairs`, whole corpus", results.get("pairs_corpus"), "README ≈ 35 s (pinned bench 35.3 s, 33.5 s CPU)"),
        ("`amts run --pairs en-zh`, whole corpus", results.get("run_corpus"), "125 s CPU unpinned, 90 s pinned"),
    ]
    lines = [
        "# The CLI as users run it (bench/bench_cli.py)",
        "",
        f"Measured {results['measured_at']} on {results['machine']['cores']} cores, shared "
        f"(load average {results['machine']['load_at_start']} at start; per row before → after). Defaults only: "
        "no thread variables, no affinity; the CLI sets one BLAS/OpenMP thread itself.",
        "",
        "| command | wall s | CPU s | peak MiB | load before → after | before (issue 17) |",
        "|---|---:|---:|---:|---|---|",
    ]
    for name, row, previous in rows:
        if row is None:
            continue
        lines.append(
            f"| {name} | {row['wall_s']} | {row['cpu_s']} | {row['peak_mib']} | "
            f"{row['load_before']} → {row['load_after']} | {previous} |"
        )
    lines.append("")
    same = results.get("pairs_subset_identical_output")
    lines.append(f"Same pairs with one thread and with threads = cores: {same}. Exit status of every command: "
                 + ", ".join(f"{k} {v['exit_status']}" for k, v in results.items() if isinstance(v, dict)
                             and "exit_status" in v) + ".")  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--skip-run", action="store_true", help="leave out amts run over the corpus (minutes)")
    parser.add_argument("--skip-full", action="store_true", help="only the 24-file subset")
    args = parser.parse_args()
    if not (args.corpus / "origin" / "en").is_dir():
        print(f"bench_cli: {args.corpus} not found; nothing measured (the corpus is never copied into the repository)")
        return 0
    cores = os.cpu_count() or 1
    results: dict[str, Any] = {
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": {"cores": cores, "load_at_start": [round(x, 2) for x in os.getloadavg()]},
        "previous": PREVIOUS,
    }
    with tempfile.TemporaryDirectory(prefix="amts-bench-cli-") as tmp:
        work = Path(tmp)
        book = subset(args.corpus, work / "subset", SUBSET_FILES)
        results["pairs_subset"] = timed(pairs_argv(book, work / "subset.csv"), user_environment())
        results["pairs_subset_cores"] = timed(pairs_argv(book, work / "subset-cores.csv"), user_environment(cores))
        same = (work / "subset.csv").read_bytes() == (work / "subset-cores.csv").read_bytes()
        results["pairs_subset_identical_output"] = same
        if not args.skip_full:
            origin = args.corpus / "origin"
            results["pairs_corpus"] = timed(pairs_argv(origin, work / "corpus.csv"), user_environment())
            if not args.skip_run:
                argv = ["run", "--book", str(origin), "--pairs", "en-zh", "-o", str(work / "run")]
                results["run_corpus"] = timed(argv, user_environment())
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    TABLE.write_text(table(results), encoding="utf-8")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
