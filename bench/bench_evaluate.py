"""The study's two tables on the real d2l corpus, both directions, with the Translate stand-in's engines.

Reads ``../shared/corpus/d2l`` (never copied into the repository). Parallel data comes from the ``origin/``
pairs (the English text the Chinese was actually translated from); the five evaluation sections of
``EVAL_SECTIONS.tsv`` are translated and scored against their human translation.

Leave-one-chapter-out is the default; a second EN->ZH run with the sections' own pairs included shows what
leakage would look like, labelled as such. Writes ``bench/results/evaluate.json`` (timings, peak memory,
pool sizes, the tables) and the run report as ``bench/results/evaluate-report.{json,html,md}``; the JSON and the
Markdown are the committed record, the HTML is rendered from the same report for viewing and not committed (it
would repeat the report's CSS, and go stale whenever ``report_html`` changes).

Usage: .venv/bin/python bench/bench_evaluate.py [--sections N] [--no-leakage-demo] [--structural-pairs]
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

from amts.book import parse_file
from amts.evaluate.experiments import (
    BookDocument,
    ExtractFn,
    build_pair_pool,
    run_experiments,
    structural_pairs,
)
from amts.evaluate.models import (
    CostLine,
    CostReport,
    EngineInfo,
    ExperimentReport,
    Granularity,
    RunReport,
)
from amts.evaluate.report_html import metric, render_html
from amts.evaluate.report_markdown import render_markdown
from amts.evaluate.scoring import chapter_of
from amts.fsio import write_atomic
from amts.languages import LanguagePair

from amts_local.engines.experiments import standin_engine

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "d2l"
RESULTS = REPO / "bench" / "results"
# Third-party list prices (aws-facts.md A5, UNVERIFIED against the pricing page): standard vs ACT per million.
USD_STANDARD, USD_ACT = 15.0, 60.0


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def load_book(origin: Path) -> list[BookDocument]:
    book = []
    for row in _read_tsv(origin / "MANIFEST.tsv"):
        rel = row["relative_path"]
        docs = {lang: parse_file(origin / lang / rel) for lang in ("en", "zh")}
        book.append(BookDocument(name=rel, chapter=chapter_of(rel), docs=docs))
    return book


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _table(report: ExperimentReport) -> list[dict[str, Any]]:
    rows = []
    for row in report.rows:
        entry: dict[str, Any] = {"section": row.section, "chapter": row.chapter}
        for result in row.results:
            bleu, chrf = metric(result.metrics, "BLEU"), metric(result.metrics, "chrF")
            entry[result.condition] = {
                "bleu": None if bleu is None else round(bleu.score, 2),
                "bleu_0_1": None if bleu is None else bleu.score_unit,
                "chrf": None if chrf is None else round(chrf.score, 2),
                "segments": result.segments,
                "parallel_pairs": result.parallel_pairs,
                "excluded_pairs": result.excluded_pairs,
                "leakage_guard": result.leakage_guard,
                "engine_usage": result.engine_usage,
            }
        rows.append(entry)
    totals = {t.name: {m.metric: round(m.score, 2) for m in t.metrics} for t in report.totals}
    return [{"rows": rows, "totals": totals}]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", type=int, default=0, help="evaluate only the first N sections (0 = all)")
    parser.add_argument("--no-leakage-demo", action="store_true", help="skip the own-pairs-included run")
    parser.add_argument(
        "--structural-pairs",
        action="store_true",
        help="build parallel data from document structure instead of the aligner (seconds instead of minutes)",
    )
    args = parser.parse_args(argv)
    if not (CORPUS / "origin" / "MANIFEST.tsv").is_file():
        print(f"skipped: the D2L corpus is not at {CORPUS} (it lives in ../shared beside the project)")
        return 0
    started = time.perf_counter()
    timings: dict[str, float] = {}

    t0 = time.perf_counter()
    book = load_book(CORPUS / "origin")
    timings["parse_book_s"] = round(time.perf_counter() - t0, 2)

    sections = [row["zh_path"] for row in _read_tsv(CORPUS / "EVAL_SECTIONS.tsv")]
    names = {d.name for d in book}
    sections = [s for s in sections if s in names]
    if args.sections:
        sections = sections[: args.sections]

    use_aligner = not args.structural_pairs
    extract: ExtractFn | None = None if use_aligner else structural_pairs
    extractor = "amts.align.extract_pairs" if use_aligner else "structural_pairs (document structure, no aligner)"
    pools: dict[Granularity, Any] = {}
    for granularity in ("paragraph", "sentence"):
        t0 = time.perf_counter()
        pools[granularity] = build_pair_pool(book, "en", "zh", granularity, extract=extract)
        timings[f"pool_{granularity}_s"] = round(time.perf_counter() - t0, 2)

    experiments: list[ExperimentReport] = []
    engines: list[EngineInfo] = []
    runs = [("en-zh", False), ("zh-en", False)]
    if not args.no_leakage_demo:
        runs.append(("en-zh", True))
    for direction, leak in runs:
        pair = LanguagePair.parse(direction)
        engine = standin_engine(pair.source, pair.target)
        if engine.name not in {e.name for e in engines}:
            engines.append(EngineInfo(name=engine.name, description=engine.description))
        t0 = time.perf_counter()
        experiments.append(run_experiments(book, sections, pair, engine, pools, allow_leakage=leak))
        timings[f"experiments_{direction}{'_leaky' if leak else ''}_s"] = round(time.perf_counter() - t0, 2)

    characters_plain = sum(
        r.characters for e in experiments for row in e.rows for r in row.results if r.parallel_pairs == 0
    )
    characters_act = sum(
        r.characters for e in experiments for row in e.rows for r in row.results if r.parallel_pairs > 0
    )
    report = RunReport(
        title="AMTS evaluation on d2l (origin pairs): the study's tables",
        generated_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        book="d2l-en _origin.md / d2l-zh (../shared/corpus/d2l/origin)",
        language_pairs=["en-zh", "zh-en"],
        engines=engines,
        experiments=experiments,
        cost=CostReport(
            lines=[
                CostLine(
                    label="standard translation (conditions without ACT)",
                    characters=characters_plain,
                    usd_per_million_characters=USD_STANDARD,
                ),
                CostLine(
                    label="ACT translation (conditions with parallel data)",
                    characters=characters_act,
                    usd_per_million_characters=USD_ACT,
                ),
            ],
            pricing_note="what these experiments would cost on Amazon Translate at third-party list prices "
            "($15 standard, $60 ACT per million characters; not verified against the AWS pricing page)",
        ),
        notes=[
            f"parallel data extracted with {extractor}: {len(pools['paragraph'])} paragraph pairs, "
            f"{len(pools['sentence'])} sentence pairs from {len(book)} document pairs",
            "the last experiment block deliberately includes each section's own chapter pairs to show what "
            "leakage looks like; it is not a result",
        ]
        if not args.no_leakage_demo
        else [f"parallel data extracted with {extractor}"],
    )
    write_atomic(RESULTS / "evaluate-report.json", report.model_dump_json(indent=2) + "\n")
    write_atomic(RESULTS / "evaluate-report.html", render_html(report))
    write_atomic(RESULTS / "evaluate-report.md", render_markdown(report))
    summary = {
        "wall_time_s": round(time.perf_counter() - started, 2),
        "peak_rss_mib": round(_rss_mib(), 1),
        "timings": timings,
        "documents": len(book),
        "sections": sections,
        "pair_extractor": extractor,
        "pool_sizes": {g: len(p) for g, p in pools.items()},
        "engines": [e.name for e in engines],
        "experiments": {
            f"{e.src_lang}-{e.tgt_lang}{' (own pairs included)' if 'included' in e.leakage_policy else ''}": {
                "leakage_policy": e.leakage_policy,
                "tokenize": e.tokenize,
                "table": _table(e),
            }
            for e in experiments
        },
        "html_report": str((RESULTS / "evaluate-report.html").relative_to(REPO)),
    }
    write_atomic(RESULTS / "evaluate.json", json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(render_markdown(report))
    print(f"wall {summary['wall_time_s']} s, peak RSS {summary['peak_rss_mib']} MiB; timings {timings}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
