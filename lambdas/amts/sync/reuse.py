"""The target text of one segment of the new source: the translators' text where it still applies, else MT.

In order of preference, a new segment takes:

1. its existing translation, when its source did not change (or changed only in slide marks or whitespace);
   changed markup (inline code, math, a reference target) is carried into the translation;
2. the existing translation with only the changed sentences replaced, when its source was edited;
3. a human or earlier translation of the same text: the pairs of this chapter's old source and translation
   (any segment, any sentence, so a moved sentence is reused), then the translation memory;
4. machine translation, one unit per run of consecutive sentences that nothing above covers.

Text a person edited after MT is never overwritten: if its source changed it is kept and flagged. Every piece
of reused text is given the reference targets (``:numref:``, ``:cite:`` ...) of the source text it stands for,
since references are part of the chapter's skeleton.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from amts.book import Document, Segment, Sentence, segment_sentences
from amts.languages import sentence_separator
from amts.sync.accounting import Outcome, SegmentResult, span_chars
from amts.sync.apply import SINGLE_LINE_KINDS, fit_text
from amts.sync.linking import Linking
from amts.sync.markup import align_references, carry_markup, changed_spans, prose_key, reference_keys
from amts.sync.memory import MemoryEntry, Origin, TranslationMemory, loose_key
from amts.sync.models import MemoryUpdate, MtUnit, Piece, ReviewReason
from amts.sync.pairs import Bead, ChapterPairs, Found


class SegmentResolver:
    """Decides each new segment's text; collects the MT units and the memory updates this implies."""

    def __init__(
        self,
        *,
        new_doc: Document,
        linking: Linking | None,
        old_segments: dict[str, Segment],
        tgt_segments: dict[str, Segment],
        memory: TranslationMemory,
        file: str,
        known_files: frozenset[str],
    ) -> None:
        self.new_doc = new_doc
        self.memory = memory
        self.src_lang, self.tgt_lang = memory.source_lang, memory.target_lang
        self.file = file
        self.known_files = known_files  # the chapter's identities: its path, and its old path after a rename
        self.separator = sentence_separator(self.tgt_lang)
        self.units: list[MtUnit] = []
        self.updates: list[MemoryUpdate] = []
        self.human_edits = 0
        self.pairs = ChapterPairs(
            linking=linking,
            old_segments=old_segments,
            tgt_segments=tgt_segments,
            memory=memory,
            known_files=known_files,
            updates=self.updates,
        )

    # -- one segment -------------------------------------------------------------------------------------------
    def resolve(self, new: Segment, old: Segment | None, target: Segment | None) -> SegmentResult:
        if old is None or target is None:
            return self.fresh(new)
        origin, human_edit = self.existing_origin(old, target)
        if loose_key(old.text) == loose_key(new.text):
            return self._kept(new, target.text, origin)
        if human_edit:
            # Human work is never overwritten: keep it and ask a person to bring it up to date.
            text, _ = self._with_references(self.fit(target.text, new), new.text)
            return SegmentResult([Piece(text=text)], "flagged", Origin.MACHINE_EDITED, "human-edit-source-changed")
        earlier = self.memory.lookup(new.text)
        if earlier is not None:  # an earlier sync already brought this segment up to date
            return self._reused(
                new, Found(earlier.target, earlier.origin, earlier.machine_chars), span_chars(new, 0, len(new.text))
            )
        changes = changed_spans(old.text, new.text)
        if changes is not None:
            carried = carry_markup(target.text, changes)
            if carried is not None:
                result = self._kept(new, carried, origin)
                result.outcome = "markup_updated"
                return result
        return self.update(new, old, target, origin)

    def _kept(self, new: Segment, text: str, origin: Origin) -> SegmentResult:
        fitted, placed = self._with_references(self.fit(text, new), new.text)
        outcome: Outcome = "kept" if fitted == self.fit(text, new) else "markup_updated"
        if origin is not Origin.MACHINE:  # the translators' text now stands for the new source text too
            self.pairs.remember(new.text, Found(fitted, origin), "segment", new.id)
        return SegmentResult([Piece(text=fitted)], outcome, origin, "references-placed" if placed else None)

    def _with_references(self, text: str, source: str) -> tuple[str, bool]:
        """``text`` with the reference targets of ``source``; True when some had to be added or removed."""
        aligned = align_references(text, source)
        if aligned is None:
            return text, False
        return aligned[0], aligned[1]

    def existing_origin(self, old: Segment, target: Segment) -> tuple[Origin, bool]:
        """Who made ``target``, the existing translation of ``old``, and whether a person edited machine output
        (counted, and remembered in the memory as machine-edited)."""
        entry = self.memory.lookup(old.text)
        human_edit = self._edited_by_human(entry, target.text)
        if human_edit:
            self.human_edits += 1
            self.updates.append(
                MemoryUpdate(
                    source=old.text,
                    target=target.text,
                    origin=Origin.MACHINE_EDITED,
                    level="segment",
                    segment_id=old.id,
                )
            )
        if human_edit:
            return Origin.MACHINE_EDITED, True
        return (entry.origin if entry is not None else Origin.HUMAN), False

    def _edited_by_human(self, entry: MemoryEntry | None, target: str) -> bool:
        """Machine output published in *this* chapter that no longer reads as published: a person edited it."""
        return entry is not None and entry.provenance.file in self.known_files and entry.edited_by_human(target)

    def fresh(self, new: Segment) -> SegmentResult:
        """A segment with no existing translation: a translation of the whole text, else sentence by sentence."""
        found = self.pairs.lookup(new.text)
        if found is not None:
            return self._reused(new, found, span_chars(new, 0, len(new.text)))
        sentences = segment_sentences(new, self.src_lang)
        if len(sentences) <= 1:
            unit = self._unit(new, 0, len(new.text))
            return SegmentResult(
                [Piece(unit=unit.id)], "mt", Origin.MACHINE, "machine-translation", unit.chars, unit.chars
            )
        items = [self._sentence_item(new, sentence) for sentence in sentences]
        return self._join(new, new.text[: sentences[0].start], new.text[sentences[-1].end :], items, self.separator)

    def _reused(self, new: Segment, found: Found, chars: int) -> SegmentResult:
        text, placed = self._with_references(self.fit(found.text, new), new.text)
        review: ReviewReason | None = "references-placed" if placed else None
        if found.origin is Origin.MACHINE:
            machine = found.machine_chars if found.machine_chars is not None else chars
            return SegmentResult([Piece(text=text)], "memory", Origin.MACHINE, "machine-translation", 0, machine)
        return SegmentResult([Piece(text=text)], "memory", found.origin, review)

    def _sentence_item(self, new: Segment, sentence: Sentence) -> _Item:
        found = self.pairs.lookup(sentence.text)
        if found is None:
            return _Item("mt", sentence.start, sentence.end)
        text, placed = self._with_references(self.fit(found.text, new), sentence.text)
        machine = found.origin is Origin.MACHINE
        return _Item("memory", sentence.start, sentence.end, text=text, machine=machine, placed=placed)

    def update(self, new: Segment, old: Segment, target: Segment, origin: Origin) -> SegmentResult:
        """An edited segment with a translation: keep the target sentences whose source did not change."""
        number = self.pairs.link_of_segment.get(old.id)
        new_sentences = segment_sentences(new, self.src_lang)
        if number is None or not new_sentences:
            return self.fresh(new)
        beads = _attach_target_only(self.pairs.beads(number))
        link = self.pairs.links[number]
        if not beads or link.tgt != [target]:
            return self.fresh(new)
        old_sentences = link.src_sentences
        tgt_sentences = link.tgt_sentences
        old_to_new = _sentence_map([s.text for s in old_sentences], [s.text for s in new_sentences])
        # A bead is kept when all its old sentences survive, consecutively, in the new segment.
        covered: dict[int, tuple[tuple[int, ...], Bead]] = {}
        for src, tgt in beads:
            mapped = [old_to_new.get(i) for i in src]
            news = [m for m in mapped if m is not None]
            if not src or len(news) != len(src) or news != list(range(news[0], news[0] + len(news))):
                continue
            covered[news[0]] = (tuple(news), (src, tgt))
        text = target.text
        items: list[_Item] = []
        j = 0
        while j < len(new_sentences):
            if j in covered:
                covered_new, (bead_src, bead_tgt) = covered[j]
                first_new, last_new = new_sentences[covered_new[0]], new_sentences[covered_new[-1]]
                source = new.text[first_new.start : last_new.end]
                if not bead_tgt and not reference_keys(source):
                    j = covered_new[-1] + 1  # the translation left these sentences out: so do we
                    continue
                start = tgt_sentences[bead_tgt[0]].start if bead_tgt else 0
                end = tgt_sentences[bead_tgt[-1]].end if bead_tgt else 0
                old_source = " ".join(old_sentences[i].text for i in bead_src)
                carried = _carried(text[start:end], old_source, source) if bead_tgt else None
                if carried is not None:
                    fitted, placed = self._with_references(carried, source)
                    items.append(
                        _Item(
                            "target",
                            first_new.start,
                            last_new.end,
                            text=fitted,
                            tgt_start=start,
                            tgt_end=end,
                            placed=placed,
                            markup=fitted != text[start:end],
                        )
                    )
                    j = covered_new[-1] + 1
                    continue
            items.append(self._sentence_item(new, new_sentences[j]))
            j += 1
        separator = _dominant_separator(text, tgt_sentences, self.separator)
        head, tail = text[: tgt_sentences[0].start], text[tgt_sentences[-1].end :]
        return self._join(new, head, tail, items, separator, target_text=text, origin=origin)

    def _join(
        self,
        new: Segment,
        head: str,
        tail: str,
        items: Sequence[_Item],
        separator: str,
        *,
        target_text: str | None = None,
        origin: Origin = Origin.HUMAN,
    ) -> SegmentResult:
        """Pieces of a segment from its items; runs of consecutive MT sentences become one MT unit."""
        pieces: list[Piece] = [Piece(text=head)]
        sent = review_chars = 0
        reused = machine_reuse = placed = markup = False
        previous: _Item | None = None
        for kind, group in itertools.groupby(items, key=lambda item: item.kind == "mt"):
            run = list(group)
            if kind and len(run) > 1:
                found = self.pairs.lookup(new.text[run[0].start : run[-1].end])
                if found is not None:  # an earlier sync translated this run of sentences
                    text, placed_here = self._with_references(
                        self.fit(found.text, new), new.text[run[0].start : run[-1].end]
                    )
                    run = [
                        _Item(
                            "memory",
                            run[0].start,
                            run[-1].end,
                            text=text,
                            machine=found.origin is Origin.MACHINE,
                            placed=placed_here,
                        )
                    ]
                    kind = False
            if kind:
                if previous is not None:
                    pieces.append(Piece(text=separator))
                unit = self._unit(new, run[0].start, run[-1].end)
                pieces.append(Piece(unit=unit.id))
                sent += unit.chars
                review_chars += unit.chars
                previous = run[-1]
                continue
            for item in run:
                if previous is not None:
                    gap = separator
                    if item.kind == "target" and previous.kind == "target" and target_text is not None:
                        gap = target_text[previous.tgt_end : item.tgt_start]  # the original gap, byte for byte
                    pieces.append(Piece(text=gap))
                pieces.append(Piece(text=item.text))
                placed |= item.placed
                markup |= item.markup
                if item.kind == "memory":
                    reused = True
                    if item.machine:
                        machine_reuse = True
                        review_chars += span_chars(new, item.start, item.end)
                previous = item
        pieces.append(Piece(text=tail))
        if sent:
            outcome: Outcome = "partial_mt" if len(items) > 1 and any(i.kind != "mt" for i in items) else "mt"
            return SegmentResult(pieces, outcome, Origin.MACHINE, "machine-translation", sent, review_chars)
        if machine_reuse:
            return SegmentResult(pieces, "memory", Origin.MACHINE, "machine-translation", 0, review_chars)
        outcome = "memory" if reused else "markup_updated" if markup or placed else "kept"
        return SegmentResult(pieces, outcome, origin, "references-placed" if placed else None)

    # -- output helpers ----------------------------------------------------------------------------------------
    def _unit(self, segment: Segment, start: int, end: int) -> MtUnit:
        unit = MtUnit(
            id=f"u{len(self.units) + 1:04d}",
            file=self.file,
            segment_id=segment.id,
            start=start,
            end=end,
            text=segment.text[start:end],
            chars=span_chars(segment, start, end),
            whole_segment=start == 0 and end == len(segment.text),
            single_line=segment.kind in SINGLE_LINE_KINDS,
            indent=self._indent(segment),
            newline=self.new_doc.newline,
        )
        self.units.append(unit)
        self.pairs.classify(segment, start, end)
        return unit

    def _indent(self, segment: Segment) -> str:
        line_start = self.new_doc.text.rfind("\n", 0, segment.start) + 1
        return " " * (segment.start - line_start) if segment.kind == "list-item" else ""

    def fit(self, text: str, segment: Segment) -> str:
        """A translation fitted to the new segment's place (one line, list indentation, line endings)."""
        if text == segment.text:
            return text
        return fit_text(
            text,
            single_line=segment.kind in SINGLE_LINE_KINDS,
            indent=self._indent(segment),
            newline=self.new_doc.newline,
        )


@dataclass
class _Item:
    """A piece of an edited segment: kept target text, reused text, or a sentence for MT."""

    kind: Literal["target", "memory", "mt"]
    start: int  # offsets of the source text it stands for, in the new segment
    end: int
    text: str = ""
    tgt_start: int = 0
    tgt_end: int = 0
    machine: bool = False
    placed: bool = False
    markup: bool = False


def _carried(target: str, old_source: str, new_source: str) -> str | None:
    """The target text with the markup changes between ``old_source`` and ``new_source`` carried into it."""
    if old_source == new_source or loose_key(old_source) == loose_key(new_source):
        return target
    changes = changed_spans(old_source, new_source)
    return carry_markup(target, changes) if changes is not None else None


def _sentence_map(old: Sequence[str], new: Sequence[str]) -> dict[int, int]:
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


def _attach_target_only(beads: list[Bead]) -> list[Bead]:
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


def _dominant_separator(text: str, sentences: Sequence[Sentence], default: str) -> str:
    """How the translation separates its sentences: a line break (semantic line breaks) or the language's default."""
    gaps = [text[a.end : b.start] for a, b in itertools.pairwise(sentences)]
    if gaps and sum("\n" in gap for gap in gaps) * 2 > len(gaps):
        return "\n"
    return default
