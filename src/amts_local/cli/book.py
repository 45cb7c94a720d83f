"""Subcommands of the book area: segment, roundtrip, to-html, from-html, check-skeleton."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from amts.book import from_html, join_lines, parse_file, segment_sentences, segments, to_html
from amts.book import markdown_files as book_files
from amts.book.roundtrip import FileCheck, check_file
from amts.book.skeleton import check_skeleton
from amts.errors import AmtsError, InputError
from amts.fsio import check_outputs_outside, list_files, os_input_error
from amts.languages import check_language

from amts_local.cli.commands import CommandArea, arg
from amts_local.cli.options import (
    is_stdio,
    json_option,
    message_stream,
    output_option,
    outputs_outside,
    parse_input,
    print_report,
    read_input_text,
    report_option,
    write_output,
)

SHOWN_FAILURES = 10
COMMANDS = CommandArea()
MARKDOWN_FILE = arg("file", metavar="FILE.md", help="the markdown file (- for standard input)")


@COMMANDS.command(
    "segment",
    help="print the sentences of every translatable segment, one per line",
    description="Print the sentences of every translatable segment of a d2lbook markdown file, one per line, "
    "whitespace collapsed; list bullets and heading #s are stripped, inline markup is kept as written.",
    options=[
        MARKDOWN_FILE,
        arg("--lang", required=True, help="language of the file, e.g. en, zh, es"),
        json_option(help="print one JSON object per segment instead"),
    ],
)
def run_segment(args: argparse.Namespace) -> int:
    lang = check_language(args.lang)
    doc = parse_input(args.file)
    lines: list[str] = []
    for segment in segments(doc):
        sentences = [join_lines(sentence.text) for sentence in segment_sentences(segment, lang)]
        if args.json:
            record = {"id": segment.id, "kind": segment.kind, "line": segment.line, "sentences": sentences}
            if segment.tab:
                record["tab"] = list(segment.tab)
            lines.append(json.dumps(record, ensure_ascii=False))
        else:
            lines.extend(sentences)
    sys.stdout.write("".join(line + "\n" for line in lines))  # all or nothing: built before printing
    return 0


def markdown_files(paths: list[str]) -> list[Path]:
    """Every ``.md`` file under ``paths`` (files are taken as given), sorted, without duplicates."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += list_files(path, within=False)
        elif path.is_file():
            found.append(path)
        else:
            try:
                path.stat()
            except OSError as exc:  # missing, a symbolic link loop, a folder we may not enter
                raise os_input_error(exc, raw) from None
            raise InputError("neither a file nor a folder", path=raw)
    return list(dict.fromkeys(found))


@COMMANDS.command(
    "roundtrip",
    help="check the markdown, identity-HTML and hostile-translation round trips of .md files",
    description="For every .md file under the paths: the markdown round trip, the HTML round trip through "
    "an identity translation, and that all protected content survives a hostile translation. Prints "
    "'N/M files ok' and the first failures; exits 1 on any failure, 2 on unreadable or malformed input.",
    options=[
        arg("paths", nargs="+", metavar="PATH"),
        json_option(help="print the counts and every failure as JSON instead of text"),
    ],
)
def run_roundtrip(args: argparse.Namespace) -> int:
    files = markdown_files(args.paths)
    if not files:
        raise InputError("no .md files found", path=" ".join(args.paths))
    checks: list[FileCheck] = []
    bad_input: list[AmtsError] = []
    for path in files:
        try:
            checks.append(check_file(str(path)))
        except AmtsError as exc:
            bad_input.append(exc)
            checks.append(FileCheck(str(path), failures=[f"bad input: {exc}"]))
    failed = [check for check in checks if not check.ok]
    payload: dict[str, object] = {"files": len(checks), "ok": len(checks) - len(failed)}
    payload["failures"] = [{"file": check.path, "problems": check.failures} for check in failed]
    lines = [f"{len(checks) - len(failed)}/{len(checks)} files ok"]
    lines += [f"FAIL {check.path}: {'; '.join(check.failures)}" for check in failed[:SHOWN_FAILURES]]
    if len(failed) > SHOWN_FAILURES:
        lines.append(f"... and {len(failed) - SHOWN_FAILURES} more failing files")
    print_report(args, payload, lines)
    if bad_input:  # the one line a bad input gets; the files that were checked are listed above it
        first = bad_input[0]
        more = f" ({len(bad_input) - 1} more files are bad input)" if len(bad_input) > 1 else ""
        raise InputError(first.message + more, path=first.path, line=first.line)
    return 1 if failed else 0


def _segment_ids(raw: str | None) -> list[str] | None:
    if raw is None:
        return None
    ids = [item.strip() for item in raw.split(",") if item.strip()]
    if not ids:
        raise InputError("--segments is empty; expected ids such as s0001,s0002")
    return ids


@COMMANDS.command(
    "to-html",
    help="write Translate-ready HTML (text/html) for a markdown file",
    description="Write the translatable segments of FILE.md as HTML for an Amazon Translate batch job: "
    'each segment in an element with its id, protected spans translate="no".',
    options=[
        MARKDOWN_FILE,
        output_option(required=True, help="output .html file (- for standard output)"),
        arg("--segments", help="comma-separated segment ids (default: all)"),
    ],
)
def run_to_html(args: argparse.Namespace) -> int:
    outputs_outside([args.output], [args.file])
    doc = parse_input(args.file)
    write_output(args.output, to_html(doc, _segment_ids(args.segments)))
    return 0


@COMMANDS.command(
    "from-html",
    help="rebuild translated markdown from translated HTML",
    description="Rebuild FILE.md with the segments of TRANSLATED.html; damaged segments keep their source "
    "text and are reported (code and math spans may move with the word order; links may not). Exits 1 when "
    "any segment had an issue (the output is still written).",
    options=[
        arg("file", metavar="FILE.md", help="the source markdown file (- for standard input)"),
        arg("html", metavar="TRANSLATED.html", help="its translated HTML (- for standard input)"),
        output_option(required=True, help="output .md file (- for standard output)"),
        arg("--segments", help="comma-separated segment ids that were sent (default: all)"),
    ],
)
def run_from_html(args: argparse.Namespace) -> int:
    if is_stdio(args.file) and is_stdio(args.html):
        raise InputError("only one of FILE.md and TRANSLATED.html can be - (standard input)")
    outputs_outside([args.output], [args.file, args.html])
    doc = parse_input(args.file)
    html = read_input_text(args.html)
    rebuilt = from_html(doc, html, _segment_ids(args.segments))
    write_output(args.output, rebuilt.markdown(doc))
    for issue in rebuilt.issues:
        print(f"issue: {issue}", file=sys.stderr)
    translated = len(rebuilt.translations)
    print(
        f"{translated} segments translated, {len(rebuilt.untranslated)} kept in the source language",
        file=message_stream(args.output),
    )
    return 1 if rebuilt.issues else 0


def _skeleton_pairs(args: argparse.Namespace) -> tuple[list[tuple[Path, Path, Path | None]], list[str]]:
    """(translation, source, old source) to compare, and the source files that have no translation."""
    translation, source, old = args.translation, args.source, args.old_source
    for path in (translation, source, *([old] if old is not None else [])):
        if not path.exists():
            raise InputError("no such file or directory", path=str(path))
    if translation.is_dir() != source.is_dir() or (old is not None and old.is_dir() != source.is_dir()):
        raise InputError("give files or folders on every side, not a mix", path=str(translation))
    if not source.is_dir():
        return [(translation, source, old)], []
    translated = book_files(translation)
    pairs: list[tuple[Path, Path, Path | None]] = []
    untranslated: list[str] = []
    for relative, source_file in book_files(source).items():
        if relative not in translated:
            untranslated.append(relative)
            continue
        old_file = old / relative if old is not None and (old / relative).is_file() else None
        pairs.append((translated[relative], source_file, old_file))
    if not pairs:
        raise InputError("no file of the source folder has a translation at the same path", path=str(translation))
    return pairs, untranslated


@COMMANDS.command(
    "check-skeleton",
    help="list every structural difference between a translation and its source",
    description="Compare the skeleton of TRANSLATION with SOURCE (two files, or two book folders paired by "
    "relative path): headings, code cells per framework tab (comments, docstrings and printed prose may be "
    "translated), display equations, :label:/:eqlabel:, figures, tables, :begin_tab: blocks and the targets "
    "of :numref:/:eqref:/:ref:/:cite:. Frameworks only the translation has (paddle) are its own. With "
    "--old-source (the source the translation was made from), a difference says whether it is stale or new. "
    "Prints FILE:LINE: problem element; exits 1 when there is any difference, 2 on bad input.",
    options=[
        arg("translation", type=Path, metavar="TRANSLATION"),
        arg("source", type=Path, metavar="SOURCE"),
        arg("--old-source", type=Path, metavar="OLD", help="the source the translation was made from"),
        report_option(what="differences"),
        json_option(file_dest="report", help="print the differences as JSON instead of text"),
    ],
)
def run_check_skeleton(args: argparse.Namespace) -> int:
    check_outputs_outside([args.report], [args.translation, args.source, args.old_source])
    pairs, untranslated = _skeleton_pairs(args)
    checks = [
        check_skeleton(parse_file(translation), parse_file(source), parse_file(old) if old is not None else None)
        for translation, source, old in pairs
    ]
    lines = [str(difference) for check in checks for difference in check.differences]
    failing = sum(1 for check in checks if not check.ok)
    payload = {
        "files": [
            {
                "file": check.file,
                "differences": [
                    {
                        "line": d.line,
                        "problem": d.problem,
                        "element": str(d.kind),
                        "shown": d.shown,
                        "source_line": d.source_line,
                    }
                    for d in check.differences
                ],
                "translator_only": check.translator_only,
            }
            for check in checks
        ],
        "untranslated": untranslated,
    }
    summary = f"{len(lines)} structural differences in {failing} of {len(checks)} files"
    if untranslated:
        summary += f"; {len(untranslated)} source files have no translation (not compared)"
    print_report(args, payload, [*lines, summary])
    return 1 if lines else 0
