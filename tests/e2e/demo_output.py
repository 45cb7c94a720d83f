"""What ``make demo`` must show on a machine set up as the README promises: real Spanish from Apertium, never the
pseudo engine for es. Used by the demo test and by CI's fresh-clone check (``python -m tests.e2e.demo_output OUT``).

The expected lines are Apertium's rendering (Debian's apertium-eng-spa 0.8.1) of sentences the project wrote
for the sample book's new chapter (``amts_local.samplebook``): "## The Penalized Loss" and "We add the squared
norm of the weights, ...".
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

NEW_CHAPTER_ES = Path("es") / "chapter_regularization" / "weight-decay.md"
APERTIUM_RENDERINGS = ("## La Pérdida Penalizada", "Añadimos la norma cuadrada de los pesos")
PSEUDO_MARK = "[pseudo"


def demo_problems(out: Path) -> list[str]:
    """Every way the demo's output in ``out`` falls short of real Spanish from Apertium (empty: none)."""
    problems: list[str] = []
    chapter = out / NEW_CHAPTER_ES
    if not chapter.is_file():
        return [f"{chapter}: missing (the demo did not translate the new chapter into es)"]
    text = chapter.read_text(encoding="utf-8")
    problems += [f"{chapter}: no Apertium rendering {line!r}" for line in APERTIUM_RENDERINGS if line not in text]
    for path in sorted((out / "es").rglob("*.md")):
        if PSEUDO_MARK in path.read_text(encoding="utf-8"):
            problems.append(f"{path}: pseudo-translation in Spanish output")
    summary = json.loads((out / "demo-summary.json").read_text(encoding="utf-8"))
    es_engines = {row["engine"] for row in summary["quality"] if row["pair"] == "en-es"}
    if not es_engines or any("pseudo" in engine or "apertium" not in engine for engine in es_engines):
        problems.append(f"{out / 'demo-summary.json'}: en-es quality engines {sorted(es_engines)}, expected Apertium")
    return problems


if __name__ == "__main__":
    found = demo_problems(Path(sys.argv[1]))
    for problem in found:
        print(f"demo check: {problem}", file=sys.stderr)
    print(f"demo check: {'FAILED' if found else 'ok: real Spanish from Apertium, no pseudo-translation for es'}")
    sys.exit(1 if found else 0)
