"""Alignment benchmark: gold-set accuracy (ours vs Gale-Church) and `amts pairs` over the whole origin corpus.

    .venv/bin/python bench/bench_align.py [--skip-corpus]

Runs on one core (CPU affinity and single-threaded BLAS), as a Lambda function would. Writes
bench/results/align.json. Needs ../shared/corpus/d2l; exits 0 with a note when it is absent.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

# One core, as a Lambda function would have: BLAS reads these when numpy loads, so they precede the amts imports.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from amts.align.documents import PairOptions, extract_pairs
from amts.align.gold import GoldSection, load_gold_dir
from amts.align.models import PairSet
from amts.align.scoring import score_alignments
from amts.align.sentences import AlignerParams, align_sentences
from amts.book import parse_file
from gale_church import gale_church
from measure import Stopwatch, bead_mix, peak_rss_mb, write_results

CORPUS = REPO.parent / "shared" / "corpus" / "d2l"
GOLD_DIR = REPO / "tests" / "data" / "align"
RESULTS = REPO / "bench" / "results" / "align.json"


def gold_scores(sections: list[GoldSection]) -> dict[str, object]:
    gold = [[(b.src, b.tgt) for b in s.beads] for s in sections]
    out: dict[str, object] = {"sections": [s.name for s in sections]}
    sentences = sum(len(s.src.sentences) + len(s.tgt.sentences) for s in sections)
    runs = {
        "ours": lambda s: align_sentences(s.src.sentences, s.tgt.sentences, src_lang="en", tgt_lang="zh"),
        "ours_without_embeddings": lambda s: align_sentences(
            s.src.sentences, s.tgt.sentences, src_lang="en", tgt_lang="zh", params=AlignerParams(use_embeddings=False)
        ),
        "gale_church": lambda s: gale_church(s.src.sentences, s.tgt.sentences),
    }
    for name, run in runs.items():
        clock = Stopwatch()
        test = [[(b.src, b.tgt) for b in run(s)] for s in sections]
        score = score_alignments(gold, test).to_dict()
        wall, cpu_used = clock.elapsed()
        out[name] = score | {
            "wall_s": round(wall, 2),
            "cpu_s": round(cpu_used, 2),
            "sentences_per_s": round(sentences / max(cpu_used, 1e-9), 1),
        }
    ours_error = 1 - float(out["ours"]["f1_strict"])  # type: ignore[index]
    gc_error = 1 - float(out["gale_church"]["f1_strict"])  # type: ignore[index]
    out["error_ratio_vs_gale_church"] = round(ours_error / gc_error, 3) if gc_error else None
    return out


def reverse_scores(sections: list[GoldSection]) -> dict[str, object]:
    """The same gold beads read the other way round: Chinese as the source (the study also ran ZH->EN)."""
    gold = [[(b.tgt, b.src) for b in s.beads] for s in sections]
    ours = [
        [(b.src, b.tgt) for b in align_sentences(s.tgt.sentences, s.src.sentences, src_lang="zh", tgt_lang="en")]
        for s in sections
    ]
    baseline = [[(b.src, b.tgt) for b in gale_church(s.tgt.sentences, s.src.sentences)] for s in sections]
    return {
        "sections": [s.name for s in sections],
        "ours": score_alignments(gold, ours).to_dict(),
        "gale_church": score_alignments(gold, baseline).to_dict(),
    }


def synthetic_en_es(sections: list[GoldSection]) -> dict[str, object]:
    """EN->ES on Apertium's Spanish for the gold sections' English, with known merges, drops and insertions.

    There is no Spanish D2L; this checks the aligner on a Latin-script pair with a real (rule-based) translation.
    """
    if shutil.which("apertium") is None:
        return {"skipped": "apertium is not installed (make system-deps)"}
    rng = random.Random(7)
    gold_docs, ours, baseline = [], [], []
    for section in sections:
        english = section.src.sentences
        result = subprocess.run(
            ["apertium", "-u", "eng-spa"], input="\n".join(english) + "\n", capture_output=True, text=True, check=True
        )
        spanish = result.stdout.split("\n")[: len(english)]
        target: list[str] = []
        gold: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        i = 0
        while i < len(english):
            roll = rng.random()
            if roll < 0.07 and i + 1 < len(english):  # the translator merged two sentences
                target.append(f"{spanish[i].strip()} {spanish[i + 1].strip()}")
                gold.append(((i, i + 1), (len(target) - 1,)))
                i += 2
            elif roll < 0.11:  # a sentence left untranslated
                gold.append(((i,), ()))
                i += 1
            elif roll < 0.14:  # a translator's note
                target.append("Nota del traductor: este párrafo se añadió en la versión española.")
                gold.append(((), (len(target) - 1,)))
            else:
                target.append(spanish[i].strip())
                gold.append(((i,), (len(target) - 1,)))
                i += 1
        gold_docs.append(gold)
        ours.append([(b.src, b.tgt) for b in align_sentences(english, target, src_lang="en", tgt_lang="es")])
        baseline.append([(b.src, b.tgt) for b in gale_church(english, target)])
    return {
        "sections": [s.name for s in sections],
        "ours": score_alignments(gold_docs, ours).to_dict(),
        "gale_church": score_alignments(gold_docs, baseline).to_dict(),
    }


def corpus_pairs(granularity: str) -> dict[str, object]:
    manifest = (CORPUS / "origin" / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    paths = [line.split("\t")[0] for line in manifest if line.strip()]
    options = PairOptions(granularity=granularity)  # type: ignore[arg-type]
    total = PairSet("en", "zh")
    clock = Stopwatch()
    for rel in paths:
        pair_set = extract_pairs(
            parse_file(CORPUS / "origin" / "en" / rel),
            parse_file(CORPUS / "origin" / "zh" / rel),
            src_lang="en",
            tgt_lang="zh",
            granularity=granularity,  # type: ignore[arg-type]
            options=options,
            src_name=rel,
            tgt_name=rel,
        )
        total.extend(pair_set)
    wall, cpu_used = clock.elapsed()
    stats = total.stats.to_dict()
    return {
        "file_pairs": len(paths),
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu_used, 1),
        "sentences_per_cpu_s": round((total.stats.src_sentences + total.stats.tgt_sentences) / max(cpu_used, 1e-9), 1),
        "pairs": stats["pairs"],
        "bead_mix": bead_mix(total),
        "stats": stats,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-corpus", action="store_true", help="only score the gold set")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"skipped: the D2L corpus is not at {CORPUS}")
        return 0
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    results: dict[str, object] = {"one_core": True}
    for split in ("dev", "check"):
        results[f"gold_{split}"] = gold_scores(load_gold_dir(GOLD_DIR, CORPUS, split=split))
    results["gold_all_zh_to_en"] = reverse_scores(load_gold_dir(GOLD_DIR, CORPUS))
    results["synthetic_en_to_es"] = synthetic_en_es(load_gold_dir(GOLD_DIR, CORPUS))
    if not args.skip_corpus:
        results["pairs_sentence"] = corpus_pairs("sentence")
    results["peak_memory_mb"] = round(peak_rss_mb(), 1)
    write_results(RESULTS, results, ensure_ascii=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
