"""The local pipeline, timed: ``make demo`` from a fresh process, and the whole D2L corpus EN->ZH.

1. The demo (``python -m amts_local.cli demo``) in a child process, as ``make demo`` runs it: wall time, peak memory,
   and the figures it reports (characters billed per phase, whether the sync sent only the edited paragraph).
2. The 139 chapter pairs of ``../shared/corpus/d2l/origin`` (never copied into the repository) uploaded at once
   to the local stack (moto, Step Functions interpreter, the real handlers, the Translate stand-in) for en-zh:
   wall time, state transitions (the pipeline's own AWS cost driver) in total and per chapter, handler
   invocations, characters sent to Translate, peak memory. Target: under 10 minutes on a 2-core machine.

Writes ``bench/results/pipeline.json``.
Usage: .venv/bin/python bench/bench_pipeline.py [--corpus DIR] [--limit N] [--skip-demo] [--skip-corpus]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from amts.fsio import write_atomic

from amts_local.bookrun import PhaseResult, collect_outputs, run_phase, upload_languages
from amts_local.runtime import LocalRuntime, default_pipeline_config, local_pipeline_config

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "d2l"
RESULTS = ROOT / "bench" / "results" / "pipeline.json"
TARGET_SECONDS = 600.0


def _peak_mib(who: int) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)  # ru_maxrss is in KiB on Linux


def bench_demo() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="amts-demo-") as tmp:
        started = time.monotonic()
        completed = subprocess.run(
            [sys.executable, "-m", "amts_local.cli", "demo", "-o", str(Path(tmp) / "out")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.monotonic() - started
        summary_file = Path(tmp) / "out" / "demo-summary.json"
        summary = json.loads(summary_file.read_text(encoding="utf-8")) if summary_file.is_file() else {}
        produced = sorted(p.name for p in (Path(tmp) / "out").glob("report.*"))
    return {
        "exit_status": completed.returncode,
        "wall_seconds": round(seconds, 2),
        "peak_memory_mib": _peak_mib(resource.RUSAGE_CHILDREN),
        "reports": produced,
        "phases": [
            {key: phase.get(key) for key in ("name", "status", "characters", "usd", "state_transitions", "seconds")}
            for phase in summary.get("phases", [])
        ],
        "only_edited_paragraph_sent": summary.get("only_edited_paragraph_sent"),
        "stderr_tail": completed.stderr[-2000:] if completed.returncode else "",
    }


def _subset(corpus: Path, limit: int, into: Path) -> Path:
    """The first ``limit`` chapters of origin/ (en and zh) in a temporary folder."""
    origin = corpus / "origin"
    chapters = sorted(p.relative_to(origin / "en") for p in (origin / "en").rglob("*.md"))[:limit]
    for relative in chapters:
        for lang in ("en", "zh"):
            source = origin / lang / relative
            if source.is_file():
                target = into / lang / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
    return into


def _phase_figures(phase: PhaseResult, chapters: int) -> dict[str, Any]:
    return {
        "status": phase.status,
        "error": phase.error,
        "cause": (phase.cause or "")[:500],
        "wall_seconds": round(phase.seconds, 2),
        "uploads": phase.uploads,
        "state_transitions": phase.state_transitions,
        "state_transitions_per_chapter": round(phase.state_transitions / max(1, chapters), 3),
        "translate_jobs": [
            {"pair": job.pair, "act": job.act, "status": job.status, "characters": job.characters, "usd": job.usd}
            for job in phase.jobs
        ],
        "characters_sent_to_translate": phase.characters,
        "cost_estimate_usd": phase.usd,
    }


def bench_corpus(corpus: Path, limit: int | None) -> dict[str, Any]:
    """Two runs on one local stack: the English book alone (every chapter machine translated), then the human
    Chinese translation (parallel data aligned from the whole book; chapters synced, human text kept)."""
    origin = corpus / "origin"
    with tempfile.TemporaryDirectory(prefix="amts-corpus-") as tmp:
        book = _subset(corpus, limit, Path(tmp) / "book") if limit else origin
        chapters = len(list((book / "en").rglob("*.md")))
        pipeline = local_pipeline_config(default_pipeline_config(), pairs=["en-zh"])
        started = time.monotonic()
        with LocalRuntime(pipeline=pipeline) as runtime:
            setup = time.monotonic() - started
            translate = run_phase(
                runtime, "translate", upload_languages(runtime, book, ("en",)), timeout=TARGET_SECONDS * 3
            )
            collect_outputs(runtime, Path(tmp) / "out")
            translated = len(list((Path(tmp) / "out" / "zh").rglob("*.md")))
            human = run_phase(runtime, "human", upload_languages(runtime, book, ("zh",)), timeout=TARGET_SECONDS * 3)
            parallel_rows = _parallel_data_rows(runtime)
            invocations = dict(runtime.stats.invocations)
            failed = dict(runtime.stats.failed_invocations)
            batches = list(runtime.stats.starter_batches)
        seconds = time.monotonic() - started
    transitions = translate.state_transitions + human.state_transitions
    return {
        "chapters": chapters,
        "pair": "en-zh",
        "wall_seconds": round(seconds, 2),
        "setup_seconds": round(setup, 2),
        "target_seconds": TARGET_SECONDS,
        "within_target": seconds < TARGET_SECONDS,
        "state_transitions": transitions,
        "state_transitions_per_chapter": round(transitions / max(1, chapters), 3),
        "handler_invocations": invocations,
        "failed_invocations": failed,
        "starter_batches": batches,
        "characters_sent_to_translate": translate.characters + human.characters,
        "cost_estimate_usd": round(translate.usd + human.usd, 4),
        "translated_chapters_written": translated,
        "parallel_data_rows": parallel_rows,
        "peak_memory_mib": _peak_mib(resource.RUSAGE_SELF),
        "runs": {
            "translate_english_book": _phase_figures(translate, chapters),
            "upload_human_translation": _phase_figures(human, chapters),
        },
    }


def _parallel_data_rows(runtime: LocalRuntime) -> int:
    keys = runtime.list_keys(runtime.names.work_bucket, "parallel-data/")
    if not keys:
        return 0
    latest = max(
        keys,
        key=lambda key: runtime.client("s3").head_object(Bucket=runtime.names.work_bucket, Key=key)["LastModified"],
    )
    return max(0, runtime.read_object(runtime.names.work_bucket, latest).decode("utf-8").count("\n") - 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=None, help="only the first N chapters (a quick check)")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-corpus", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    results: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    if not args.skip_demo:
        results["demo"] = bench_demo()
        print(f"demo: exit {results['demo']['exit_status']} in {results['demo']['wall_seconds']} s")
    if not args.skip_corpus:
        if not (args.corpus / "origin" / "en").is_dir():
            results["corpus"] = {"skipped": f"the D2L corpus is not at {args.corpus} (it lives in ../shared)"}
            print(results["corpus"]["skipped"])
        else:
            results["corpus"] = bench_corpus(args.corpus, args.limit)
            corpus = results["corpus"]
            print(
                f"corpus: {corpus['chapters']} chapters in {corpus['wall_seconds']} s, "
                f"{corpus['state_transitions']} state transitions ({corpus['state_transitions_per_chapter']} per "
                f"chapter), {corpus['characters_sent_to_translate']} characters, peak {corpus['peak_memory_mib']} MiB"
            )
    if args.limit is None:
        # A part skipped this time keeps its figures from the previous full run.
        previous = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.is_file() else {}
        for part in ("demo", "corpus"):
            if part not in results and part in previous:
                results[part] = previous[part]
        write_atomic(RESULTS, json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {RESULTS.relative_to(ROOT)}")
    else:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
