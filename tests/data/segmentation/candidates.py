"""List sentence-boundary candidates in sampled corpus paragraphs, for hand annotation (see README.md).

Usage: python tests/data/segmentation/candidates.py CORPUS_ROOT LANG_DIR LANG [--count N] [--seed S] [--grep RE]
Prints, per sampled paragraph, its path and offsets, then the text with every candidate offset marked ``⟦n⟧``
(a candidate: a full stop, ``!``, ``?``, ``…`` or a full-width ``。！？；``, with its closers). The annotator
writes the offsets judged to be sentence ends into the gold TSV; no corpus text is stored.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

from amts.book import parse_file, segments
from amts.errors import AmtsError

_CANDIDATE = re.compile(r"(?:[.!?…]+|[。！？；．]+)[\"'”’)\]」』）]*")


def main(argv: list[str]) -> int:
    root, lang_dir, lang = Path(argv[0]), argv[1], argv[2]
    count = int(argv[argv.index("--count") + 1]) if "--count" in argv else 8
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 19
    wanted = re.compile(argv[argv.index("--grep") + 1]) if "--grep" in argv else None  # hard cases on purpose
    files = sorted((root / lang_dir).rglob("*.md"))
    rng = random.Random(seed)
    rng.shuffle(files)
    shown = 0
    for path in files:
        try:
            doc = parse_file(path)
        except AmtsError:
            continue  # a file the book model refuses has no segments to annotate
        segs = [s for s in segments(doc) if s.kind == "paragraph" and 150 <= len(s.text) <= 900]
        if wanted is not None:
            segs = [s for s in segs if wanted.search(s.text)]
        if not segs:
            continue
        seg = rng.choice(segs)
        marks = [m.end() for m in _CANDIDATE.finditer(seg.text) if m.end() < len(seg.text.rstrip())]
        if len(marks) < 3:
            continue
        text = seg.text
        for mark in reversed(marks):
            text = text[:mark] + f"⟦{seg.start + mark}⟧" + text[mark:]
        print(f"## {path.relative_to(root)}\t{lang}\t{seg.start}\t{seg.end}\n{text}\n")
        shown += 1
        if shown >= count:
            break
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
