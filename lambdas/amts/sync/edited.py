"""The sentences of an edited segment: which old sentence each new one continues, the beads of its translation
with the sentences the translator added folded in, and how the translation separates its sentences."""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Sequence

from amts.book import Sentence, split_sentences
from amts.sync.fuzzy import similarity
from amts.sync.markup import prose_key
from amts.sync.memory import loose_key
from amts.sync.pairs import Bead


def sentence_map(old: Sequence[str], new: Sequence[str]) -> dict[int, int]:
    """Which new sentence each old sentence became: the same text once slide marks and whitespace are ignored,
    in order; then, in the gaps, sentences that differ only in markup."""
    matcher = difflib.SequenceMatcher(None, [loose_key(s) for s in old], [loose_key(s) for s in new], autojunk=False)
    mapping: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            mapping.update({i1 + k: j1 + k for k in range(i2 - i1)})
            continue
        keys = [prose_key(new[j]) for j in range(j1, j2)]
        start = 0
        for i in range(i1, i2):
            key = prose_key(old[i])
            for offset in range(start, len(keys)):
                if keys[offset] == key:
                    mapping[i] = j1 + offset
                    start = offset + 1
                    break
    return mapping


def attach_target_only(beads: list[Bead]) -> list[Bead]:
    """Fold target-only beads (a sentence the translator added) into the bead before them (or after, at the start)."""
    result: list[Bead] = []
    carry: tuple[int, ...] = ()
    for src, tgt in beads:
        if not src:
            if result:
                result[-1] = (result[-1][0], result[-1][1] + tgt)
            else:
                carry += tgt
            continue
        result.append((src, carry + tgt))
        carry = ()
    if carry and result:
        result[-1] = (result[-1][0], result[-1][1] + carry)
    return result


def dominant_separator(text: str, sentences: Sequence[Sentence], default: str) -> str:
    """How the translation separates its sentences: a line break (semantic line breaks) or the language's default."""
    gaps = [text[a.end : b.start] for a, b in itertools.pairwise(sentences)]
    if gaps and sum("\n" in gap for gap in gaps) * 2 > len(gaps):
        return "\n"
    return default


def joint_runs(
    text: str,
    sentences: Sequence[Sentence],
    taken: set[int],
    region: list[tuple[str, tuple[str, str]]],
    threshold: float,
    lang: str,
) -> list[tuple[int, int, str, str]]:
    """Runs of new sentences (of the segment ``text``) fuzzy-close to an old group of two or more sentences the
    translator rendered together (``region``: old English -> (old English, its joint translation)), as (first new
    sentence, number of sentences, old English, translation); each group is used once and taken out of
    ``region``, and sentences in ``taken`` (kept otherwise) or in an earlier run are not used again."""
    taken = set(taken)
    runs: list[tuple[int, int, str, str]] = []
    for old, translation in [candidate for _, candidate in region]:
        size = len(split_sentences(old, lang))
        if size < 2:
            continue
        best: tuple[float, int] | None = None
        for start in range(len(sentences) - size + 1):
            if any(j in taken for j in range(start, start + size)):
                continue
            score = similarity(old, text[sentences[start].start : sentences[start + size - 1].end])
            if score >= threshold and (best is None or score > best[0]):
                best = (score, start)
        if best is None:
            continue
        runs.append((best[1], size, old, translation))
        taken.update(range(best[1], best[1] + size))
        region[:] = [candidate for candidate in region if candidate[1] != (old, translation)]
    return runs
