"""Subcommands of the evaluate area: ``amts score``, ``amts experiment`` and ``amts report``."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from amts.book import markdown_files, parse_file
from amts.errors import InputError
from amts.evaluate.experiments import (
    BookDocument,
    PoolPair,
    build_pair_pool,
    run_experiments,
)
from amts.evaluate.models import EngineInfo, Granularity, MetricScore, RunReport, ScoreReport
from amts.evaluate.report_html import metric, render_html
from amts.evaluate.report_markdown import render_markdown
from amts.evaluate.scoring import MIN_COVERAGE, chapter_of, score_paths
from amts.fsio import check_outputs_outside, write_atomic
from amts.languages import LanguagePair
from pydantic import ValidationError

from amts_local.cli.commands import CommandArea, arg
from amts_local.cli.options import (
    deprecated_alias,
    file_option,
    json_option,
    output_option,
    print_report,
    read_json,
)
from amts_local.cli.progress import counted_progress
from amts_local.engines.experiments import standin_engine

REPORT_JSON = "report.json"
REPORT_HTML = "report.html"
REPORT_MD = "report.md"
COMMANDS = CommandArea()


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, not {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, not {text!r}")
    return value


@COMMANDS.command(
    "score",
    help="BLEU/chrF of a translation against a human reference (files or folders)",
    description="Score translated markdown against its human translation. Segments are paired through the "
    "book model, so code, math and untranslated blocks do not count. Folders pair files by relative path.",
    options=[
        arg("--hyp", required=True, type=Path, help="translated markdown file or folder"),
        arg("--ref", required=True, type=Path, help="human reference file or folder"),
        arg("--tgt", required=True, help="target language code, e.g. zh (chooses the tokenizer)"),
        file_option("--source", help="the source both were translated from (better pairing)"),
        # --src is a language code everywhere else; it will mean that here too
        deprecated_alias("--src", dest="source", replacement="--source"),
        arg("--src-lang", help="source language code (needed with --source)"),
        arg("--chrf-plus", action="store_true", help="also compute chrF++"),
        json_option(help="print the score report as JSON"),
        output_option(help="also write report.json, report.html and report.md into this folder"),
        arg(
            "--min-bleu",
            type=float,
            help="exit 1 when the run's BLEU (0-100) is below this, or when the score does not cover every "
            "reference segment (coverage below 100%%, a reference without hypothesis, a document left out)",
        ),
        arg(
            "--min-coverage",
            type=_share,
            default=MIN_COVERAGE,
            metavar="X",
            help="leave out (exit 2 when nothing is left) a document whose hypothesis covers less than this share "
            f"of its reference's translated segments, e.g. a truncated translation (0-1, default {MIN_COVERAGE})",
        ),
    ],
)
def _score(args: argparse.Namespace) -> int:
    if (args.source is None) != (args.src_lang is None):
        raise InputError("--source and --src-lang go together")
    check_outputs_outside([args.output], [args.hyp, args.ref, args.source])
    scores = score_paths(
        args.hyp,
        args.ref,
        tgt_lang=args.tgt,
        src=args.source,
        src_lang=args.src_lang,
        chrf_plus=args.chrf_plus,
        min_coverage=args.min_coverage,
    )
    if args.output is not None:
        run = RunReport(
            title="AMTS score report",
            generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
            language_pairs=[f"{args.src_lang}-{args.tgt}"] if args.src_lang else [],
            scores=[scores],
        )
        write_report(run, args.output)
    print_report(args, scores.model_dump_json(indent=2) + "\n", format_score_table(scores) + "\n")
    bleu = metric(scores.run.metrics, "BLEU")
    if args.min_bleu is not None and bleu is not None and bleu.score < args.min_bleu:
        print(f"BLEU {bleu.score:.2f} is below --min-bleu {args.min_bleu:g}")
        return 1
    gaps = incomplete(scores)
    if args.min_bleu is not None and gaps:
        print(f"BLEU {bleu.score if bleu else 0:.2f} does not pass --min-bleu {args.min_bleu:g}: it scores {gaps}")
        return 1
    return 0


def incomplete(scores: ScoreReport) -> str:
    """What of the references a score leaves out, in words ("" when it covers them all): a BLEU over part of a
    translation says nothing about the rest, so it cannot pass ``--min-bleu``."""
    gaps = []
    if scores.run.coverage is not None and scores.run.coverage < 1.0:
        gaps.append(f"only {scores.run.coverage:.0%} of the reference segments")
    if scores.missing_hyp:
        gaps.append(f"no hypothesis for {len(scores.missing_hyp)} reference document(s), e.g. {scores.missing_hyp[0]}")
    if scores.left_out:
        gaps.append(f"{len(scores.left_out)} document(s) left out, e.g. {scores.left_out[0]}")
    return "; ".join(gaps)


def write_report(report: RunReport, folder: Path) -> list[Path]:
    """Write report.json, report.html and report.md into ``folder`` (each atomically)."""
    outputs = [folder / REPORT_JSON, folder / REPORT_HTML, folder / REPORT_MD]
    write_atomic(outputs[0], report.model_dump_json(indent=2) + "\n")
    write_atomic(outputs[1], render_html(report))
    write_atomic(outputs[2], render_markdown(report))
    return outputs


def load_report(path: Path) -> RunReport:
    """Read a run's report.json, naming the file and the problem when it is not a valid report."""
    data = read_json(path)
    try:
        return RunReport.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise InputError(
            f"not an AMTS run report: {where}: {first['msg']} ({exc.error_count()} problems)", path=str(path)
        ) from None


def load_bilingual_book(first: Path, second: Path, pair: LanguagePair) -> list[BookDocument]:
    """Documents present in both folders (by relative path), parsed; the chapter is the top folder."""
    for folder in (first, second):
        if not folder.is_dir():
            raise InputError("expected a folder of markdown files", path=str(folder))
    common = sorted(markdown_files(first).keys() & markdown_files(second).keys())
    if not common:
        raise InputError(f"no markdown file has the same path in {first} and {second}", path=str(first))
    return [
        BookDocument(
            name=rel,
            chapter=chapter_of(rel),
            docs={pair.source: parse_file(first / rel), pair.target: parse_file(second / rel)},
        )
        for rel in common
    ]


@COMMANDS.command(
    "experiment",
    help="the study's tables: without vs with ACT, paragraph vs sentence pairs, for a book and its translation",
    description="Translate the chosen sections of a book with the Translate stand-in's engines, with no "
    "parallel data and with parallel data from paragraph pairs and from sentence pairs, and score each "
    "against the human translation. Each section's chapter is left out of the parallel data unless "
    "--allow-leakage is given. Writes report.json, report.html and report.md.",
    options=[
        arg("--book", required=True, type=Path, help="the book in the first language (folder)"),
        arg("--translation", required=True, type=Path, help="its human translation (folder)"),
        arg("--pair", required=True, help="languages of --book and --translation, e.g. en-zh"),
        arg("--sections", required=True, help="comma-separated section paths relative to the folders"),
        arg("--one-way", action="store_true", help="only the --pair direction (default: both)"),
        arg("--allow-leakage", action="store_true", help="keep each section's own chapter pairs in the parallel data"),
        output_option(required=True, help="folder for the reports"),
    ],
)
def _experiment(args: argparse.Namespace) -> int:
    pair = LanguagePair.parse(args.pair)
    check_outputs_outside([args.output], [args.book, args.translation])
    book = load_bilingual_book(args.book, args.translation, pair)
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    granularities: tuple[Granularity, ...] = ("paragraph", "sentence")
    pools: dict[Granularity, list[PoolPair]] = {}
    with counted_progress("aligning the book", len(book) * len(granularities), "documents") as advance:
        for granularity in granularities:
            pools[granularity] = build_pair_pool(
                book, pair.source, pair.target, granularity, on_document=_report_to(advance, f"{granularity} pairs")
            )
    directions = [pair] if args.one_way else [pair, LanguagePair(pair.target, pair.source)]
    experiments = []
    engines: dict[str, EngineInfo] = {}
    with counted_progress("translating and scoring", len(sections) * len(directions), "sections") as advance:
        for direction in directions:
            engine = standin_engine(direction.source, direction.target)
            engines.setdefault(engine.name, EngineInfo(name=engine.name, description=engine.description))
            experiments.append(
                run_experiments(
                    book,
                    sections,
                    direction,
                    engine,
                    pools,
                    allow_leakage=args.allow_leakage,
                    on_section=_report_to(advance, f"{direction}: "),
                )
            )
    report = RunReport(
        title="AMTS experiments: without vs with ACT, paragraph vs sentence pairs",
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        book=str(args.book),
        language_pairs=[str(d) for d in directions],
        engines=list(engines.values()),
        experiments=experiments,
        notes=[
            f"parallel data from the aligner: {len(pools['paragraph'])} paragraph pairs, "
            f"{len(pools['sentence'])} sentence pairs from {len(book)} documents"
        ],
    )
    write_report(report, args.output)
    print(render_markdown(report))
    return 0


def _report_to(advance: Callable[[str], None], prefix: str) -> Callable[[str], None]:
    """A progress callback: one unit of work done, named after ``prefix`` (and the item, when the prefix ends
    with ": ")."""
    return lambda item: advance(prefix + item if prefix.endswith(": ") else prefix)


@COMMANDS.command(
    "report",
    help="render a run's report.json as HTML and Markdown",
    description="Read RUN_DIR/report.json and write report.html (self-contained) and report.md beside it.",
    options=[
        arg("run_dir", type=Path, metavar="RUN_DIR", help="folder holding report.json"),
        output_option(help="write the HTML and Markdown into this folder instead of RUN_DIR"),
    ],
)
def _report(args: argparse.Namespace) -> int:
    run_dir: Path = args.run_dir
    if not run_dir.is_dir():
        raise InputError("run folder not found", path=str(run_dir))
    report = load_report(run_dir / REPORT_JSON)
    out: Path = args.output or run_dir
    html_path, md_path = out / REPORT_HTML, out / REPORT_MD
    write_atomic(html_path, render_html(report))
    write_atomic(md_path, render_markdown(report))
    print(f"wrote {html_path} and {md_path}")
    return 0


def _fmt(score: MetricScore | None) -> str:
    return "-" if score is None else f"{score.score:.2f}"


def _rows(scores: ScoreReport) -> list[Sequence[str]]:
    names = ["BLEU", "chrF"] + (["chrF++"] if metric(scores.run.metrics, "chrF++") else [])
    header = [f"{name} (0-100)" for name in names]  # sacreBLEU's scale, as every report shows it
    rows: list[Sequence[str]] = [["scope", "name", "segments", "coverage", *header, "pairing"]]
    for doc in scores.documents:
        rows.append(
            [
                "document",
                doc.hyp_path,
                str(doc.segments),
                f"{doc.pairing.coverage:.0%}",
                *[_fmt(metric(doc.metrics, n)) for n in names],
                doc.pairing.strategy + (" (mismatch)" if doc.pairing.mismatch else ""),
            ]
        )
    for aggregate, scope in [*((c, "chapter") for c in scores.chapters), (scores.run, "run")]:
        rows.append(
            [
                scope,
                aggregate.name,
                str(aggregate.segments),
                "-" if aggregate.coverage is None else f"{aggregate.coverage:.0%}",
                *[_fmt(metric(aggregate.metrics, n)) for n in names],
                "",
            ]
        )
    return rows


def format_score_table(scores: ScoreReport) -> str:
    """A plain-text table of document, chapter and run scores, then signatures and notes."""
    rows = _rows(scores)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines.append("")
    lines.extend(f"{m.metric} signature: {m.signature}" for m in scores.run.metrics)
    for doc in scores.documents:
        lines.extend(f"{doc.hyp_path}: {note}" for note in doc.pairing.notes)
    lines.extend(f"note: {note}" for note in scores.notes)
    return "\n".join(lines)
