"""Annotation helper for the alignment gold set (a development tool, not part of the product).

    .venv/bin/python tests/data/align/annotate.py draft NAME SPLIT REL_PATH [ZH_REL_PATH]
        writes tests/data/align/NAME.json with the aligner's beads as a draft to correct by hand
    .venv/bin/python tests/data/align/annotate.py show NAME
        prints the beads side by side with both texts, for review

The corpus text is read from ../shared/corpus/d2l and never written into the repository.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from amts.align.gold import dump_gold, gold_record, load_gold
from amts.align.sentences import align_sentences
from amts.align.text import document_sentences
from amts.book import parse_file, segments
from amts.fsio import write_atomic

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parents[2].parent / "shared" / "corpus" / "d2l"


def draft(name: str, split: str, en_rel: str, zh_rel: str) -> None:
    sides = []
    for lang, rel in (("en", en_rel), ("zh", zh_rel)):
        doc = parse_file(CORPUS / rel)
        sides.append((lang, rel, document_sentences(doc, segments(doc), lang)))
    beads = align_sentences([r.text for r in sides[0][2]], [r.text for r in sides[1][2]], src_lang="en", tgt_lang="zh")
    write_atomic(HERE / f"{name}.json", dump_gold(gold_record(name, split, CORPUS, sides, beads)))


def show(name: str) -> None:
    section = load_gold(HERE / f"{name}.json", CORPUS)
    data = json.loads((HERE / f"{name}.json").read_text())
    for number, (bead, label) in enumerate(zip(section.beads, data["beads"], strict=True)):
        flag = "" if bead.kind == "1-1" else f"   <<< {bead.kind}"
        print(f"#{number} {label}{flag}")
        for i in bead.src:
            print(f"   EN {i}: {section.src.sentences[i]}")
        for j in bead.tgt:
            print(f"   ZH {j}: {section.tgt.sentences[j]}")


if __name__ == "__main__":
    if sys.argv[1] == "draft":
        rel = sys.argv[4]
        draft(sys.argv[2], sys.argv[3], f"origin/en/{rel}", f"origin/zh/{sys.argv[5] if len(sys.argv) > 5 else rel}")
    else:
        show(sys.argv[2])
