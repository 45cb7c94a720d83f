"""The real-drift benchmark: bring d2l-zh up to date with the rewritten English book, sending only what changed.

For the 110 same-path pairs of ``MANIFEST.tsv`` in ``../shared/corpus/d2l`` (never copied into the repository):
old source = ``origin/en/<p>`` (the English the Chinese was translated from), old target = ``origin/zh/<p>``,
new source = ``en/<p>`` (d2l-en master). One translation memory for the whole book, as ``amts sync`` uses it.

Reports total, reused, machine and flagged characters and the translator workload reduction
``1 - (machine + flagged) / total``, overall and per chapter, against the baseline of re-translating every
changed file whole. MT is a counting pseudo engine: the figures measure what is *sent*, not MT quality.
Writes ``bench/results/sync.json`` (wall time, peak memory). Target: all 110 files in 60 s or less.

Usage: .venv/bin/python bench/bench_sync.py [--corpus DIR] [--limit N]
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from amts.book import Document, parse
from amts.errors import AmtsError
from amts.fsio import read_text, write_atomic
from amts.sync import PseudoTranslator, SyncReport, TranslationMemory, sync_documents
from amts.sync.book import book_report
from amts.sync.engine import SegmentLinks, default_aligner

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "d2l"
RESULTS = ROOT / "bench" / "results" / "sync.json"
TIME_BUDGET_S = 60.0


def _totals(reports: list[SyncReport]) -> dict[str, Any]:
    summary = book_report(reports)
    return {
        "files": len(reports),
        "source_chars_total": summary.source_chars_total,
        "reused_chars": summary.reused_chars,
        "mt_chars": summary.mt_chars,
        "flagged_chars": summary.flagged_chars,
        "flagged_segments": summary.flagged_segments,
        "flagged_code_cells": sum(r.flagged_code_cells for r in reports),
        "workload_reduction": summary.workload_reduction,
        "baseline_changed_files": sum(1 for r in reports if r.source_changed),
        "baseline_chars": summary.baseline_chars,
        "baseline_workload_reduction": summary.baseline_workload_reduction,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=0, help="only the first N pairs (for a quick look)")
    args = parser.parse_args(argv)
    manifest = args.corpus / "MANIFEST.tsv"
    if not manifest.is_file():
        print(f"bench_sync: skipped: the D2L corpus is not at {args.corpus}", file=sys.stderr)
        return 0
    with manifest.open(encoding="utf-8") as handle:
        paths = [row["relative_path"] for row in csv.DictReader(handle, delimiter="\t")]
    if args.limit:
        paths = paths[: args.limit]

    memory = TranslationMemory(source_lang="en", target_lang="zh")
    translator = PseudoTranslator()
    aligner_seconds = 0.0

    def timed_aligner(src: Document, tgt: Document, src_lang: str, tgt_lang: str) -> tuple[SegmentLinks, float]:
        """The document aligner (the alignment area's), timed apart from sync's own work."""
        nonlocal aligner_seconds
        begin = time.perf_counter()
        try:
            return default_aligner(src, tgt, src_lang, tgt_lang)
        finally:
            aligner_seconds += time.perf_counter() - begin

    reports: list[SyncReport] = []
    refused: list[dict[str, str]] = []
    origins: dict[str, int] = defaultdict(int)
    outcomes: dict[str, int] = defaultdict(int)
    blocks: dict[str, int] = defaultdict(int)
    slowest: list[tuple[float, str]] = []
    started = time.perf_counter()
    for relative in paths:
        file_start = time.perf_counter()
        try:
            texts = [read_text(args.corpus / part / relative) for part in ("origin/en", "origin/zh", "en")]
            result = sync_documents(
                parse(texts[0], path=f"origin/en/{relative}"),
                parse(texts[1], path=f"origin/zh/{relative}"),
                parse(texts[2], path=f"en/{relative}"),
                memory,
                translator,
                file=relative,
                run="bench",
                aligner=timed_aligner,
            )
        except AmtsError as exc:
            refused.append({"file": relative, "error": str(exc)})
            continue
        report = result.report
        reports.append(report)
        for name, count in report.origin_counts.items():
            origins[name] += count
        for name, count in report.outcomes.model_dump().items():
            outcomes[name] += count
        for name, count in report.blocks.items():
            blocks[name] += count
        slowest.append((time.perf_counter() - file_start, relative))
    wall = time.perf_counter() - started

    chapters: dict[str, list[SyncReport]] = defaultdict(list)
    for report in reports:
        chapters[report.file.split("/", 1)[0]].append(report)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result_json: dict[str, Any] = {
        "benchmark": "real drift: origin/en -> en master, translation origin/zh, 110 MANIFEST pairs",
        "wall_time_s": round(wall, 2),
        "document_aligner_s": round(aligner_seconds, 2),
        "sync_own_s": round(wall - aligner_seconds, 2),
        "time_budget_s": TIME_BUDGET_S,
        "within_budget": wall <= TIME_BUDGET_S,
        "peak_memory_mib": round(peak_kib / 1024, 1),
        "pairs": len(paths),
        "refused": refused,
        "engine": translator.name,
        "overall": _totals(reports),
        "segment_origins": dict(origins),
        "segment_outcomes": dict(outcomes),
        "block_changes": dict(blocks),
        "memory_entries": memory.counts(),
        "per_chapter": {name: _totals(group) for name, group in sorted(chapters.items())},
        "slowest_files": [{"file": f, "seconds": round(s, 2)} for s, f in sorted(slowest, reverse=True)[:5]],
    }
    write_atomic(RESULTS, json.dumps(result_json, ensure_ascii=False, indent=1) + "\n")
    overall = result_json["overall"]
    print(
        f"sync real drift: {len(reports)}/{len(paths)} files in {wall:.1f} s (budget {TIME_BUDGET_S:.0f} s), "
        f"peak {result_json['peak_memory_mib']} MiB; document aligner {aligner_seconds:.1f} s, sync itself "
        f"{wall - aligner_seconds:.1f} s"
    )
    print(
        f"  {overall['source_chars_total']} source chars: {overall['reused_chars']} reused, {overall['mt_chars']} "
        f"to MT, {overall['flagged_chars']} flagged; workload reduction {overall['workload_reduction']:.1%} vs "
        f"{overall['baseline_workload_reduction']:.1%} re-translating the {overall['baseline_changed_files']} "
        "changed files whole"
    )
    for name, figures in result_json["per_chapter"].items():
        reduction, baseline = figures["workload_reduction"], figures["baseline_workload_reduction"]
        print(f"  {name:48s} {reduction:6.1%}  (baseline {baseline:6.1%})")
    for item in refused:
        print(f"  not synced: {item['error']}")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0 if wall <= TIME_BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
