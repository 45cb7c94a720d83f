"""The alignment gold set: hand-aligned book sections stored as offsets into corpus files, never as text.

Each JSON file holds, for both sides, the corpus-relative path, the file's SHA-256, the [start, end) offsets of
every sentence (as ``amts.align.text.document_sentences`` cuts them) and the beads in Vecalign notation.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from amts.align.beadio import check_coverage, format_bead, parse_beads
from amts.align.models import Bead
from amts.align.text import SentenceRef, sentence_prose
from amts.book import parse
from amts.errors import InputError
from amts.fsio import read_text


@dataclass(frozen=True)
class GoldSide:
    lang: str
    path: str
    sentences: list[str]
    offsets: list[tuple[int, int]]


@dataclass(frozen=True)
class GoldSection:
    name: str
    split: str
    src: GoldSide
    tgt: GoldSide
    beads: list[Bead]


def _side_text(corpus_dir: Path, side: dict[str, object], gold_path: str) -> GoldSide:
    rel = str(side["path"])
    text = read_text(corpus_dir / rel)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if digest != side["sha256"]:
        raise InputError(f"corpus file {rel} changed since the gold set was made (SHA-256 differs)", path=gold_path)
    doc = parse(text, path=rel)
    from amts.book import segments

    by_range = [(segment.start, segment.end, segment) for segment in segments(doc)]
    sentences = []
    offsets: list[tuple[int, int]] = []
    raw = side["sentences"]
    assert isinstance(raw, list)
    for start, end in raw:
        owner = next((seg for lo, hi, seg in by_range if lo <= start and end <= hi), None)
        if owner is None:
            raise InputError(f"sentence [{start}, {end}) of {rel} is not inside a segment", path=gold_path)
        sentences.append(sentence_prose(owner, start - owner.start, end - owner.start))
        offsets.append((start, end))
    return GoldSide(str(side["lang"]), rel, sentences, offsets)


def load_gold(path: str | Path, corpus_dir: str | Path) -> GoldSection:
    """Read one gold section and rebuild its sentence texts from the corpus."""
    data = json.loads(read_text(path))
    src = _side_text(Path(corpus_dir), data["src"], str(path))
    tgt = _side_text(Path(corpus_dir), data["tgt"], str(path))
    beads = parse_beads("\n".join(data["beads"]), path=str(path))
    try:
        check_coverage(beads, len(src.sentences), len(tgt.sentences))
    except ValueError as exc:
        raise InputError(str(exc), path=str(path)) from None
    return GoldSection(str(data["name"]), str(data["split"]), src, tgt, beads)


def load_gold_dir(folder: str | Path, corpus_dir: str | Path, *, split: str | None = None) -> list[GoldSection]:
    sections = [load_gold(path, corpus_dir) for path in sorted(Path(folder).glob("*.json"))]
    return [section for section in sections if split is None or section.split == split]


def gold_record(
    name: str,
    split: str,
    corpus_dir: Path,
    sides: Sequence[tuple[str, str, Sequence[SentenceRef]]],
    beads: Sequence[Bead],
) -> dict[str, object]:
    """The JSON record of a section: ``sides`` are (lang, corpus-relative path, sentences) for src and tgt."""
    record: dict[str, object] = {"name": name, "split": split}
    for key, (lang, rel, refs) in zip(("src", "tgt"), sides, strict=True):
        text = read_text(corpus_dir / rel)
        record[key] = {
            "lang": lang,
            "path": rel,
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "sentences": [[ref.start, ref.end] for ref in refs],
        }
    record["beads"] = [format_bead(bead) for bead in beads]
    return record


def dump_gold(record: dict[str, object]) -> str:
    """JSON with one sentence or bead per line, so reviews and diffs stay readable."""
    lines = ["{"]
    items = list(record.items())
    for index, (key, value) in enumerate(items):
        comma = "," if index < len(items) - 1 else ""
        if isinstance(value, dict):
            inner = ",\n".join(
                f"    {json.dumps(k)}: "
                + (
                    "[\n" + ",\n".join(f"      {json.dumps(x)}" for x in v) + "\n    ]"
                    if isinstance(v, list)
                    else json.dumps(v, ensure_ascii=False)
                )
                for k, v in value.items()
            )
            lines.append(f"  {json.dumps(key)}: {{\n{inner}\n  }}{comma}")
        elif isinstance(value, list):
            body = ",\n".join(f"    {json.dumps(x, ensure_ascii=False)}" for x in value)
            lines.append(f"  {json.dumps(key)}: [\n{body}\n  ]{comma}")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"
