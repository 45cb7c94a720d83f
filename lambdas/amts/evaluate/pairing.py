"""Pair hypothesis segments with reference segments so that only translated prose is scored.

Segments come from the book model, so code cells and display math never reach the scorer. On top of that,
segments with nothing to translate (only inline math, code or a URL), framework tabs that only one side
has (d2l-zh's ``paddle``, d2l-en's ``jax``) and reference segments the human translator left in the source
language are left out, each counted under its reason.

Pairing, in order of preference:

* ``structure``: both sides have the same sequence of segment kinds, so they pair one to one by position
  (a hypothesis rebuilt from the same source as the reference keeps the source's structure);
* ``source-aligned``: the hypothesis keeps its source's structure, and the aligner pairs that source with the
  reference across languages;
* ``aligner``: the aligner pairs hypothesis and reference directly (same language);
* ``structure-diff``: no aligner result; a diff of segment kinds and anchors (labels, figure files) pairs
  what matches and reports the rest.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from amts.evaluate.models import PairingInfo, PairingStrategy
from amts.languages import CJK_LANGUAGES

_LETTER = re.compile(r"[^\W\d_]")
# CJK ideographs (with extension A and compatibility), kana, hangul.
_HAN_KANA_HANGUL = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
_LATIN = re.compile("[A-Za-z\u00c0-\u024f]")

# Reasons a segment is left out of scoring (keys of PairingInfo.skipped).
SKIP_NO_PROSE = "nothing-to-translate"
SKIP_OTHER_TAB = "tab-only-on-one-side"
SKIP_UNTRANSLATED_REF = "untranslated-in-reference"


@dataclass(frozen=True)
class SegmentView:
    """What pairing and scoring need from a book segment."""

    id: str
    kind: str
    text: str
    tabs: tuple[str, ...] | None = None
    anchors: tuple[str, ...] = ()
    translatable: bool = True

    @property
    def key(self) -> str:
        return self.kind + "|" + ",".join(self.anchors)


@dataclass(frozen=True)
class SegmentPair:
    """One scored unit: hypothesis text against reference text (several segments joined for n:m beads)."""

    hyp: str
    ref: str
    hyp_ids: tuple[str, ...]
    ref_ids: tuple[str, ...]


@dataclass
class Pairing:
    pairs: list[SegmentPair]
    info: PairingInfo


@dataclass
class _Filtered:
    kept: list[SegmentView]
    skipped: Counter[str] = field(default_factory=Counter)


IdGroups = list[tuple[tuple[str, ...], tuple[str, ...]]]
# An aligner returns groups of hypothesis and reference segment ids that correspond, e.g.
# [(("s0001",), ("s0001",)), (("s0002", "s0003"), ("s0002",))], or None when it could not align them.
# Ids of segments left out here are ignored, so it may work on the whole documents.
AlignFn = Callable[[], IdGroups | None]


def has_prose(text: str) -> bool:
    return bool(_LETTER.search(text))


def looks_untranslated(text: str, tgt_lang: str) -> bool:
    """True when a target-language text is still in a source script (English left in a Chinese reference...)."""
    if tgt_lang in CJK_LANGUAGES:
        return not _HAN_KANA_HANGUL.search(text) and bool(_LATIN.search(text))
    return bool(_HAN_KANA_HANGUL.search(text)) and not _LATIN.search(text)


def _tabs_of(views: Sequence[SegmentView]) -> set[str]:
    return {tab for view in views if view.tabs for tab in view.tabs}


def _filter(views: Sequence[SegmentView], shared_tabs: set[str]) -> _Filtered:
    result = _Filtered(kept=[])
    for view in views:
        if not view.translatable or not has_prose(view.text):
            result.skipped[SKIP_NO_PROSE] += 1
        elif view.tabs and not shared_tabs.intersection(view.tabs):
            result.skipped[SKIP_OTHER_TAB] += 1
        else:
            result.kept.append(view)
    return result


def pair_segments(
    hyp: Sequence[SegmentView],
    ref: Sequence[SegmentView],
    *,
    tgt_lang: str,
    aligner: AlignFn | None = None,
    aligner_strategy: PairingStrategy = "aligner",
    source_texts: dict[str, str] | None = None,
) -> Pairing:
    """Pair two documents' segments (see the module docstring for the strategies and what is left out).

    ``source_texts`` maps hypothesis segment ids to their source text when known: a reference segment equal
    to its source is untranslated and left out; a hypothesis equal to its source still counts (it is the
    engine's miss), and a note says how many there were.
    """
    shared_tabs = _tabs_of(hyp) & _tabs_of(ref)
    hyp_f, ref_f = _filter(hyp, shared_tabs), _filter(ref, shared_tabs)
    notes: list[str] = []
    strategy: PairingStrategy
    groups: IdGroups | None = None
    if [v.kind for v in hyp_f.kept] == [v.kind for v in ref_f.kept]:
        strategy = "structure"
        groups = [((h.id,), (r.id,)) for h, r in zip(hyp_f.kept, ref_f.kept, strict=True)]
    else:
        if aligner is not None:
            groups = aligner()
            if groups is None:
                notes.append("the aligner could not align these documents; paired by a diff of their structure")
        strategy = aligner_strategy if groups is not None else "structure-diff"
        if groups is None:
            groups = _diff_groups(hyp_f.kept, ref_f.kept)

    hyp_by_id = {v.id: v for v in hyp_f.kept}
    ref_by_id = {v.id: v for v in ref_f.kept}
    skipped: Counter[str] = hyp_f.skipped + ref_f.skipped
    pairs: list[SegmentPair] = []
    used_hyp: set[str] = set()
    used_ref: set[str] = set()
    untranslated_hyp = 0
    for hyp_ids, ref_ids in groups:
        hyp_ids = tuple(i for i in hyp_ids if i in hyp_by_id and i not in used_hyp)
        ref_ids = tuple(i for i in ref_ids if i in ref_by_id and i not in used_ref)
        if not hyp_ids or not ref_ids:
            continue
        used_hyp.update(hyp_ids)
        used_ref.update(ref_ids)
        hyp_text = " ".join(hyp_by_id[i].text for i in hyp_ids)
        ref_text = " ".join(ref_by_id[i].text for i in ref_ids)
        source = " ".join(source_texts.get(i, "") for i in hyp_ids) if source_texts else ""
        if looks_untranslated(ref_text, tgt_lang) or (source and _same(ref_text, source)):
            skipped[SKIP_UNTRANSLATED_REF] += len(ref_ids)
            continue
        if source and _same(hyp_text, source):
            untranslated_hyp += 1
        pairs.append(SegmentPair(hyp_text, ref_text, hyp_ids, ref_ids))

    untranslated_ref = skipped[SKIP_UNTRANSLATED_REF]
    hyp_unpaired = [v.id for v in hyp_f.kept if v.id not in used_hyp]
    ref_unpaired = [v.id for v in ref_f.kept if v.id not in used_ref]
    if hyp_unpaired or ref_unpaired or len(hyp_f.kept) != len(ref_f.kept):
        notes.append(
            f"segment mismatch: hypothesis has {len(hyp_f.kept)} scorable segments, reference "
            f"{len(ref_f.kept)}; scored the {len(pairs)} pairs that align ({len(hyp_unpaired)} hypothesis and "
            f"{len(ref_unpaired)} reference segments unpaired)"
        )
    if untranslated_hyp:
        notes.append(f"{untranslated_hyp} hypothesis segments equal their source (left untranslated); they count")
    info = PairingInfo(
        strategy=strategy,
        hyp_segments=len(hyp_f.kept),
        ref_segments=len(ref_f.kept),
        paired=len(pairs),
        hyp_unpaired=hyp_unpaired,
        ref_unpaired=ref_unpaired,
        skipped=dict(sorted(skipped.items())),
        notes=notes,
        ref_translated=len(ref_f.kept) - untranslated_ref,
        ref_covered=sum(len(pair.ref_ids) for pair in pairs),
    )
    return Pairing(pairs=pairs, info=info)


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def _diff_groups(hyp: Sequence[SegmentView], ref: Sequence[SegmentView]) -> IdGroups:
    """Pair the runs where segment kinds and anchors match; everything else stays unpaired."""
    matcher = difflib.SequenceMatcher(a=[v.key for v in hyp], b=[v.key for v in ref], autojunk=False)
    groups: IdGroups = []
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            groups.append(((hyp[block.a + offset].id,), (ref[block.b + offset].id,)))
    return groups
