"""The real-drift benchmark, run as a translator runs it: bring d2l-zh up to date with the rewritten English book.

Old source ``origin/en`` (the English the Chinese was translated from), old translation ``origin/zh``, new source
``en`` (d2l-en master), all read from ``../shared/corpus/d2l`` (never copied into the repository). Two paths, each
with the CLI's defaults, pinned to one core:

1. ``amts sync`` in its directory form (139 chapters, 29 of them moved in v1.0);
2. ``amts run --old-source`` through the local pipeline (the real state machine and handlers on moto).

For each: wall time and peak memory; the structural differences ``amts check-skeleton`` finds between the output and
the new English (against the human translation's own differences from its source, the baseline); the chapters
reused through rename detection (checked against ``RENAMED_PAIRS.tsv``); the share of source characters reused;
machine-translated text that the old source already had, by why it could not be reused ("own": a sentence whose
own translation existed, which must be 0); and, on the chapters at the same path, the share of prose characters
whose human translation is kept (verbatim, fuzzy-kept at the default threshold, markup updated; target 65 %).
Writes ``bench/results/sync.json``.

Usage: .venv/bin/python bench/bench_sync.py [--corpus DIR] [--skip-run]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from amts.book import markdown_files, parse_file
from amts.book.skeleton import check_skeleton
from amts.fsio import write_atomic

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "d2l"
RESULTS = ROOT / "bench" / "results" / "sync.json"
AMTS = [sys.executable, "-m", "amts_local.cli"]
TIME_BUDGET_S = 60.0  # the directory form over the whole book
BILLED = re.compile(r"^(\w+): (\w+) in [\d.]+ s, \d+ state transitions, (\d+) characters billed", re.MULTILINE)


def skeleton_differences(translation_dir: Path, source_dir: Path) -> dict[str, Any]:
    """What ``amts check-skeleton`` reports for every file of ``source_dir`` translated in ``translation_dir``."""
    translated = markdown_files(translation_dir)
    counts: Counter[str] = Counter()
    files = differing = 0
    for relative, source in markdown_files(source_dir).items():
        if relative not in translated:
            continue
        files += 1
        check = check_skeleton(parse_file(translated[relative]), parse_file(source))
        differing += not check.ok
        counts.update(check.counts())
    return {"files": files, "files_differing": differing, "differences": sum(counts.values()), "by_kind": dict(counts)}


def one_core(command: list[str]) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """Run ``command`` on one CPU; its wall time (s) and peak resident memory (MiB), from the child's own usage."""
    cpu = min(os.sched_getaffinity(0))
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            stdout=stdout,
            stderr=stderr,
            text=True,
            cwd=ROOT,
            preexec_fn=lambda: os.sched_setaffinity(0, {cpu}),
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        completed = subprocess.CompletedProcess(command, process.returncode, stdout.read(), stderr.read())
    return completed, wall, round(usage.ru_maxrss / 1024, 1)


def renamed_pairs(corpus: Path) -> dict[str, set[str]]:
    """RENAMED_PAIRS.tsv: each moved chapter's new path and the old path(s) it continues."""
    pairs: dict[str, set[str]] = {}
    with (corpus / "RENAMED_PAIRS.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            pairs.setdefault(row["en_path"], set()).add(row["zh_path"])
    return pairs


def directory_form(corpus: Path, work: Path, truth: dict[str, set[str]]) -> dict[str, Any]:
    out, report_path = work / "zh", work / "report.json"
    command = [*AMTS, "sync", "--old-source", str(corpus / "origin" / "en"), "--old-target",
               str(corpus / "origin" / "zh"), "--new-source", str(corpus / "en"), "-o", str(out),
               "--report", str(report_path)]  # fmt: skip
    completed, wall, peak = one_core(command)
    if completed.returncode not in (0, 1):
        raise SystemExit(f"amts sync failed ({completed.returncode}): {completed.stderr[-2000:]}")
    report = json.loads(report_path.read_text(encoding="utf-8"))
    files = report["files"]
    same_path = set(_manifest(corpus))
    total = report["source_chars_total"]
    old_source_mt: Counter[str] = Counter()
    for item in files:
        old_source_mt.update(item.get("old_source_mt", {}))
    renames = report["renames"]
    correct = sum(1 for r in renames if r["old"] in truth.get(r["new"], set()))
    subset = [f for f in files if f["file"] in same_path]
    moved = [f for f in files if f.get("previous_file")]
    classes: dict[str, Counter[str]] = {}
    for item in subset:
        for kind, figures in item["sentence_classes"].items():
            classes.setdefault(kind, Counter()).update(figures)
    prose = sum(figures["chars"] for figures in classes.values())
    kept = sum(classes.get(kind, Counter())["chars"] for kind in ("verbatim", "fuzzy_kept", "markup_updated"))
    return {
        "command": "amts sync --old-source origin/en --old-target origin/zh --new-source en -o OUT --report R",
        "exit_status": completed.returncode,
        "wall_time_s": round(wall, 1),
        "within_budget": wall <= TIME_BUDGET_S,
        "peak_memory_mib": peak,
        "chapters": len(files),
        "engine": next((f["engine"] for f in files if f.get("engine")), None),
        "skeleton": skeleton_differences(out, corpus / "en"),
        "renames_used": len(renames),
        "renames_matching_renamed_pairs": correct,
        "renamed_pairs_listed": len(truth),
        "human_files_kept": len(report["human_files_kept"]),
        "problems": report["problems"],
        "source_chars_total": total,
        "reused_chars": report["reused_chars"],
        "mt_chars": report["mt_chars"],
        "reused_share": round(report["reused_chars"] / total, 4) if total else None,
        "reused_share_same_path": _share(subset),
        "reused_share_moved_chapters": _share(moved),
        "workload_reduction": report["workload_reduction"],
        "fuzzy_threshold": next((f["fuzzy_threshold"] for f in files), None),
        "same_path_sentence_classes": {kind: dict(figures) for kind, figures in sorted(classes.items())},
        "same_path_human_kept_share": round(kept / prose, 4) if prose else None,
        "same_path_mt_chars": classes.get("mt", Counter())["chars"],
        "effort": report["effort"],
        "mt_chars_already_in_old_source": dict(old_source_mt),
        "avoidable_mt_chars": old_source_mt.get("own", 0),
        "dropped_translation_blocks": sum(len(f["dropped_blocks"]) for f in files),
        "translator_only_blocks_kept": sum(f["translator_only_blocks"] for f in files),
        "segment_outcomes": dict(sum((Counter(f["outcomes"]) for f in files), Counter())),
    }


def _manifest(corpus: Path) -> list[str]:
    with (corpus / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        return [row["relative_path"] for row in csv.DictReader(handle, delimiter="\t")]


def _share(files: list[dict[str, Any]]) -> float | None:
    total = sum(f["source_chars_total"] for f in files)
    return round(sum(f["reused_chars"] for f in files) / total, 4) if total else None


def pipeline_run(corpus: Path, work: Path, truth: dict[str, set[str]]) -> dict[str, Any]:
    book = work / "book"
    book.mkdir()
    (book / "en").symlink_to(corpus / "en")
    (book / "zh").symlink_to(corpus / "origin" / "zh")
    out = work / "run"
    command = [*AMTS, "run", "--book", str(book), "--pairs", "en-zh", "--old-source", str(corpus / "origin" / "en"),
               "-o", str(out)]  # fmt: skip
    completed, wall, peak = one_core(command)
    if completed.returncode != 0:
        raise SystemExit(f"amts run failed ({completed.returncode}): {completed.stderr[-2000:]}")
    billed = {phase: int(chars) for phase, _, chars in BILLED.findall(completed.stdout)}
    notes = (out / "report.md").read_text(encoding="utf-8")
    moves = re.findall(r"moved chapter synced from its old path: (\S+) -> (\S+)", notes)
    correct = sum(1 for old, new in moves if old in truth.get(new, set()))
    proposals = sorted(p.name for p in (out / "zh").rglob("*.amts-proposal.md"))
    return {
        "command": "amts run --book {en, zh=origin/zh} --pairs en-zh --old-source origin/en -o OUT",
        "wall_time_s": round(wall, 1),
        "peak_memory_mib": peak,
        "characters_billed": billed,
        "skeleton": skeleton_differences(out / "zh", corpus / "en"),
        "renames_used": len(moves),
        "renames_matching_renamed_pairs": correct,
        "human_files_kept": len(proposals),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--skip-run", action="store_true", help="only the directory form (a quick look)")
    args = parser.parse_args(argv)
    if not (args.corpus / "MANIFEST.tsv").is_file():
        print(f"bench_sync: skipped: the D2L corpus is not at {args.corpus}", file=sys.stderr)
        return 0
    truth = renamed_pairs(args.corpus)
    results: dict[str, Any] = {
        "benchmark": "real drift: origin/en + origin/zh -> en (139 chapters), CLI defaults, one core",
        "baseline_human_translation": skeleton_differences(
            args.corpus / "origin" / "zh", args.corpus / "origin" / "en"
        ),
    }
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        work = Path(tmp)
        results["directory_form"] = directory_form(args.corpus, work, truth)
        if not args.skip_run:
            results["amts_run"] = pipeline_run(args.corpus, work, truth)
    write_atomic(RESULTS, json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    base, form = results["baseline_human_translation"], results["directory_form"]
    print(
        f"human translation vs its own source: {base['differences']} structural differences in "
        f"{base['files_differing']} of {base['files']} files"
    )
    print(
        f"amts sync (directory form): {form['chapters']} chapters in {form['wall_time_s']} s on one core, peak "
        f"{form['peak_memory_mib']} MiB; {form['skeleton']['differences']} structural differences; "
        f"{form['renames_used']} moved chapters reused ({form['renames_matching_renamed_pairs']} as in "
        f"RENAMED_PAIRS, of {form['renamed_pairs_listed']}); reused {form['reused_share']:.1%} of source characters "
        f"({form['reused_share_same_path']:.1%} same-path, {form['reused_share_moved_chapters']:.1%} moved); "
        f"avoidable MT {form['avoidable_mt_chars']} chars; MT already in the old source: "
        f"{form['mt_chars_already_in_old_source']}"
    )
    print(
        f"  same-path chapters: human-kept share {form['same_path_human_kept_share']:.1%} of prose characters "
        f"(verbatim + fuzzy-kept at {form['fuzzy_threshold']} + markup updated; target 65%), "
        f"{form['same_path_mt_chars']} MT characters; effort left {form['effort']['share']:.1%} of translating "
        "from scratch"
    )
    if "amts_run" in results:
        run = results["amts_run"]
        print(
            f"amts run --old-source: {run['wall_time_s']} s on one core, peak {run['peak_memory_mib']} MiB; "
            f"{run['skeleton']['differences']} structural differences in {run['skeleton']['files']} chapters; "
            f"{run['renames_used']} moved chapters reused ({run['renames_matching_renamed_pairs']} as in "
            f"RENAMED_PAIRS); {run['human_files_kept']} human files kept; characters billed {run['characters_billed']}"
        )
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    ok = form["skeleton"]["differences"] == 0 and form["avoidable_mt_chars"] == 0 and form["within_budget"]
    ok = ok and (form["same_path_human_kept_share"] or 0) >= 0.65
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
