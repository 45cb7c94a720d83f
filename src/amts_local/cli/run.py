"""``amts run`` (a book through the local pipeline) and ``amts demo`` (the sample book, end to end)."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path
from typing import Any

from amts.book import markdown_files, parse_file
from amts.book.parser import PROPOSAL_SUFFIX
from amts.config import RENAMES_KEY
from amts.errors import InputError
from amts.fsio import check_output_folder, check_outputs_outside, list_files, read_bytes
from amts.keys import chapter_problem
from amts.languages import parse_pairs
from amts.pipeline_config import PipelineConfig, load_pipeline_config, load_pipeline_config_from_cdk_json
from amts.sync.renames import load_renames

from amts_local.cli.commands import CommandArea, arg
from amts_local.cli.options import file_option, json_option, output_option, read_json
from amts_local.faults import FAULT_KINDS, inject_fault, pending_faults

BUDGET_EXCEEDED = "AMTS.BudgetExceeded"
HELP_WIDTH = 79
COMMANDS = CommandArea()


def _fault_kinds_help() -> str:
    kinds = [
        textwrap.fill(f"{kind.name}: {kind.what}. Expected: {kind.expected}.", HELP_WIDTH, subsequent_indent="    ")
        for kind in FAULT_KINDS.values()
    ]
    return "fault kinds (--inject-fault KIND):\n" + "\n".join(kinds)


def _positive_usd(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an amount in USD: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"the budget must be above 0, got {text}")
    return value


@COMMANDS.command(
    "run",
    help="run a book through the local pipeline (moto, Step Functions, the real handlers, Translate stand-in)",
    description=textwrap.fill(
        "Upload a book (one folder per language code with the same relative paths, e.g. en/ zh/ es/) to the "
        "local stack and run the pipeline for the given pairs. With --old-source, the previous source and the "
        "existing translations are uploaded first and the current source second, so only changes are sent; "
        "old paths gone from the current source are deleted from the bucket, so moved chapters are synced, and "
        "their old translations are moved to <out>/source-gone/. "
        "Translation files without a source chapter, and chapters whose path the pipeline refuses, are named "
        "and left alone. "
        "How pairs are chosen: each pair of --pairs must be one of the pipeline config's language_pairs (its "
        "parallel data name, reference folder, evaluation switch): by default the 'amts:pipeline' context of "
        "the project's cdk.json (en-zh, en-es), as deployed; --config FILE runs with another config, so any "
        "pair (en-fr, zh-en, ...) can run locally without editing cdk.json.",
        width=HELP_WIDTH,
    ),
    epilog=_fault_kinds_help(),
    formatter_class=argparse.RawDescriptionHelpFormatter,  # keeps the list of fault kinds one per paragraph
    options=[
        arg("--book", required=True, type=Path, help="book folder with one sub-folder per language"),
        arg("--pairs", required=True, help="language pairs, e.g. en-zh,en-es (each one in the config)"),
        file_option(
            "--config",
            help="pipeline config: a cdk.json (its 'amts:pipeline' context) or a JSON file holding that value "
            "alone (default: the project's cdk.json)",
        ),
        arg("--old-source", type=Path, help="the previous version of the source-language folder"),
        file_option(
            "--renames",
            help="chapters that moved, one 'OLD NEW' pair of paths per line; uploaded as the book's "
            "config/renames.tsv (without it, moved chapters are found by content)",
        ),
        arg(
            "--budget-usd",
            type=_positive_usd,
            metavar="AMOUNT",
            help="the per-run cost cap for this local run, in USD (default: budget.max_cost_usd_per_run of "
            "cdk.json); a run estimated above it starts no Translate job and ends in BudgetExceeded",
        ),
        output_option(default=Path("out"), help="output folder, outside the book (default: out)"),
        json_option(help="print each phase's outcome as JSON on standard output instead of the summary lines"),
        arg(
            "--inject-fault",
            action="append",
            choices=list(FAULT_KINDS),
            metavar="KIND",
            help="make the offline Translate misbehave, to see what the pipeline does (repeatable; the kinds are "
            "listed below)",
        ),
    ],
)
def _run(args: argparse.Namespace) -> int:
    from amts_local.bookrun import (
        check_book,
        collect_outputs,
        mirror_language,
        publish_latest_report,
        publish_review_page,
        review_page_line,
        run_phase,
        set_aside_gone,
        translation_only,
    )
    from amts_local.progress import ProgressDisplay
    from amts_local.runtime import LocalRuntime, default_pipeline_config, local_pipeline_config

    pairs = parse_pairs(args.pairs)
    info = sys.stderr if args.json else sys.stdout  # stdout carries the JSON alone
    book: Path = args.book
    source = pairs[0].source
    # A chapter whose path the pipeline's key validator refuses is never uploaded (the bucket would reject it).
    listed = check_book(book, pairs)
    refused = _refused(f"{source}/", listed)
    chapters = [path for path in listed if f"{source}/{path}" not in refused]
    if not chapters:
        first, problem = next(iter(refused.items()))
        raise InputError(f"no chapter of {source}/ can be uploaded: {_printable(first)}: {problem}", path=str(book))
    targets = [pair.target for pair in pairs]
    old_chapters: list[str] = []
    if args.old_source is not None:
        if not Path(args.old_source).is_dir():
            raise InputError("old source folder not found", path=str(args.old_source))
        old_all = list(markdown_files(args.old_source))
        refused |= _refused(f"{args.old_source}/", old_all)
        old_chapters = [path for path in old_all if f"{args.old_source}/{path}" not in refused]
    check_outputs_outside([args.output], [book, args.old_source, args.renames, args.config])
    check_output_folder(args.output)  # before the run, not when its results are collected
    renames_text = None
    if args.renames is not None:
        load_renames(args.renames)  # a malformed map is named here, before anything runs
        renames_text = read_bytes(args.renames)
    configured = default_pipeline_config() if args.config is None else pipeline_config_file(args.config)
    pipeline = local_pipeline_config(configured, pairs=[str(p) for p in pairs])
    if args.budget_usd is not None:
        budget = pipeline.budget.model_copy(update={"max_cost_usd_per_run": args.budget_usd})
        pipeline = pipeline.model_copy(update={"budget": budget})
    present_targets = [t for t in targets if (book / t).is_dir()]
    known = set(chapters) | set(old_chapters)
    left_alone = translation_only(book, present_targets, known)
    # Every file to upload is parsed first: a chapter the book model refuses (an open fence, say) would fail its
    # whole pair in the pipeline; here it is named with its line before anything runs.
    uploads = [book / source / path for path in chapters]
    uploads += [book / t / path for t in present_targets for path in sorted(known) if (book / t / path).is_file()]
    uploads += [Path(args.old_source) / path for path in old_chapters]
    for path in uploads:
        parse_file(path)
    for item in left_alone:
        print(
            f"left alone: {_printable(item)}: a translation without a {source}/ chapter of that path (not uploaded)",
            file=info,
        )
    for item, problem in refused.items():
        print(f"left alone: {_printable(item)}: {problem} (not uploaded)", file=info)
    faults = list(args.inject_fault or [])
    out_dir: Path = args.output.resolve()
    with LocalRuntime(pipeline=pipeline) as runtime:
        if faults:
            assert runtime.translate is not None
            for kind in faults:
                inject_fault(runtime.translate, kind)
                print(
                    f"injected fault {kind}: {FAULT_KINDS[kind].what}; expected: {FAULT_KINDS[kind].expected}",
                    file=info,
                )
        display = ProgressDisplay(runtime, stream=info)
        phases = []
        if renames_text is not None:  # outside book/: read by the Plan step, starts nothing
            runtime.upload(RENAMES_KEY, renames_text)
        if args.old_source is not None:
            old = Path(args.old_source)

            def upload_old() -> int:
                keys = runtime.upload_book(book, languages=present_targets, only=known)
                for relative, path in markdown_files(old).items():
                    if relative not in old_chapters:
                        continue
                    runtime.upload(f"book/{source}/{relative}", read_bytes(path))
                    keys.append(path.name)
                return len(keys)

            display.start(f"previous source ({old}) with the existing translations")
            phases.append(run_phase(runtime, "previous", upload_old, on_event=display))
            display.start(f"current source: {len(chapters)} chapters, pairs {args.pairs}")

            # The bucket then holds the current source alone: the old paths gone from it are deleted, so that
            # Stage finds the chapters that moved instead of translating them as new.
            def upload_current() -> int:
                return len(mirror_language(runtime, book, source, chapters))

            phases.append(run_phase(runtime, "current", upload_current, on_event=display))
        else:
            display.start(f"{len(chapters)} chapters in {source}/, pairs {args.pairs}")
            languages = [source, *present_targets]
            phases.append(
                run_phase(
                    runtime,
                    "run",
                    lambda: len(runtime.upload_book(book, languages=languages, only=known)),
                    on_event=display,
                )
            )
        collected = collect_outputs(runtime, out_dir)
        set_aside = set_aside_gone(out_dir, targets, chapters)
        not_downloaded = list(runtime.refused_downloads)
        untriggered = pending_faults(runtime.translate) if faults and runtime.translate is not None else {}
    published = publish_latest_report(out_dir, phases[-1])
    report_json = [path for path in published if path.suffix == ".json"]
    rows = publish_review_page(
        out_dir,
        source_lang=source,
        targets=targets,
        sources=[book / source],
        old_source=Path(args.old_source) if args.old_source is not None else None,
        reports=report_json,
    )
    print(review_page_line(out_dir, rows), file=info)
    for moved_from, moved_to in set_aside:
        print(
            f"set aside: {moved_from.relative_to(out_dir)} -> {moved_to.relative_to(out_dir)}: its {source}/ chapter "
            "is gone from the book (the report says whether it moved)",
            file=info,
        )
    for uri, reason in not_downloaded:
        print(f"not downloaded: {uri}: {reason}", file=sys.stderr)
    for phase in phases:
        if not args.json:
            print(
                f"{phase.name}: {phase.status} in {phase.seconds:.1f} s, {phase.state_transitions} state transitions, "
                f"{phase.characters} characters billed (${phase.usd:.4f})"
            )
        if phase.status == "NOT_STARTED":
            print(f"  {phase.cause} (uploads the Starter refused are listed under {out_dir}/reports/)", file=sys.stderr)
        elif phase.status != "SUCCEEDED":
            print(f"  {phase.error}: {phase.cause}", file=sys.stderr)
    if args.json:
        print(json.dumps([phase_summary(phase) for phase in phases], indent=1))
    for kind, count in untriggered.items():
        print(
            f"injected fault {kind} was not triggered ({count} left unused): the run made no call it applies to",
            file=info,
        )
    if any(phase.error == BUDGET_EXCEEDED for phase in phases):
        print(f"nothing was translated (over budget); the report is in {out_dir}", file=sys.stderr)
        return 1
    missing = [
        f"{target}/{chapter}"
        for target in targets
        for chapter in chapters
        if not (out_dir / target / chapter).is_file()
    ]
    if missing:
        print(f"{len(missing)} translated chapter(s) missing under {out_dir}, e.g. {missing[0]}", file=sys.stderr)
    proposals = sorted(p for target in targets for p in list_files(out_dir / target, (PROPOSAL_SUFFIX,)))
    if proposals:
        print(
            f"{len(proposals)} chapter(s) kept their human translation (it could not be synchronized); the machine "
            f"translation is offered beside each as *{PROPOSAL_SUFFIX}, e.g. {proposals[0]} (reasons in the report)",
            file=info,
        )
    if any(collected.values()):
        print(f"outputs in {out_dir}", file=info)
    else:
        print(f"no outputs were written (nothing to collect into {out_dir})", file=sys.stderr)
    return 0 if all(p.status == "SUCCEEDED" for p in phases) and not missing else 1


def _refused(folder: str, chapters: list[str]) -> dict[str, str]:
    """``folder + path`` -> why the pipeline's key validator refuses that chapter path."""
    problems = {f"{folder}{path}": chapter_problem(path) for path in chapters}
    return {item: problem for item, problem in problems.items() if problem is not None}


def _printable(text: str) -> str:
    """``text`` with control characters written as escapes, so one line stays one line."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


@COMMANDS.command(
    "demo",
    help="the whole pipeline offline on the project's sample book, with live progress",
    description="Write the project's sample book (3 chapters in English with Chinese and Spanish translations) "
    "into the output folder and run it through the local stack (moto, the real state machine and handlers, the "
    "offline Translate stand-in) three times: (1) build parallel data and translate a new chapter into zh and "
    "es, (2) edit one paragraph and sync, showing that only it is sent, (3) an evaluation-only run with and "
    "without ACT. Writes the translations, the parallel data and report.html/report.json. EN->ES uses Apertium "
    "when it is installed (else a marked pseudo-translation, said in one line and in the summary).",
    options=[output_option(default=Path("out"), help="output folder (default: out)")],
)
def _demo(args: argparse.Namespace) -> int:
    from amts_local.demo import run_demo

    check_output_folder(args.output)  # before the run: "-" or a file in its place
    return run_demo(args.output)


def phase_summary(phase: Any) -> dict[str, Any]:
    """One phase of a run as ``--json`` prints it."""
    return {
        "phase": phase.name,
        "status": phase.status,
        "error": phase.error,
        "cause": phase.cause,
        "seconds": round(phase.seconds, 3),
        "state_transitions": phase.state_transitions,
        "characters_billed": phase.characters,
        "usd": round(phase.usd, 6),
    }


def pipeline_config_file(path: Path) -> PipelineConfig:
    """A pipeline config from ``path``: a cdk.json (its ``amts:pipeline`` context) or that value alone."""
    data = read_json(path)
    if isinstance(data, dict) and "context" in data:
        return load_pipeline_config_from_cdk_json(path)
    if not isinstance(data, dict):
        raise InputError("expected a JSON object (a pipeline config, or a cdk.json with one)", path=str(path))
    return load_pipeline_config(data, source=str(path))
