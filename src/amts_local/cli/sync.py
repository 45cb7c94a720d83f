"""Subcommands of the sync area: ``amts sync`` (file and directory forms) and ``amts review-list``."""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from pathlib import Path
from typing import TypedDict

from amts.book import BlockKind, Document, markdown_files, parse, parse_file, proposal_path, segments
from amts.errors import InputError
from amts.evaluate.models import ReviewSegment
from amts.evaluate.review_page import render_review_page
from amts.evaluate.review_totals import effort_line, review_line, review_totals
from amts.fsio import check_output_folder, check_outputs_outside, read_text
from amts.languages import LanguagePair
from amts.sync import (
    MIN_CONFIDENCE,
    SyncReport,
    TranslationMemory,
    memory_path,
    scan_markers,
    sync_documents,
)
from amts.sync.apply import record_sync
from amts.sync.book import ChapterOutcome, book_report, chapter_identity, sync_book
from amts.sync.engine import Translator
from amts.sync.fuzzy import FUZZY_THRESHOLD
from amts.sync.local_state import LocalState
from amts.sync.models import Effort, SentenceCount
from amts.sync.outcome import chapter_outcome
from amts.sync.renames import load_renames
from amts.sync.review import MARKER_PREFIX
from amts.sync.review_rows import ChapterFiles, chapter_rows, page_rows

from amts_local.cli.commands import CommandArea, arg
from amts_local.cli.options import (
    file_option,
    is_stdio,
    json_option,
    output_option,
    outputs_outside,
    print_report,
    report_option,
    save_report,
    write_output,
)
from amts_local.cli.progress import counted_progress, note
from amts_local.engines.sync import PseudoTranslator, offline_translator

COMMANDS = CommandArea()


class SyncSettings(TypedDict):
    """The options ``sync`` passes alike to ``sync_book`` (three folders) and ``sync_documents`` (three files)."""

    run: str
    min_confidence: float
    fuzzy_threshold: float | None
    suggestions: bool


def _threshold(value: str) -> float | None:
    if value.lower() == "off":
        return None
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, or 'off', not {value!r}") from None
    if not 0.0 < number <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, or 'off', not {value!r}")
    return number


def _translator(name: str, pair: LanguagePair) -> Translator:
    return PseudoTranslator() if name == "pseudo" else offline_translator(pair.source, pair.target)


@COMMANDS.command(
    "sync",
    help="bring a translation up to date with a new source, sending only what changed to MT",
    description="Update OLD-TARGET (a translation of OLD-SOURCE) for NEW-SOURCE. The output has the new "
    "source's structure (code cells, equations, labels, figures, references); unchanged blocks keep their "
    "translation byte for byte, changed sentences go to machine translation (the offline engine), human "
    "edits are kept and flagged, review markers are written as <!-- amts:review ... --> lines. Give three "
    "files, or three directories (every *.md of the new source; moved chapters are found by content). A "
    "chapter that cannot be synced keeps its human file, with the machine translation beside it as "
    "<chapter>.amts-proposal.md. Outputs and the memory are published together. Exit 1 when some chapter "
    "could not be synced.",
    options=[
        arg("--old-source", required=True, type=Path, metavar="OLD"),
        arg("--old-target", required=True, type=Path, metavar="TGT"),
        arg("--new-source", required=True, type=Path, metavar="NEW"),
        output_option(required=True, help="output file (or directory)"),
        report_option(),
        json_option(help="print the report as JSON instead of the summary lines"),
        arg("--pair", default="en-zh", help="language pair, e.g. en-zh (default), en-es"),
        arg("--memory", type=Path, help="memory file (default: .amts/memory.<pair>.json beside the output)"),
        arg("--engine", choices=("offline", "pseudo"), default="offline", help="offline stand-in engine or pseudo"),
        arg("--min-confidence", type=float, default=MIN_CONFIDENCE, help="alignment confidence floor"),
        file_option(
            "--renames",
            help="directories only: chapters that moved, one 'OLD NEW' pair of paths per line (overrides the "
            "detection)",
        ),
        arg(
            "--fuzzy-threshold",
            type=_threshold,
            default=FUZZY_THRESHOLD,
            metavar="X",
            help="keep the human translation of an old sentence at least this similar (0-1, character ratio) to a "
            f"changed one, marked with the English change; 'off' sends every changed sentence to MT (default "
            f"{FUZZY_THRESHOLD})",
        ),
        arg(
            "--mt-suggestions",
            action="store_true",
            help="also machine-translate each fuzzy-kept sentence and offer it in its review marker (costs characters)",
        ),
        arg(
            "--chapter",
            metavar="PATH",
            help="files only: the chapter's path inside the book, which the memory knows it by (default: the "
            "common tail of --new-source and --old-target, e.g. chapter_x/a.md)",
        ),
    ],
)
def run_sync(args: argparse.Namespace) -> int:
    pair = LanguagePair.parse(args.pair)
    translator = _translator(args.engine, pair)
    settings = SyncSettings(
        run=uuid.uuid4().hex[:12],
        min_confidence=args.min_confidence,
        fuzzy_threshold=args.fuzzy_threshold,
        suggestions=args.mt_suggestions,
    )
    directories = [p.is_dir() for p in (args.old_source, args.old_target, args.new_source)]
    if any(directories) and not all(directories):
        raise InputError("give three files or three directories for --old-source, --old-target and --new-source")
    if all(directories) and args.chapter:
        raise InputError("--chapter names one chapter: it goes with three files, not directories")
    if not all(directories) and args.renames:
        raise InputError("--renames maps the chapters of a book: it goes with three directories, not files")
    if all(directories):
        check_output_folder(args.output)  # "-" too: standard output cannot hold a book
    elif is_stdio(args.output):
        raise InputError("a synced file is published with the memory (and a proposal beside it): give a file", path="-")
    check_outputs_outside(
        [args.output, args.report, args.memory], [args.old_source, args.old_target, args.new_source, args.renames]
    )
    renames = load_renames(args.renames) if args.renames else None  # named before anything is written
    # One file's bad input is named before the memory's folder and lock are created (a book's is per chapter).
    documents = None if all(directories) else _parse_three(args)
    state_dir = args.output if all(directories) else args.output.parent
    state = LocalState(args.memory or memory_path(state_dir / ".amts", pair.source, pair.target))
    memory = state.load(source_lang=pair.source, target_lang=pair.target)
    if state.recovered:
        note(f"sync: an interrupted earlier sync was {state.recovered} ({state.journal})")  # information, handled
    base = memory.model_copy(deep=True)
    if documents is None:
        return _sync_directories(args, state, memory, base, translator, settings, renames)
    return _sync_files(args, documents, state, memory, base, translator, settings)


def _parse_three(args: argparse.Namespace) -> tuple[Document, Document, Document]:
    return parse_file(args.old_source), parse_file(args.old_target), parse_file(args.new_source)


def _sync_directories(
    args: argparse.Namespace,
    state: LocalState,
    memory: TranslationMemory,
    base: TranslationMemory,
    translator: Translator,
    settings: SyncSettings,
    renames: dict[str, str] | None,
) -> int:
    chapters = len(markdown_files(args.new_source))
    with counted_progress("syncing", chapters, "chapters") as advance:
        mt_chars = 0

        def on_chapter(outcome: ChapterOutcome) -> None:
            nonlocal mt_chars
            mt_chars += outcome.report.mt_chars if outcome.report is not None else 0
            advance(f"{mt_chars:,} chars to MT")

        outcomes = sync_book(
            args.old_source,
            args.old_target,
            args.new_source,
            memory,
            translator,
            renames=renames,
            on_chapter=on_chapter,
            **settings,
        )
    outputs: dict[Path, str] = {}
    for outcome in outcomes:
        if outcome.output is not None:
            outputs[args.output / outcome.relative] = outcome.output
        if outcome.proposal is not None:
            outputs[args.output / outcome.proposal_path] = outcome.proposal
    state.publish(outputs, memory, base=base)
    synced = [o for o in outcomes if o.report is not None and o.proposal is None]
    summary = book_report([o.report for o in synced if o.report is not None])
    problems = [(o.relative, o.problem) for o in outcomes if o.problem is not None]
    renamed = [o.rename for o in outcomes if o.rename is not None]
    kept = [o for o in outcomes if o.proposal is not None]
    # A translation no chapter of the new source uses (a translator's own file, a chapter the source dropped) is
    # not in the output: say so, or replacing the translation folder by the output would lose it silently.
    used = {o.relative for o in outcomes} | {r.old for r in renamed}
    left_alone = [path for path in markdown_files(args.old_target) if path not in used]
    payload = summary.model_dump(mode="json")
    payload["problems"] = [{"file": f, "problem": p} for f, p in problems]
    payload["renames"] = [{"old": r.old, "new": r.new, "how": r.how, "share": r.share} for r in renamed]
    payload["human_files_kept"] = [{"file": o.relative, "proposal": o.proposal_path} for o in kept]
    payload["translations_left_alone"] = left_alone
    payload["skeleton_differences"] = sum(len(o.report.skeleton_differences) for o in synced if o.report)
    for relative, problem in problems:
        print(f"amts sync: {relative}: {problem}", file=sys.stderr)
    lines = [f"renamed: {rename.old} -> {rename.new} ({rename.how})" for rename in renamed]
    lines += [
        f"left alone: {path}: a translation with no chapter of that path in the new source (not in the output)"
        for path in left_alone
    ]
    lines.append(
        f"{len(synced)} files synced, {len(kept)} kept their human file (proposal beside it), "
        f"{len(outcomes) - len(synced) - len(kept)} not: {summary.source_chars_total} source chars, "
        f"{summary.reused_chars} reused, {summary.mt_chars} to MT, {summary.flagged_chars} flagged; "
        f"workload reduction {summary.workload_reduction:.1%} (whole changed files: "
        f"{summary.baseline_workload_reduction:.1%})"
    )
    lines.append(_classes_line(summary.sentence_classes, summary.effort))
    print_report(args, payload, lines)
    return 1 if problems else 0


def _sync_files(
    args: argparse.Namespace,
    documents: tuple[Document, Document, Document],
    state: LocalState,
    memory: TranslationMemory,
    base: TranslationMemory,
    translator: Translator,
    settings: SyncSettings,
) -> int:
    old_source, old_target, new_source = documents
    chapter = args.chapter or chapter_identity(args.new_source, args.old_target)
    result = sync_documents(
        old_source, old_target, new_source, memory, translator, file=chapter, record=False, **settings
    )
    report = result.report
    # The file form always has a translation at the chapter's path: the one named by --old-target.
    decision = chapter_outcome(translation_at_path=True, skeleton_differences=report.skeleton_differences)
    if not decision.publish:
        proposal = args.output.with_name(proposal_path(args.output.name))
        state.publish({args.output: old_target.text, proposal: result.markdown}, base, base=base)
        print(
            f"amts sync: {args.new_source}: {decision.problem}; the human translation is in {args.output}, the machine "
            f"translation offered in {proposal}",
            file=sys.stderr,
        )
        save_report(args, _report_json(report))
        return 1
    record_sync(result, memory)
    state.publish({args.output: result.markdown}, memory, base=base)
    text = (
        f"{args.output}: {report.source_chars_total} source chars, {report.reused_chars} reused, {report.mt_chars} "
        f"to MT ({report.mt_units} units, engine {report.engine or 'none'}), {report.flagged_segments} flagged "
        f"segments, {len(report.review)} review markers (chapter {chapter})\n"
    )
    print_report(args, _report_json(report), text + _classes_line(report.sentence_classes, report.effort) + "\n")
    return 0


def _classes_line(classes: dict[str, SentenceCount], effort: Effort) -> str:
    """Sentences and source characters per class, and what a translator must still do."""
    names = {"verbatim": "verbatim", "markup_updated": "markup updated", "fuzzy_kept": "fuzzy-kept", "mt": "MT"}
    names["flagged"] = "flagged human edits"
    parts = [
        f"{label} {classes[kind].sentences} sentences / {classes[kind].chars} chars"
        for kind, label in names.items()
        if kind in classes
    ]
    return (
        "sentences: " + ", ".join(parts) + f"; effort left: review {effort.review_fuzzy_chars} chars, post-edit "
        f"{effort.post_edit_chars} chars = {effort.share:.1%} of translating from scratch"
    )


def _report_json(report: SyncReport) -> str:
    payload = report.model_dump(mode="json")
    payload["workload_reduction"] = round(report.workload_reduction, 4)
    return json.dumps(payload, ensure_ascii=False, indent=1) + "\n"


@COMMANDS.command(
    "review-list",
    help="list what needs a human: review markers in markdown files, with effort in characters",
    description="Print every <!-- amts:review --> marker under the paths (files or directories): file:line, "
    "reasons, characters to check and an excerpt, then the totals.",
    options=[
        arg("paths", nargs="+", type=Path, metavar="PATH"),
        json_option(help="print the list as JSON"),
        arg(
            "--html",
            type=Path,
            metavar="OUT",
            help="also write the review page (- prints it): every segment in book order with its class, the "
            "marker, the English (with --source) and the word diff of changed English (with --old-source), "
            "filters by class and chapter",
        ),
        arg("--source", type=Path, help="the English the translations follow (same relative paths)"),
        arg("--old-source", type=Path, help="the English before the change (same relative paths)"),
    ],
)
def run_review_list(args: argparse.Namespace) -> int:
    if args.json and is_stdio(args.html):
        raise InputError("--json and --html - would both print on standard output: give the page a file")
    files: list[Path] = []
    for path in args.paths:
        # A folder is a book: its chapters, not the proposals offered beside kept human files.
        files.extend(markdown_files(path).values() if path.is_dir() else [path])
    items = []
    rows: list[ReviewSegment] = []  # the review page's rows: the totals every report shows
    unmarked = [0, 0]
    for file in files:
        text = read_text(file)
        items += scan_markers(text, file=str(file))
        if not text.strip():
            continue  # an empty chapter: nothing to review, nothing kept
        try:
            kept = unmarked_segments(parse(text, path=str(file)))
            if args.html is None:  # a page reads its rows with their sources below
                rows += chapter_rows(ChapterFiles(chapter=str(file), file=str(file), translation=text))
        except InputError as exc:  # its markers are listed; what it keeps unmarked cannot be counted
            print(f"amts review-list: {exc}; its unmarked text is not counted", file=sys.stderr)
            continue
        unmarked[0] += kept[0]
        unmarked[1] += kept[1]
    if args.html is not None:
        outputs_outside([args.html], [*args.paths, *filter(None, (args.source, args.old_source))])
        # "-" prints the page; its links are then relative to the current folder
        page = Path("review.html") if is_stdio(args.html) else args.html
        rows = page_rows(args.paths, page=page, source=args.source, old_source=args.old_source)
        write_output(args.html, render_review_page(rows, title=f"AMTS review: {', '.join(map(str, args.paths))}"))
        where = "standard output" if is_stdio(args.html) else args.html
        print(f"review page: {where} ({review_totals(rows).to_review} blocks to review)", file=sys.stderr)
    lines = []
    for item in items:
        reasons = ",".join(item.reasons) or "review"
        change = f"\tchange: {item.changes}" if item.changes else ""
        lines.append(f"{item.file}:{item.line}\t{reasons}\t{item.chars} chars\t{item.excerpt}{change}")
    totals = review_totals(rows)
    lines.append(f"{review_line(totals)} in {len({i.file for i in items})} files. {effort_line(totals)}")
    lines.append(f"kept without a marker: {unmarked[0]} segments / {unmarked[1]} translated chars")
    # the page on standard output (--html -): the list goes to standard error
    print_report(args, [item.model_dump(mode="json") for item in items], lines, data_output=args.html)
    return 0


def unmarked_segments(doc: Document) -> tuple[int, int]:
    """Segments of a translation that no review marker points at (blocks copied as the translators left them)."""
    marked: set[int] = set()
    previous_was_marker = False
    for index, block in enumerate(doc.blocks):
        if block.kind is BlockKind.BLANK:
            continue
        if previous_was_marker:
            marked.add(index)
        previous_was_marker = block.kind is BlockKind.COMMENT and doc.text[block.start : block.end].startswith(
            MARKER_PREFIX
        )
    kept = [segment for segment in segments(doc) if segment.block_path[0] not in marked]
    return len(kept), sum(len(segment.text) for segment in kept)
