"""Every D2L language (issue 19): round trip, segmentation on the gold, `amts pairs` and the parallel data per pair.

    .venv/bin/python bench/bench_languages.py [--langs vi,tr] [--max-files N]

For each translation in ../shared/corpus/d2l-multi (ja, ko, pt, tr, vi, zh-TW): the files whose markdown, HTML
and hostile-translation round trips pass, out of all files of both sides (a refused file is counted with its
one-line reason); segmentation precision/recall/F1 on the project's hand-annotated gold
(tests/data/segmentation/multi.tsv, offsets into the corpus); `amts pairs` (sentence level) over every file
pair with the pairs produced, the bead mix, the dropped counts by reason and the confidence per file; the
parallel data built from those pairs checked by the validator; and the time of each step. The language
profile (Translate support, tokenizer, embedding coverage, length ratio) is copied in for the README table.
Writes bench/results/languages.json. Exits 0 with a note when the corpus is absent.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "lambdas"), str(REPO / "src"), str(REPO / "bench")]

from amts.align.documents import PairOptions, extract_pairs  # noqa: E402
from amts.align.models import PairSet  # noqa: E402
from amts.book import parse_file  # noqa: E402
from amts.book.goldset import load_gold, score_segmentation  # noqa: E402
from amts.book.roundtrip import check_file  # noqa: E402
from amts.errors import AmtsError  # noqa: E402
from amts.fsio import write_atomic  # noqa: E402
from amts.language_profiles import embeddings_cover, profile  # noqa: E402
from amts.translate.parallel_data import build_parallel_data  # noqa: E402
from amts.translate.parallel_data_reading import parse_parallel_data  # noqa: E402
from measure import Stopwatch, bead_mix  # noqa: E402

MULTI = REPO.parent / "shared" / "corpus" / "d2l-multi"
GOLD = REPO / "tests" / "data" / "segmentation" / "multi.tsv"
OUT = REPO / "bench" / "results" / "languages.json"
LANGS = {"ja": "ja", "ko": "ko", "pt": "pt", "tr": "tr", "vi": "vi", "zh-tw": "zh-TW"}


def roundtrip(root: Path, folder: str) -> dict[str, object]:
    paths = [path for side in ("en", folder) for path in sorted((root / side).rglob("*.md"))]
    failures: list[str] = []
    start = time.perf_counter()
    for path in paths:
        try:
            check = check_file(str(path))
        except AmtsError as exc:
            failures.append(f"refused: {exc}")
            continue
        if not check.ok:
            failures.append(f"{path}: {check.failures[0]}")
    ok = len(paths) - len(failures)
    return {
        "files_ok": ok,
        "files": len(paths),
        "failures": [line.replace(str(MULTI) + "/", "") for line in failures],
        "wall_s": round(time.perf_counter() - start, 1),
    }


def pairs(root: Path, folder: str, lang: str, max_files: int | None) -> tuple[dict[str, object], PairSet]:
    rels = sorted(
        p.relative_to(root / "en")
        for p in (root / "en").rglob("*.md")
        if (root / folder / p.relative_to(root / "en")).is_file()
    )
    if max_files:
        rels = rels[:max_files]
    total = PairSet("en", lang)
    confidences: list[float] = []
    skipped: list[str] = []
    clock = Stopwatch()
    for rel in rels:
        try:
            pair_set = extract_pairs(
                parse_file(root / "en" / rel),
                parse_file(root / folder / rel),
                src_lang="en",
                tgt_lang=lang,
                options=PairOptions(granularity="sentence"),
                src_name=str(rel),
                tgt_name=str(rel),
            )
        except AmtsError as exc:
            skipped.append(str(exc).replace(str(MULTI) + "/", ""))
            total.stats.dropped["file pair skipped (bad input)"] += 1
            continue
        confidences.append(pair_set.confidence)
        total.extend(pair_set)
    wall, cpu_used = clock.elapsed()
    stats = total.stats.to_dict()
    return {
        "file_pairs": len(rels),
        "pairs": stats["pairs"],
        "bead_mix": bead_mix(total),
        "beads": stats["beads"],
        "dropped": stats["dropped"],
        "low_confidence_files": stats["low_confidence_files"],
        "skipped": skipped,
        "confidence_method": "embedding similarity" if embeddings_cover("en", lang) else "order gain",
        "confidence_median": round(statistics.median(confidences), 3) if confidences else None,
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu_used, 1),
    }, total


def parallel_data(pair_set: PairSet, lang: str) -> dict[str, object]:
    data, stats = build_parallel_data([(p.src, p.tgt) for p in pair_set.pairs], "en", lang, "CSV", name=f"en-{lang}")
    parsed = parse_parallel_data(data, fmt="CSV", name=f"en-{lang}.csv")
    errors = [p for p in parsed.problems if p.severity == "error"]
    return {
        "written_records": stats.written_records,
        "dropped": dict(stats.dropped),
        "validator_errors": len(errors),
        "validator_warnings": len(parsed.problems) - len(errors),
        "valid": not errors and not parsed.fatal,
    }


RUN_CHAPTERS = (
    "chapter_installation/index.md",
    "chapter_preface/index.md",
    "chapter_deep-learning-computation/parameters.md",
    "chapter_deep-learning-computation/deferred-init.md",
)


def pipeline_run(work: Path) -> dict[str, object]:
    """`amts run --pairs en-ja,en-ko,en-pt,en-tr,en-vi` on the local stand-in over a few chapters: the English of
    d2l-tr (v0.16/0.17) with each translation found at the same path (ja has two of the four), in a temp book."""
    from amts_local.cli import main as amts_main

    book = work / "book"
    for rel in RUN_CHAPTERS:
        for lang, source in [("en", MULTI / "tr" / "origin" / "en" / rel)] + [
            (lang, MULTI / lang / "origin" / lang / rel) for lang in ("ja", "ko", "pt", "tr", "vi")
        ]:
            if source.is_file():
                (book / lang / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, book / lang / rel)
    out = work / "out"
    start = time.perf_counter()
    status = amts_main(["run", "--book", str(book), "--pairs", "en-ja,en-ko,en-pt,en-tr,en-vi", "--out", str(out)])
    wall = time.perf_counter() - start
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    validated = {}
    for path in sorted((out / "parallel-data").rglob("*.*")):
        parsed = parse_parallel_data(path.read_bytes(), name=path.name)
        errors = sum(1 for p in parsed.problems if p.severity == "error")
        validated[path.parent.name] = {"records": len(parsed.records), "errors": errors, "valid": not errors}
    return {
        "exit_status": status,
        "chapters": len(RUN_CHAPTERS),
        "wall_s": round(wall, 1),
        "engines": [engine["description"] for engine in report["engines"]],
        "outcomes": [note for note in report["notes"] if ": SUCCEEDED" in note or ": NOTHING_TO" in note],
        "parallel_data": validated,
        "note": "offline stand-in: pseudo engine (no offline engine for these pairs) plus the translation memory "
        "built from the parallel data standing in for ACT; scores measure the pipeline, not Amazon Translate",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--langs", default=",".join(LANGS), help="corpus folders, e.g. vi,tr (default all)")
    parser.add_argument("--max-files", type=int, default=None, help="only the first N file pairs per language")
    parser.add_argument("--skip-run", action="store_true", help="leave out the end-to-end pipeline run")
    args = parser.parse_args()
    if not MULTI.is_dir():
        print(f"skipped: the D2L translations corpus is not at {MULTI}")
        return 0
    segmentation = score_segmentation(load_gold(GOLD), MULTI)
    languages: dict[str, dict[str, object]] = {}
    results: dict[str, object] = {"corpus": str(MULTI.relative_to(REPO.parent)), "languages": languages}
    for folder in args.langs.split(","):
        lang = LANGS[folder]
        root = MULTI / folder / "origin"
        started = time.perf_counter()
        trip = roundtrip(root, folder)
        pair_figures, pair_set = pairs(root, folder, lang, args.max_files)
        seg = segmentation.figures(lang)
        data = parallel_data(pair_set, lang)
        entry: dict[str, object] = {
            "profile": profile(lang).to_dict(),
            "roundtrip": trip,
            "segmentation": seg,
            "pairs": pair_figures,
            "parallel_data": data,
            "wall_s": round(time.perf_counter() - started, 1),
        }
        languages[lang] = entry
        print(
            f"{lang}: round trip {trip['files_ok']}/{trip['files']}, segmentation F1 {seg['f1']}, "
            f"{pair_figures['pairs']} pairs from {pair_figures['file_pairs']} files "
            f"({pair_figures['confidence_method']} median {pair_figures['confidence_median']}), "
            f"parallel data valid: {data['valid']}, {entry['wall_s']} s"
        )
    results["segmentation_errors"] = segmentation.errors
    if not args.skip_run:
        with tempfile.TemporaryDirectory(prefix="amts-languages-") as work:
            run = pipeline_run(Path(work))
        results["pipeline_run"] = run
        print(f"pipeline run: exit {run['exit_status']}, {run['wall_s']} s")
    write_atomic(OUT, json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
