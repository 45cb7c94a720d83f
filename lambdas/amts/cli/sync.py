"""Subcommands of the sync area: ``amts sync`` (file and directory forms) and ``amts review-list``."""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from pathlib import Path
from typing import Any

from amts.book import parse_file
from amts.errors import InputError
from amts.fsio import read_text, write_atomic
from amts.languages import LanguagePair
from amts.sync import (
    MIN_CONFIDENCE,
    LocalMemoryStore,
    PseudoTranslator,
    TranslationMemory,
    memory_path,
    offline_translator,
    scan_markers,
    sync_documents,
)
from amts.sync.book import book_report, sync_directory
from amts.sync.engine import Translator


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this area's subcommands to the parser; each sets handler to a function returning the exit status."""
    sync = commands.add_parser(
        "sync",
        help="bring a translation up to date with a new source, sending only what changed to MT",
        description="Update OLD-TARGET (a translation of OLD-SOURCE) for NEW-SOURCE: unchanged blocks keep their "
        "translation byte for byte, changed sentences go to machine translation (the offline engine), human "
        "edits are kept and flagged, review markers are written as <!-- amts:review ... --> lines. Give three "
        "files, or three directories (every *.md of the new source). Exit 1 when some file could not be synced.",
    )
    sync.add_argument("--old-source", required=True, type=Path, metavar="OLD")
    sync.add_argument("--old-target", required=True, type=Path, metavar="TGT")
    sync.add_argument("--new-source", required=True, type=Path, metavar="NEW")
    sync.add_argument("-o", "--out", required=True, type=Path, help="output file (or directory)")
    sync.add_argument("--report", type=Path, help="write the JSON report here")
    sync.add_argument("--pair", default="en-zh", help="language pair, e.g. en-zh (default), en-es")
    sync.add_argument("--memory", type=Path, help="memory file (default: .amts/memory.<pair>.json beside the output)")
    sync.add_argument(
        "--engine", choices=("offline", "pseudo"), default="offline", help="offline stand-in engine or pseudo"
    )
    sync.add_argument("--min-confidence", type=float, default=MIN_CONFIDENCE, help="alignment confidence floor")
    sync.set_defaults(handler=run_sync)

    review = commands.add_parser(
        "review-list",
        help="list what needs a human: review markers in markdown files, with effort in characters",
        description="Print every <!-- amts:review --> marker under the paths (files or directories): file:line, "
        "reasons, characters to check and an excerpt, then the totals.",
    )
    review.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    review.add_argument("--json", action="store_true", help="print the list as JSON")
    review.set_defaults(handler=run_review_list)


def _translator(name: str, pair: LanguagePair) -> Translator:
    return PseudoTranslator() if name == "pseudo" else offline_translator(pair.source, pair.target)


def run_sync(args: argparse.Namespace) -> int:
    pair = LanguagePair.parse(args.pair)
    translator = _translator(args.engine, pair)
    run = uuid.uuid4().hex[:12]
    directories = [p.is_dir() for p in (args.old_source, args.old_target, args.new_source)]
    if any(directories) and not all(directories):
        raise InputError("give three files or three directories for --old-source, --old-target and --new-source")
    state = args.out if all(directories) else args.out.parent
    store = LocalMemoryStore(args.memory or memory_path(state / ".amts", pair.source, pair.target))
    memory = TranslationMemory.load(store, source_lang=pair.source, target_lang=pair.target)
    if all(directories):
        outcomes = sync_directory(
            args.old_source,
            args.old_target,
            args.new_source,
            args.out,
            memory,
            translator,
            run=run,
            min_confidence=args.min_confidence,
        )
        memory.dump(store)
        reports = [o.report for o in outcomes if o.report is not None]
        summary = book_report(reports)
        problems = [(o.relative, o.error) for o in outcomes if o.error is not None]
        if args.report:
            payload = summary.model_dump(mode="json")
            payload["problems"] = [{"file": f, "problem": p} for f, p in problems]
            write_atomic(args.report, json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        for relative, problem in problems:
            print(f"amts sync: {relative}: {problem}", file=sys.stderr)
        print(
            f"{len(reports)} files synced, {len(problems)} not: {summary.source_chars_total} source chars, "
            f"{summary.reused_chars} reused, {summary.mt_chars} to MT, {summary.flagged_chars} flagged; "
            f"workload reduction {summary.workload_reduction:.1%} (whole changed files: "
            f"{summary.baseline_workload_reduction:.1%})"
        )
        return 1 if problems else 0
    old_source, old_target, new_source = (parse_file(p) for p in (args.old_source, args.old_target, args.new_source))
    result = sync_documents(
        old_source,
        old_target,
        new_source,
        memory,
        translator,
        file=str(args.new_source),
        run=run,
        min_confidence=args.min_confidence,
    )
    write_atomic(args.out, result.markdown)
    memory.dump(store)
    report = result.report
    if args.report:
        payload = report.model_dump(mode="json")
        payload["workload_reduction"] = round(report.workload_reduction, 4)
        write_atomic(args.report, json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
    print(
        f"{args.out}: {report.source_chars_total} source chars, {report.reused_chars} reused, {report.mt_chars} "
        f"to MT ({report.mt_units} units, engine {report.engine or 'none'}), {report.flagged_segments} flagged "
        f"segments, {len(report.review)} review markers"
    )
    return 0


def run_review_list(args: argparse.Namespace) -> int:
    files: list[Path] = []
    for path in args.paths:
        if path.is_dir():
            files.extend(sorted(path.rglob("*.md")))
        else:
            files.append(path)
    items = [item for file in files for item in scan_markers(read_text(file), file=str(file))]
    if args.json:
        print(json.dumps([item.model_dump(mode="json") for item in items], ensure_ascii=False, indent=1))
        return 0
    for item in items:
        reasons = ",".join(item.reasons) or "review"
        print(f"{item.file}:{item.line}\t{reasons}\t{item.chars} chars\t{item.excerpt}")
    total = sum(item.chars for item in items)
    print(f"{len(items)} blocks to review in {len({i.file for i in items})} files, about {total} characters")
    return 0
