"""Subcommands of the translate area: parallel data, terminology, term check, cost estimate."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections import Counter
from pathlib import Path

from amts.errors import InputError
from amts.fsio import check_outputs_outside, list_files, read_bytes, read_text
from amts.languages import LanguagePair, parse_pairs
from amts.translate.cost import BudgetExceededError, CostEstimate, Pricing, check_budget, estimate_cost
from amts.translate.parallel_data import build_parallel_data
from amts.translate.parallel_data_reading import parse_parallel_data, read_pair_records
from amts.translate.terminology import check_term_consistency, load_glossary, to_terminology_file

from amts_local.cli.commands import CommandArea, arg
from amts_local.cli.options import (
    deprecated_alias,
    input_name,
    json_option,
    output_option,
    outputs_outside,
    print_report,
    read_input_bytes,
    report_option,
    write_output,
)

MARKDOWN_SUFFIXES = (".md", ".markdown")
COMMANDS = CommandArea()


@COMMANDS.command(
    "validate-parallel-data",
    help="check a CSV/TSV/TMX parallel data file against Amazon Translate's rules",
    description="Check a parallel data file against Amazon Translate's rules (language-code header, no field "
    "spanning lines or beginning with + - = @, quotes doubled, fields of at most 1,000 bytes, UTF-8, TMX "
    "1.4b structure). Prints each problem with its line; exits 1 when there is any error.",
    options=[
        arg("file", metavar="FILE", help="the parallel data file (- for standard input)"),
        arg("--format", choices=["CSV", "TSV", "TMX"], help="default: from the file name or content"),
        json_option(help="print the verdict and every problem as JSON instead of text"),
    ],
)
def run_validate(args: argparse.Namespace) -> int:
    name = input_name(args.file)
    parsed = parse_parallel_data(read_input_bytes(args.file), fmt=args.format, name=name)
    errors = sum(1 for p in parsed.problems if p.severity == "error")
    warnings = len(parsed.problems) - errors
    verdict = "FAILED" if errors else "ok"
    payload = {"file": name, "verdict": verdict, "records": len(parsed.records), "errors": errors}
    payload["warnings"] = warnings
    payload["problems"] = [{"line": p.line, "severity": p.severity, "message": p.message} for p in parsed.problems]
    lines = [problem.render(name) for problem in parsed.problems]
    lines.append(f"{name}: {verdict}: {len(parsed.records)} usable records, {errors} errors, {warnings} warnings")
    print_report(args, payload, lines)
    return 1 if errors else 0


def _read_pairs(path: Path, pair: LanguagePair) -> tuple[list[tuple[str, str]], Counter[str]]:
    """The input's pairs, and the records that could not become a pair, counted by reason."""
    if path.suffix.lower() in (".csv", ".tmx") or (path.suffix.lower() == ".tsv" and _has_language_header(path, pair)):
        records, unread = read_pair_records(
            read_bytes(path), src_lang=pair.source, tgt_lang=pair.target, name=str(path)
        )
        return [(record.src, record.tgts[0]) for record in records], unread
    text = read_text(path)
    if path.suffix.lower() == ".jsonl":
        pairs: list[tuple[str, str]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                pairs.append((str(record["src"]), str(record["tgt"])))
            except (ValueError, KeyError, TypeError):
                raise InputError('expected a JSON object with "src" and "tgt"', path=str(path), line=number) from None
        return pairs, Counter()
    rows = list(csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
    if rows and rows[0] == [pair.source, pair.target]:
        rows = rows[1:]
    for number, row in enumerate(rows, start=1):
        if len(row) != 2:
            raise InputError(f"expected 2 tab-separated columns, got {len(row)}", path=str(path), line=number)
    return [(row[0], row[1]) for row in rows], Counter()


def _has_language_header(path: Path, pair: LanguagePair) -> bool:
    first = read_text(path).lstrip("\ufeff").split("\n", 1)[0].rstrip("\r").split("\t")
    return pair.source in first and pair.target in first


@COMMANDS.command(
    "build-parallel-data",
    help="filter sentence pairs and write an Amazon Translate parallel data file",
    description="Read pairs (JSON lines with src/tgt, a two-column TSV without header, or an existing "
    "parallel data file), apply the rules and filters, write CSV/TSV/TMX, and print the stats.",
    options=[
        arg("pairs", metavar="PAIRS"),
        arg("--pair", required=True, help="language pair, e.g. en-zh"),
        arg("--format", default="CSV", choices=["CSV", "TSV", "TMX"]),
        output_option(required=True, help="output parallel data file (- for standard output)"),
        report_option(what="stats"),
        deprecated_alias("--stats", dest="report", replacement="--report"),
        json_option(help="print the stats as JSON instead of text (on standard error with -o -)"),
    ],
)
def run_build(args: argparse.Namespace) -> int:
    pair = LanguagePair.parse(args.pair)
    outputs_outside([args.output, args.report], [args.pairs])
    pairs, unread = _read_pairs(Path(args.pairs), pair)
    data, stats = build_parallel_data(
        pairs, pair.source, pair.target, args.format, name=args.pairs, dropped_before=unread
    )
    write_output(args.output, data)
    print_report(args, stats.to_json(), stats.render(), data_output=args.output)
    return 0


@COMMANDS.command(
    "import-terminology",
    help="convert a bilingual glossary into an Amazon Translate custom terminology file",
    description="Read a glossary (CSV/TSV with a language-code header, or the book's markdown glossary "
    "'中文，english' named like TERMINOLOGY.zh-en.md) and write a CSV custom terminology for the pair, "
    "within the 200-bytes-per-term and 10 MB limits. Dropped terms are listed.",
    options=[
        arg("glossary", metavar="GLOSSARY"),
        arg("--pair", required=True, help="direction of the terminology, e.g. en-zh"),
        arg("--format", default="CSV", choices=["CSV", "TSV"]),
        output_option(required=True, help="output terminology file (- for standard output)"),
        json_option(help="print the stats as JSON instead of text (on standard error with -o -)"),
    ],
)
def run_import_terminology(args: argparse.Namespace) -> int:
    pair = LanguagePair.parse(args.pair)
    outputs_outside([args.output], [args.glossary])
    glossary = load_glossary(args.glossary, src_lang=pair.source, tgt_lang=pair.target)
    data, stats = to_terminology_file(glossary, args.format)
    write_output(args.output, data)
    lines = [
        f"{args.output}: {stats.terms_written} terms {pair} ({stats.file_bytes} bytes) from {stats.terms_in} "
        f"glossary entries; dropped: {dict(stats.dropped) or 'none'}"
    ]
    lines += [f"  {args.glossary}:{line}: dropped {term!r}: {reason}" for line, term, reason in stats.dropped_terms]
    print_report(args, stats.to_dict(), lines, data_output=args.output)
    return 0


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


@COMMANDS.command(
    "check-terms",
    help="term consistency: do glossary terms in the source have their expected translation in the output?",
    description="For every glossary term found in SOURCE, count whether its expected translation appears in "
    "OUTPUT. Files are compared whole, or paragraph by paragraph with --by-paragraph (blank-line separated, "
    "same count in both). Exits 1 when --min-consistency is given and not met.",
    options=[
        arg("glossary", metavar="GLOSSARY"),
        arg("source", metavar="SOURCE"),
        arg("output", metavar="OUTPUT"),
        arg("--pair", required=True, help="e.g. en-zh"),
        arg("--by-paragraph", action="store_true"),
        report_option(),
        json_option(file_dest="report", help="print the report as JSON instead of text"),
        arg("--min-consistency", type=float, help="fail below this share (0-1)"),
    ],
)
def run_check_terms(args: argparse.Namespace) -> int:
    pair = LanguagePair.parse(args.pair)
    check_outputs_outside([args.report], [args.glossary, args.source, args.output])
    glossary = load_glossary(args.glossary, src_lang=pair.source, tgt_lang=pair.target)
    source, output = read_text(args.source), read_text(args.output)
    if args.by_paragraph:
        src_parts, out_parts = _paragraphs(source), _paragraphs(output)
        if len(src_parts) != len(out_parts):
            raise InputError(
                f"{len(src_parts)} paragraphs in the source but {len(out_parts)} in the output; "
                "compare whole files instead (without --by-paragraph)",
                path=args.output,
            )
        segments = list(zip(src_parts, out_parts, strict=True))
    else:
        segments = [(source, output)]
    report = check_term_consistency(glossary, segments)
    print_report(args, report.to_json(), report.render())
    if args.min_consistency is not None and report.consistency < args.min_consistency:
        print(f"term consistency {report.consistency:.1%} is below {args.min_consistency:.1%}")
        return 1
    return 0


def _files(path: Path) -> dict[str, Path]:
    if path.is_file():
        return {path.name: path}
    if not path.is_dir():
        raise InputError("no such file or folder", path=str(path))
    found = {
        str(p.relative_to(path)): p
        for p in list_files(path, (*MARKDOWN_SUFFIXES, ".html", ".htm", ".txt"), ignore_case=True)
    }
    if not found:
        raise InputError("no .md, .html or .txt files here", path=str(path))
    return found


def _markdown_payload(path: Path, old: Path | None) -> str:
    """The HTML a pipeline job would send for ``path``: all segments, or those new since ``old``."""
    from amts.book import parse_file, segments, to_html

    doc = parse_file(path)
    if old is None or not old.is_file():
        return to_html(doc)
    known = {segment.text for segment in segments(parse_file(old))}
    changed = [segment.id for segment in segments(doc) if segment.text not in known]
    return to_html(doc, changed) if changed else ""


@COMMANDS.command(
    "estimate",
    help="estimate the Amazon Translate cost of a book, a file or a change, before any job starts",
    description="Count the characters Amazon Translate would bill for PATH (a .md file or a folder of them, "
    "sent as the book's Translate-ready HTML; .html/.txt files as they are) for each target language, and "
    "price them at the standard and ACT rates (configurable, UNVERIFIED defaults $15 and $60 per million). "
    "With --since OLD, only segments whose text is new or changed are counted. Exits 1 when --budget is "
    "exceeded.",
    options=[
        arg("path", metavar="PATH"),
        arg("--pairs", required=True, help="e.g. en-zh,en-es"),
        arg("--since", metavar="OLD", help="the previous version (file or folder) of PATH"),
        arg("--act", action="store_true", help="the jobs will use parallel data (ACT pricing)"),
        arg("--budget", type=float, help="refuse (exit 1) when the estimate exceeds this, in USD"),
        arg("--standard-price", type=float, default=Pricing.standard_per_million),
        arg("--act-price", type=float, default=Pricing.act_per_million),
        json_option(help="print JSON instead of text"),
    ],
)
def run_estimate(args: argparse.Namespace) -> int:
    pairs = parse_pairs(args.pairs)
    sources = {p.source for p in pairs}
    if len(sources) != 1:
        raise InputError(f"all pairs must share one source language, got {sorted(sources)}")
    root = Path(args.path)
    old_root = Path(args.since) if args.since else None
    if old_root is not None:
        if not old_root.exists():
            raise InputError(
                "--since: no such file or folder (without it, every segment would be priced as new)", path=str(old_root)
            )
        if old_root.is_dir() != root.is_dir():
            raise InputError("--since and PATH must both be files or both be folders", path=str(old_root))
    documents: dict[str, str] = {}
    plain: dict[str, str] = {}
    new_files = 0
    for name, path in _files(root).items():
        if path.suffix.lower() in MARKDOWN_SUFFIXES:
            old = None
            if old_root is not None:
                old = old_root if old_root.is_file() else old_root / name
                new_files += not old.is_file()
            documents[name] = _markdown_payload(path, old)
        elif path.suffix.lower() in (".html", ".htm"):
            documents[name] = read_text(path)
        else:
            plain[name] = read_text(path)
    pricing = Pricing(standard_per_million=args.standard_price, act_per_million=args.act_price)
    targets = [p.target for p in pairs]
    html_estimate = estimate_cost(documents, targets, uses_parallel_data=args.act, pricing=pricing)
    plain_estimate = estimate_cost(
        plain, targets, content_type="text/plain", uses_parallel_data=args.act, pricing=pricing
    )
    total = CostEstimate(
        html_estimate.source_characters + plain_estimate.source_characters, tuple(targets), args.act, pricing
    )
    payload = {**total.to_dict(), "files": len(documents) + len(plain), "since": args.since}
    if args.since:
        payload["new_files"] = new_files
    changed = f" (changes since {args.since}; {new_files} file(s) new, priced whole)" if args.since else ""
    text = f"{args.path}{changed}: {len(documents) + len(plain)} file(s)\n" + total.render()
    print_report(args, json.dumps(payload, indent=2) + "\n", text)
    if args.budget is not None:
        try:
            check_budget(total, args.budget)
        except BudgetExceededError as exc:  # a failed check (exit 1), not bad input
            print(f"amts estimate: {exc}", file=sys.stderr)
            return 1
    return 0
