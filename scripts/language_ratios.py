"""Estimate each language's length ratio against English from the D2L translations (issue 19).

For every file pair of ``../shared/corpus/d2l-multi/<lang>/origin`` (and ``../shared/corpus/d2l/origin`` for
zh), the paragraphs are linked by the project's document aligner (structure, length and anchors, no
embeddings) and every one-to-one link whose target really is in the target language (untranslated English
left in ja/ko/pt files is skipped) gives a ratio: non-whitespace characters of the translation per
non-whitespace character of the English. The script prints, per language, the ratio of the sums, the median
and the interquartile range of the per-link ratios, and how many links and files it saw; with ``--json`` it
also writes them to a file. ``amts.language_profiles`` holds the rounded values with this provenance.

Usage: python scripts/language_ratios.py [--shared ../shared] [--langs vi,tr] [--max-files N] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from amts.align.documents import align_documents
from amts.align.language_check import detect_problem
from amts.book import parse_file, prose, segments
from amts.errors import AmtsError
from amts.fsio import write_atomic

# Corpus folder of each language and the target folder name inside it (d2l-multi keeps zh-tw lower-case).
CORPORA: dict[str, tuple[str, str]] = {
    "zh": ("corpus/d2l/origin", "zh"),
    "zh-TW": ("corpus/d2l-multi/zh-tw/origin", "zh-tw"),
    "ja": ("corpus/d2l-multi/ja/origin", "ja"),
    "ko": ("corpus/d2l-multi/ko/origin", "ko"),
    "pt": ("corpus/d2l-multi/pt/origin", "pt"),
    "tr": ("corpus/d2l-multi/tr/origin", "tr"),
    "vi": ("corpus/d2l-multi/vi/origin", "vi"),
}
MIN_CHARS = 40  # shorter paragraphs (headings, captions) make noisy ratios


def _chars(text: str) -> int:
    return len("".join(text.split()))


def link_ratios(en_path: Path, tgt_path: Path, lang: str) -> list[tuple[int, int]]:
    """(English chars, target chars) of each one-to-one paragraph link whose target is in ``lang``."""
    en_doc, tgt_doc = parse_file(en_path), parse_file(tgt_path)
    alignment = align_documents(en_doc, tgt_doc, src_lang="en", tgt_lang=lang)
    en_text = {seg.id: prose(seg) for seg in segments(en_doc)}
    tgt_text = {seg.id: prose(seg) for seg in segments(tgt_doc)}
    out = []
    for link in alignment.links:
        if len(link.src_ids) != 1 or len(link.tgt_ids) != 1:
            continue
        src, tgt = en_text[link.src_ids[0]], tgt_text[link.tgt_ids[0]]
        if _chars(src) < MIN_CHARS or detect_problem(tgt, lang) is not None or src.strip() == tgt.strip():
            continue
        out.append((_chars(src), _chars(tgt)))
    return out


def estimate(shared: Path, lang: str, max_files: int | None) -> dict[str, object]:
    folder, tgt_dir = CORPORA[lang]
    root = shared / folder
    files = sorted(
        p.relative_to(root / "en")
        for p in (root / "en").rglob("*.md")
        if (root / tgt_dir / p.relative_to(root / "en")).is_file()
    )
    if max_files:
        files = files[:: max(1, len(files) // max_files)][:max_files]
    pairs: list[tuple[int, int]] = []
    failed: list[str] = []
    for rel in files:
        try:
            pairs.extend(link_ratios(root / "en" / rel, root / tgt_dir / rel, lang))
        except AmtsError as exc:
            failed.append(f"{rel}: {exc}")
    ratios = sorted(b / a for a, b in pairs)
    quartiles = statistics.quantiles(ratios, n=4) if len(ratios) >= 4 else [0.0, 0.0, 0.0]
    return {
        "lang": lang,
        "corpus": folder,
        "files": len(files),
        "files_failed": failed,
        "links": len(pairs),
        "ratio_of_sums": round(sum(b for _, b in pairs) / max(sum(a for a, _ in pairs), 1), 3),
        "median": round(quartiles[1], 3),
        "q1": round(quartiles[0], 3),
        "q3": round(quartiles[2], 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default="../shared", help="the shared folder holding corpus/ (default ../shared)")
    parser.add_argument("--langs", default=",".join(CORPORA), help="comma-separated languages (default all)")
    parser.add_argument("--max-files", type=int, default=None, help="evenly spaced sample of at most N files")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    shared = Path(args.shared)
    results = []
    for lang in args.langs.split(","):
        if not (shared / CORPORA[lang][0]).is_dir():
            print(f"{lang}: corpus {shared / CORPORA[lang][0]} missing, skipped", file=sys.stderr)
            continue
        started = time.perf_counter()
        result = estimate(shared, lang, args.max_files)
        result["seconds"] = round(time.perf_counter() - started, 1)
        results.append(result)
        print(
            f"{lang}: {result['ratio_of_sums']} (median {result['median']}, IQR {result['q1']}-{result['q3']}) "
            f"from {result['links']} paragraph links in {result['files']} files"
        )
    if args.json:
        write_atomic(args.json, json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
