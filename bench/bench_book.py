"""Benchmark of the book model on the whole D2L corpus; writes bench/results/book.json.

Measures parse + render of every file (target: under 10 s on one core), segment extraction, the HTML identity
round trip, peak memory, and sentence-segmentation quality on the hand-annotated gold sets.
Run: .venv/bin/python bench/bench_book.py
"""

from __future__ import annotations

import platform
import sys
import time
import tracemalloc
from pathlib import Path

from amts.book import from_html, parse, render, segments, to_html
from amts.book.goldset import load_gold, score_segmentation
from amts.fsio import read_text

# bench/ is on sys.path when the script runs; this keeps its helper importable when the script is loaded by path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import corpus_present, peak_rss_mb, write_results

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "d2l"
PARTS = ("en", "zh", "origin/en", "origin/zh")
RESULT = REPO / "bench" / "results" / "book.json"
TARGET_SECONDS = 10.0


def main() -> int:
    if not corpus_present(CORPUS):
        return 0
    files = sorted(path for part in PARTS for path in (CORPUS / part).rglob("*.md"))
    texts = [(str(path), read_text(path)) for path in files]  # reading is not part of the timed work
    total_chars = sum(len(text) for _, text in texts)
    total_bytes = sum(len(text.encode()) for _, text in texts)

    runs = []
    for _ in range(3):
        start = time.perf_counter()
        for path, text in texts:
            if render(parse(text, path=path)) != text:
                raise SystemExit(f"round trip failed: {path}")
        runs.append(time.perf_counter() - start)
    parse_render = min(runs)

    start = time.perf_counter()
    documents = [parse(text, path=path) for path, text in texts]
    segment_count = sum(len(segments(doc)) for doc in documents)
    segments_seconds = time.perf_counter() - start

    start = time.perf_counter()
    for doc in documents:
        if from_html(doc, to_html(doc)).markdown(doc) != doc.text:
            raise SystemExit(f"HTML identity round trip failed: {doc.path}")
    html_seconds = time.perf_counter() - start

    del documents
    tracemalloc.start()
    for path, text in texts:
        render(parse(text, path=path))
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    gold = {}
    for name in ("dev", "heldout"):
        score = score_segmentation(load_gold(REPO / "tests" / "data" / "segmentation" / f"{name}.tsv"), CORPUS)
        gold[name] = {"en": score.figures("en"), "zh": score.figures("zh"), "all": score.figures()}

    result = {
        "area": "book",
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "files": len(texts),
        "characters": total_chars,
        "bytes": total_bytes,
        "parse_render_seconds": round(parse_render, 3),
        "parse_render_runs_seconds": [round(run, 3) for run in runs],
        "parse_render_target_seconds": TARGET_SECONDS,
        "parse_render_within_target": parse_render < TARGET_SECONDS,
        "parse_render_mb_per_second": round(total_bytes / parse_render / 1e6, 2),
        "parse_segments_seconds": round(segments_seconds, 3),
        "segments": segment_count,
        "html_identity_round_trip_seconds": round(html_seconds, 3),
        "parse_render_traced_peak_mb": round(traced_peak / 1e6, 2),
        "process_peak_rss_mb": round(peak_rss_mb(), 1),
        "segmentation_gold": gold,
    }
    write_results(RESULT, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
