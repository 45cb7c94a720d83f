"""Benchmark of the translate area on the real D2L corpus; writes bench/results/translate.json.

Measures: building and validating a parallel data file from the book's own paragraphs (``origin/`` pairs,
paragraph i of the English file with paragraph i of the Chinese one: realistic text, not a real alignment, so
the filter counts are only indicative), translation-memory lookups (exact and fuzzy), and stand-in batch jobs
over the five evaluation sections as Translate-ready HTML (EN->ZH pseudo, EN->ES Apertium when installed), on
moto S3 with the simulated clock. Peak memory from ``resource.getrusage`` (tracemalloc would slow the timings).
Run: .venv/bin/python bench/bench_translate.py
"""

from __future__ import annotations

import csv
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from amts.book import parse_file, prose, segments, to_html
from amts.translate.cost import estimate_cost
from amts.translate.job_outputs import JobState, job_state
from amts.translate.parallel_data import build_parallel_data
from amts.translate.parallel_data_reading import parse_parallel_data, validate_parallel_data
from amts_aws.job_outputs import read_job_outputs

from amts_local.engines.chain import ApertiumEngine, TranslationMemoryEngine
from amts_local.standin import SimulatedClock, TranslateStandIn

# bench/ is on sys.path when the script runs; this keeps its helper importable when the script is loaded by path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import corpus_present, peak_rss_mb, write_results

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "d2l"
RESULT = REPO / "bench" / "results" / "translate.json"


def paragraph_pairs() -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for en_path in sorted((CORPUS / "origin" / "en").rglob("*.md")):
        zh_path = CORPUS / "origin" / "zh" / en_path.relative_to(CORPUS / "origin" / "en")
        if not zh_path.is_file():
            continue
        en = [prose(s) for s in segments(parse_file(en_path)) if s.kind == "paragraph"]
        zh = [prose(s) for s in segments(parse_file(zh_path)) if s.kind == "paragraph"]
        pairs.extend(zip(en, zh, strict=False))
    return pairs


def bench_parallel_data(pairs: list[tuple[str, str]]) -> tuple[dict[str, Any], bytes]:
    start = time.perf_counter()
    data, stats = build_parallel_data(pairs, "en", "zh")
    build_seconds = time.perf_counter() - start
    start = time.perf_counter()
    problems = validate_parallel_data(data)
    validate_seconds = time.perf_counter() - start
    tmx, _ = build_parallel_data(pairs, "en", "zh", "TMX")
    tmx_problems = [p for p in validate_parallel_data(tmx) if p.severity == "error"]
    return {
        "input_pairs": len(pairs),
        "build_seconds": round(build_seconds, 3),
        "pairs_per_second": round(len(pairs) / build_seconds),
        "validate_seconds": round(validate_seconds, 3),
        "validate_lines_per_second": round(stats.written_records / validate_seconds),
        "validation_errors_csv": sum(1 for p in problems if p.severity == "error"),
        "validation_errors_tmx": len(tmx_problems),
        "stats": stats.to_dict(),
    }, data


def bench_memory(data: bytes) -> dict[str, Any]:
    parsed = parse_parallel_data(data)
    rows = [row for _, row in parsed.records]
    start = time.perf_counter()
    memory = TranslationMemoryEngine(rows, "en", ["zh"])
    build_seconds = time.perf_counter() - start
    queries = [row.src for row in rows[:300]] + [row.src.replace(" the ", " a ", 1) for row in rows[300:600]]
    start = time.perf_counter()
    hits = [memory.lookup(q, "zh") for q in queries]
    lookup_seconds = time.perf_counter() - start
    exact = sum(1 for h in hits if h and "exact" in h[1])
    fuzzy = sum(1 for h in hits if h and "fuzzy" in h[1])
    return {
        "entries": len(rows),
        "build_seconds": round(build_seconds, 3),
        "queries": len(queries),
        "lookups_per_second": round(len(queries) / lookup_seconds),
        "exact_hits": exact,
        "fuzzy_hits": fuzzy,
    }


def bench_jobs() -> dict[str, Any]:
    os.environ.update(
        {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"}
    )
    import boto3
    from moto import mock_aws

    with (CORPUS / "EVAL_SECTIONS.tsv").open(encoding="utf-8") as handle:
        sections = list(csv.DictReader(handle, delimiter="\t"))
    documents = {f"{s['name']}.html": to_html(parse_file(CORPUS / "en" / s["en_path"])) for s in sections}
    results: dict[str, Any] = {"documents": len(documents)}
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        s3 = session.client("s3")
        s3.create_bucket(Bucket="amts-bench")
        standin = TranslateStandIn(s3, clock=SimulatedClock())
        with standin.installed(session):
            translate = session.client("translate")
            for name, html in documents.items():
                s3.put_object(Bucket="amts-bench", Key=f"in/run/{name}", Body=html.encode("utf-8"))
            targets = ["zh"] + (["es"] if ApertiumEngine().supports("en", "es") else [])
            for target in targets:
                estimate = estimate_cost(documents, [target])
                start = time.perf_counter()
                final = _run_job(translate, standin.clock, target)
                seconds = time.perf_counter() - start
                outputs = read_job_outputs(s3, final)
                results[f"en-{target}"] = {
                    "status": final.status,
                    "seconds": round(seconds, 3),
                    "characters": outputs.characters_translated[target],
                    "estimated_characters": estimate.source_characters,
                    "characters_per_second": round(outputs.characters_translated[target] / seconds),
                    "engines": outputs.auxiliary[target]["engine"]["engines"],
                }
    return results


_ROLE = "arn:aws:iam::123456789012:role/amts-translate"


def _run_job(translate: Any, clock: SimulatedClock, target: str) -> JobState:
    """Start a job the way the state machine does and poll it to the end on the stand-in's simulated clock."""
    job_id = translate.start_text_translation_job(
        JobName=f"bench-{target}",
        InputDataConfig={"S3Uri": "s3://amts-bench/in/run/", "ContentType": "text/html"},
        OutputDataConfig={"S3Uri": "s3://amts-bench/out/"},
        DataAccessRoleArn=_ROLE,
        SourceLanguageCode="en",
        TargetLanguageCodes=[target],
        ClientToken=f"bench-{target}",
    )["JobId"]
    while not (
        state := job_state(translate.describe_text_translation_job(JobId=job_id)["TextTranslationJobProperties"])
    ).terminal:
        clock.advance(30.0)
    return state


def main() -> int:
    if not corpus_present(CORPUS):
        return 0
    wall = time.perf_counter()
    pairs = paragraph_pairs()
    parallel, data = bench_parallel_data(pairs)
    memory = bench_memory(data)
    jobs = bench_jobs()
    result = {
        "python": platform.python_version(),
        "wall_seconds": round(time.perf_counter() - wall, 2),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "parallel_data": parallel,
        "translation_memory": memory,
        "standin_jobs": jobs,
    }
    write_results(RESULT, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
