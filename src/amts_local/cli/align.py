"""Subcommands of the align area: ``amts align`` (sentence beads) and ``amts pairs`` (parallel data)."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

from amts.align.beadio import format_beads
from amts.align.documents import PairOptions, extract_pairs
from amts.align.language_check import check_text_language
from amts.align.lexicon import Lexicon, load_lexicon
from amts.align.models import Bead, PairSet
from amts.align.relatedness import MIN_GAIN, order_test
from amts.align.sentences import AlignerParams, align_sentences
from amts.book import markdown_files, parse_file
from amts.errors import AlignmentError, AmtsError, InputError
from amts.language_profiles import embeddings_cover
from amts.languages import check_language

from amts_local.cli.commands import CommandArea, Option, arg
from amts_local.cli.options import (
    STDIO,
    input_name,
    is_stdio,
    json_option,
    output_option,
    outputs_outside,
    print_report,
    read_input_text,
    report_option,
    write_output,
)
from amts_local.cli.progress import file_progress

# Unrelated texts: median pair similarity ~0.05-0.19 and under 10 % of pairs at 0.5 or more on D2L; real sections:
# median >= 0.39 and over 30 % of pairs at 0.5 or more. Both must fail before the alignment is rejected.
LOW_CONFIDENCE = 0.25
GOOD_PAIR = 0.5
MIN_GOOD_SHARE = 0.2

COMMANDS = CommandArea()


def _two_sides(what: str) -> list[Option]:
    """SRC and TGT (each a ``what``), then their languages and the optional glossary: what both commands align."""
    return [
        arg("src", help=f"source {what}"),
        arg("tgt", help=f"target {what}"),
        arg("--src", dest="src_lang", required=True, help="source language code, e.g. en"),
        arg("--tgt", dest="tgt_lang", required=True, help="target language code, e.g. zh"),
        arg("--lexicon", help="bilingual glossary (markdown 'term，term' lines, CSV or TSV)"),
    ]


def _languages(args: argparse.Namespace) -> tuple[str, str, Lexicon | None]:
    src_lang = check_language(args.src_lang, what="source language")
    tgt_lang = check_language(args.tgt_lang, what="target language")
    if src_lang == tgt_lang:
        raise InputError(f"source and target language are both {src_lang!r}")
    lexicon = load_lexicon(args.lexicon) if args.lexicon else None
    if lexicon is not None:
        lexicon.oriented(src_lang, tgt_lang)  # fails early, naming the file, when its languages differ
    return src_lang, tgt_lang, lexicon


def _read_lines(path: str) -> list[str]:
    text = read_input_text(path).lstrip("\ufeff")
    if text.endswith("\n"):
        text = text[:-1]
    lines = [line.rstrip("\r") for line in text.split("\n")] if text else []
    if not any(line.strip() for line in lines):
        raise InputError("no sentences (an empty side cannot be aligned)", path=input_name(path))
    return lines


def align_lines(
    src_lines: list[str], tgt_lines: list[str], *, src_lang: str, tgt_lang: str, lexicon: Lexicon | None
) -> list[Bead]:
    """Align two line lists; blank lines are not sentences and become 1-0/0-1 beads where they stand."""
    src_keep = [i for i, line in enumerate(src_lines) if line.strip()]
    tgt_keep = [j for j, line in enumerate(tgt_lines) if line.strip()]
    inner = align_sentences(
        [src_lines[i].strip() for i in src_keep],
        [tgt_lines[j].strip() for j in tgt_keep],
        src_lang=src_lang,
        tgt_lang=tgt_lang,
        lexicon=lexicon,
        params=AlignerParams(),
    )
    beads: list[Bead] = []
    next_src = next_tgt = 0

    def flush(src_until: int, tgt_until: int) -> None:
        nonlocal next_src, next_tgt
        beads.extend(Bead((i,), ()) for i in range(next_src, src_until))
        beads.extend(Bead((), (j,)) for j in range(next_tgt, tgt_until))
        next_src, next_tgt = max(next_src, src_until), max(next_tgt, tgt_until)

    for bead in inner:
        src_ids = tuple(src_keep[i] for i in bead.src)
        tgt_ids = tuple(tgt_keep[j] for j in bead.tgt)
        flush(src_ids[0] if src_ids else next_src, tgt_ids[0] if tgt_ids else next_tgt)
        beads.append(Bead(src_ids, tgt_ids, bead.score))
        if src_ids:
            next_src = src_ids[-1] + 1
        if tgt_ids:
            next_tgt = tgt_ids[-1] + 1
    flush(len(src_lines), len(tgt_lines))
    return beads


def confidence_of(beads: list[Bead]) -> tuple[float, float]:
    """Median similarity of the sentence pairs and the share of pairs that are clearly translations."""
    scores = sorted(bead.score for bead in beads if bead.is_pair)
    if not scores:
        return 0.0, 0.0
    return scores[len(scores) // 2], sum(1 for score in scores if score >= GOOD_PAIR) / len(scores)


def _check_similarity(beads: list[Bead], tgt_path: str) -> None:
    median, good_share = confidence_of(beads)
    if median < LOW_CONFIDENCE and good_share < MIN_GOOD_SHARE:
        dropped = sum(1 for bead in beads if bead.is_pair)
        raise AlignmentError(
            f"low-confidence alignment: the sentence pairs have a median similarity of {median:.2f} and only "
            f"{good_share:.0%} look like translations, so the texts look unrelated; {dropped} pairs dropped "
            "(--force prints the beads anyway)",
            path=tgt_path,
        )


def _check_order(
    src_lines: list[str],
    tgt_lines: list[str],
    src_lang: str,
    tgt_lang: str,
    beads: list[Bead],
    args: argparse.Namespace,
) -> None:
    """Languages the embedding model does not cover: say so, and test relatedness by sentence order instead."""
    missing = ", ".join(lang for lang in (src_lang, tgt_lang) if not embeddings_cover(lang))
    test = order_test(
        [line for line in src_lines if line.strip()],
        [line for line in tgt_lines if line.strip()],
        src_lang=src_lang,
        tgt_lang=tgt_lang,
    )
    verdict = {True: "related", False: "unrelated", None: "too short to tell"}[test.related]
    print(
        f"note: the sentence-embedding model was not trained on {missing}: its similarities are only a relative "
        f"signal here (no threshold); relatedness by sentence order: gain {test.gain:.2f}, {verdict}",
        file=sys.stderr,
    )
    if test.related is False and not args.force:
        dropped = sum(1 for bead in beads if bead.is_pair)
        raise AlignmentError(
            f"low-confidence alignment: the sentence lengths do not follow each other (order gain {test.gain:.2f} "
            f"< {MIN_GAIN}), so the texts look unrelated; {dropped} pairs dropped (--force prints the beads anyway)",
            path=input_name(args.tgt),
        )


@COMMANDS.command(
    "align",
    help="align two pre-segmented files (one sentence per line); print Vecalign beads",
    description="Align SRC and TGT (one sentence per line) and print one bead per line, e.g. [0]:[0], "
    "[1, 2]:[1], [3]:[]. Every line index appears exactly once, in order.",
    options=[
        *_two_sides("sentences, one per line (- for standard input)"),
        output_option(help="write the beads to this file (default, or -: standard output)"),
        arg("--scores", action="store_true", help="append each bead's similarity: [0]:[0]:0.71"),
        arg("--force", action="store_true", help="print the beads even when confidence is low"),
    ],
)
def run_align(args: argparse.Namespace) -> int:
    if is_stdio(args.src) and is_stdio(args.tgt):
        raise InputError("only one of SRC and TGT can be - (standard input)")
    outputs_outside([args.output], [args.src, args.tgt, args.lexicon])
    src_lang, tgt_lang, lexicon = _languages(args)
    src_lines, tgt_lines = _read_lines(args.src), _read_lines(args.tgt)
    check_text_language("\n".join(src_lines[:400]), src_lang, path=input_name(args.src), role="source")
    check_text_language("\n".join(tgt_lines[:400]), tgt_lang, path=input_name(args.tgt), role="target")
    beads = align_lines(src_lines, tgt_lines, src_lang=src_lang, tgt_lang=tgt_lang, lexicon=lexicon)
    if not embeddings_cover(src_lang, tgt_lang):
        _check_order(src_lines, tgt_lines, src_lang, tgt_lang, beads, args)
    elif not args.force:
        _check_similarity(beads, input_name(args.tgt))
    if args.scores:
        text = "".join(
            f"{line}:{bead.score:.4f}\n" for line, bead in zip(format_beads(beads).splitlines(), beads, strict=True)
        )
    else:
        text = format_beads(beads)
    write_output(args.output or STDIO, text)
    return 0


def _pairs_csv(pair_set: PairSet) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([pair_set.src_lang, pair_set.tgt_lang])
    for pair in pair_set.pairs:
        writer.writerow([pair.src, pair.tgt])
    return buffer.getvalue()


def _file_pairs(src: Path, tgt: Path) -> tuple[list[tuple[str, Path, Path]], list[str], list[str]]:
    src_files, tgt_files = markdown_files(src), markdown_files(tgt)
    both = [(rel, src_files[rel], tgt_files[rel]) for rel in src_files if rel in tgt_files]
    return both, [rel for rel in src_files if rel not in tgt_files], [rel for rel in tgt_files if rel not in src_files]


@COMMANDS.command(
    "pairs",
    help="extract parallel sentence or paragraph pairs from two book files or two book trees",
    description="Align SRC and TGT (two markdown files, or two folders whose files are paired by relative "
    "path) and write the pairs as CSV with a header of the two language codes, plus a stats report.",
    options=[
        *_two_sides("markdown file or folder"),
        arg("--granularity", choices=("sentence", "paragraph"), default="sentence"),
        output_option(required=True, help="CSV file to write (header: the two language codes); - for standard output"),
        report_option(what="stats report"),
        json_option(help="print the stats report as JSON instead of text (on standard error with -o -)"),
        arg(
            "--embeddings",
            choices=("auto", "on", "off"),
            default="auto",
            help="sentence embeddings: only where length and anchors are ambiguous (auto), always, or never",
        ),
    ],
)
def run_pairs(args: argparse.Namespace) -> int:
    outputs_outside([args.output, args.report], [args.src, args.tgt, args.lexicon])
    src_lang, tgt_lang, lexicon = _languages(args)
    src, tgt = Path(args.src), Path(args.tgt)
    options = PairOptions(granularity=args.granularity, embeddings=args.embeddings)
    result = PairSet(src_lang, tgt_lang)
    skipped: list[str] = []
    if src.is_dir() != tgt.is_dir():
        raise InputError("give two files or two folders, not one of each", path=str(src if src.is_dir() else tgt))
    if src.is_dir():
        jobs, src_only, tgt_only = _file_pairs(src, tgt)
        if not jobs:
            raise InputError(f"no markdown files with the same relative path under {tgt}", path=str(src))
        if src_only:
            result.stats.dropped["source file without a target file"] += len(src_only)
        if tgt_only:
            result.stats.dropped["target file without a source file"] += len(tgt_only)
        with file_progress("aligning", [src_path for _, src_path, _ in jobs]) as advance:
            for rel, src_path, tgt_path in jobs:
                try:
                    result.extend(_pairs_for(src_path, tgt_path, src_lang, tgt_lang, lexicon, options, rel))
                except AmtsError as exc:
                    skipped.append(str(exc))
                    result.stats.dropped["file pair skipped (bad input)"] += 1
                advance(src_path, f"{len(result.pairs):,} pairs")
    else:
        result.extend(_pairs_for(src, tgt, src_lang, tgt_lang, lexicon, options, None))
    report = result.stats.to_dict() | {
        "granularity": args.granularity,
        "confidence": result.confidence,
        "skipped": skipped,
    }
    if not result.pairs:
        reasons = "; ".join(f"{k}: {v}" for k, v in result.stats.dropped.items()) or "nothing aligned"
        raise AlignmentError(f"no pairs produced ({reasons}); nothing written", path=str(src))
    write_output(args.output, _pairs_csv(result))
    report_json = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    print_report(args, report_json, _report_text(report, args.output) + "\n", data_output=args.output)
    if not embeddings_cover(src_lang, tgt_lang):
        missing = ", ".join(lang for lang in (src_lang, tgt_lang) if not embeddings_cover(lang))
        print(
            f"note: the sentence-embedding model was not trained on {missing}: relatedness was tested by sentence "
            "order (the confidence is the order gain) and no pair was dropped for low similarity",
            file=sys.stderr,
        )
    return 0


def _pairs_for(
    src: Path, tgt: Path, src_lang: str, tgt_lang: str, lexicon: Lexicon | None, options: PairOptions, rel: str | None
) -> PairSet:
    pair_set = extract_pairs(
        parse_file(src),
        parse_file(tgt),
        src_lang=src_lang,
        tgt_lang=tgt_lang,
        granularity=options.granularity,
        lexicon=lexicon,
        options=options,
        src_name=rel or str(src),
        tgt_name=rel or str(tgt),
    )
    if rel is None and pair_set.stats.low_confidence_files:
        raise AlignmentError(
            f"low-confidence alignment: the texts look unrelated (confidence {pair_set.confidence:.2f}); "
            f"{pair_set.stats.dropped['low-confidence alignment (unrelated texts?)']} pairs dropped",
            path=str(tgt),
        )
    return pair_set


def _report_text(report: dict[str, Any], output: Path) -> str:
    where = "standard output" if is_stdio(output) else output
    lines = [f"wrote {report['pairs']} {report['granularity']} pairs from {report['files']} file pair(s) to {where}"]
    if report["granularity"] == "sentence":  # paragraph pairs are not split into sentences: no count to show
        lines.append(f"sentences: {report['src_sentences']} source, {report['tgt_sentences']} target")
    lines.append("beads: " + ", ".join(f"{kind} {count}" for kind, count in report["beads"].items()))
    if report["dropped"]:
        lines.append("dropped:")
        lines.extend(f"  {count:6d}  {reason}" for reason, count in report["dropped"].items())
    for name in report["low_confidence_files"]:
        lines.append(f"low-confidence alignment, pairs dropped: {name}")
    for region in report.get("one_sided_regions", []):
        lines.append(f"one-sided region: {region}")
    for problem in report["skipped"]:
        lines.append(f"skipped: {problem}")
    return "\n".join(lines)
