"""The target text of one segment of the new source: the translators' text where it still applies, else MT.

In order of preference, each source sentence takes:

1. its existing translation, when its English did not change (slide marks and whitespace aside); changed markup
   (inline code, math, a reference target) is carried into the translation;
2. a translation of the same English elsewhere: this chapter's old source and translation (any sentence, so a
   moved sentence is reused), then the translation memory;
3. a fuzzy match (``amts.sync.fuzzy``): the human translation of the closest old English at or above the pair's
   threshold, in the same paragraph first, then anywhere in the chapter, then in the memory. It is kept and marked
   for review with the English change as a word diff (and, when the pair asks for it, an MT suggestion);
4. machine translation, one unit per run of consecutive sentences that nothing above covers.

Text a person edited after MT is never overwritten: if its source changed it is kept and flagged. Every piece of
reused text is given the reference targets (``:numref:``, ``:cite:`` ...) of the source text it stands for, since
references are part of the chapter's skeleton.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from amts.book import Document, Segment, Sentence, segment_sentences
from amts.language_profiles import sentence_separator
from amts.sync.accounting import Note, Outcome, SegmentResult, span_chars
from amts.sync.apply import SINGLE_LINE_KINDS, fit_text
from amts.sync.edited import attach_target_only, dominant_separator, joint_runs, sentence_map
from amts.sync.fuzzy import best_of, word_diff
from amts.sync.markup import (
    align_references,
    carry_markup,
    carry_markup_changes,
    carry_replaced_spans,
    changed_spans,
)
from amts.sync.memory import UNCONFIRMED, MemoryEntry, Origin, loose_key, normalise
from amts.sync.models import MemoryUpdate, MtUnit, Piece
from amts.sync.pairs import Bead, ChapterPairs, Found, Fuzzy

ItemKind = Literal["target", "memory", "fuzzy", "mt"]
_ROLE_START = re.compile(r"\s*:[A-Za-z][\w-]*:`")


@dataclass
class _Item:
    """The text standing for one or more consecutive source sentences of a segment."""

    kind: ItemKind
    start: int  # offsets of the source text it stands for, in the new segment
    end: int
    sentences: int = 1
    text: str = ""
    tgt_start: int = 0  # "target": where the kept text is in the existing translation
    tgt_end: int = 0
    origin: Origin = Origin.HUMAN
    placed: bool = False  # a reference had to be added or removed
    markup: bool = False  # markup was carried into the kept text
    detail: str = ""  # "fuzzy": the English change


class SegmentResolver:
    """Decides each new segment's text; collects the MT units and the memory updates this implies."""

    def __init__(
        self,
        *,
        new_doc: Document,
        pairs: ChapterPairs,
        file: str,
        fuzzy_threshold: float | None,
        suggestions: bool,
        newline: str,
    ) -> None:
        self.new_doc = new_doc
        self.newline = newline  # the output's line ending
        self.pairs = pairs  # the chapter's reusable pairs and the memory; memory updates go to its list
        self.src_lang, self.tgt_lang = pairs.src_lang, pairs.tgt_lang
        self.file = file
        self.fuzzy_threshold = fuzzy_threshold  # None: fuzzy matching off
        self.suggestions = suggestions
        self.separator = sentence_separator(self.tgt_lang)
        self.units: list[MtUnit] = []
        self.updates: list[MemoryUpdate] = pairs.updates
        self.human_edits = 0
        self.suggestion_chars = 0

    # -- one segment -------------------------------------------------------------------------------------------
    def resolve(self, new: Segment, old: Segment | None, target: Segment | None) -> SegmentResult:
        if old is None or target is None:
            return self.fresh(new)
        origin, human_edit, entry = self.existing_origin(old, target)
        if normalise(old.text) == normalise(new.text):  # unchanged, or changed in whitespace only: kept silently
            return self._kept(new, target.text, origin, entry)
        if loose_key(old.text) == loose_key(new.text) and (human_edit or origin in UNCONFIRMED):
            return self._kept(new, target.text, origin, entry)
        if human_edit:
            # Human work is never overwritten: keep it and ask a person to bring it up to date.
            text, _ = self._with_references(self.fit(target.text, new), new.text)
            result = SegmentResult([Piece(text=text)], "flagged", origin, [Note("human-edit-source-changed")])
            result.count("flagged", self._sentences(new), span_chars(new, 0, len(new.text)))
            return result
        changes = changed_spans(old.text, new.text)
        if changes:  # inline code, math, a link target or a reference changed: carried into the whole text
            carried = carry_markup(target.text, changes)
            if carried is not None:
                result = self._kept(new, carried, origin, entry)
                if "verbatim" in result.classes:  # the words are the translators', the markup the new English's
                    result.outcome = "markup_updated"
                    result.classes = {"markup_updated": result.classes.pop("verbatim")}
                return result
        return self.update(new, old, target, origin)

    def _kept(self, new: Segment, text: str, origin: Origin, entry: MemoryEntry | None) -> SegmentResult:
        """The existing translation of an unchanged segment (its references made the new English's)."""
        fitted, placed = self._with_references(self.fit(text, new), new.text)
        outcome: Outcome = "kept" if fitted == self.fit(text, new) else "markup_updated"
        result = SegmentResult([Piece(text=fitted)], outcome, origin)
        if origin in UNCONFIRMED and entry is not None:  # nobody has confirmed it yet: still to review
            found = Found(entry.target, entry.origin, entry.machine_chars, entry.note, entry.classes)
            self._still_to_review(new, found, result)
        else:  # the translators' text now stands for the new source text too
            self.pairs.remember(new.text, Found(fitted, origin), "segment", new.id)
            chars = span_chars(new, 0, len(new.text))
            result.count("verbatim" if outcome == "kept" else "markup_updated", self._sentences(new), chars)
        if placed:
            result.notes.append(Note("references-placed"))
        return result

    def _still_to_review(self, new: Segment, found: Found, result: SegmentResult) -> None:
        """Notes and counts of unconfirmed text kept as it is: what an earlier sync left for review, from the memory
        (machine output and fuzzy-kept sentences; the rest of the segment is the translators')."""
        chars, sentences = span_chars(new, 0, len(new.text)), self._sentences(new)
        classes = found.classes or {"mt" if found.origin is Origin.MACHINE else "fuzzy_kept": [sentences, chars]}
        for kind, (count, kind_chars) in classes.items():
            result.count(kind, count, kind_chars)
        if "mt" in classes:
            result.notes.append(Note("machine-translation", found.machine_chars or classes["mt"][1]))
        if "fuzzy_kept" in classes:
            result.notes.append(Note("fuzzy-kept", classes["fuzzy_kept"][1], found.note or ""))

    def _with_references(self, text: str, source: str) -> tuple[str, bool]:
        """``text`` with the reference targets of ``source``; True when some had to be added or removed."""
        aligned = align_references(text, source)
        if aligned is None:
            return text, False
        return aligned[0], aligned[1]

    def existing_origin(self, old: Segment, target: Segment) -> tuple[Origin, bool, MemoryEntry | None]:
        """Who made ``target``, the existing translation of ``old``, whether a person edited unconfirmed text (MT
        or fuzzy-kept; counted, and remembered as their work), and the memory's entry."""
        entry = self.pairs.memory.lookup(old.text)
        human_edit = self._edited_by_human(entry, target.text)
        if not human_edit:
            return (entry.origin if entry is not None else Origin.HUMAN), False, entry
        self.human_edits += 1
        # An edited fuzzy-kept text is a person's translation; edited MT is machine-edited.
        origin = Origin.HUMAN if entry is not None and entry.origin is Origin.FUZZY else Origin.MACHINE_EDITED
        self.updates.append(
            MemoryUpdate(source=old.text, target=target.text, origin=origin, level="segment", segment_id=old.id)
        )
        return origin, True, entry

    def _edited_by_human(self, entry: MemoryEntry | None, target: str) -> bool:
        """Unconfirmed text published in *this* chapter that no longer reads as published: a person edited it."""
        return entry is not None and entry.provenance.file in self.pairs.known_files and entry.edited_by_human(target)

    def fresh(self, new: Segment) -> SegmentResult:
        """A segment with no existing translation: a translation of the whole text, else sentence by sentence."""
        found = self.pairs.lookup(new.text)
        if found is not None:
            return self._reused(new, found)
        sentences = segment_sentences(new, self.src_lang) or [Sentence(0, len(new.text), new.text)]
        items = [self._sentence_item(new, sentence) for sentence in sentences]
        return self._join(new, new.text[: sentences[0].start], new.text[sentences[-1].end :], items, self.separator)

    def _reused(self, new: Segment, found: Found) -> SegmentResult:
        """A whole segment whose exact English has a translation (this chapter's old pairs or the memory)."""
        text, placed = self._with_references(self.fit(found.text, new), new.text)
        result = SegmentResult([Piece(text=text)], "memory", found.origin)
        if found.origin in UNCONFIRMED:
            self._still_to_review(new, found, result)
        else:
            result.count("verbatim", self._sentences(new), span_chars(new, 0, len(new.text)))
        if placed:
            result.notes.append(Note("references-placed"))
        return result

    def _sentence_item(
        self, new: Segment, sentence: Sentence, region: list[tuple[str, tuple[str, str]]] | None = None
    ) -> _Item:
        """One source sentence: an exact translation, a fuzzy match (in ``region`` first), else MT."""
        found = self.pairs.lookup(sentence.text)
        if found is not None:
            text, placed = self._with_references(self.fit(found.text, new), sentence.text)
            item = _Item("memory", sentence.start, sentence.end, text=text, origin=found.origin, placed=placed)
            item.detail = found.note or ""
            return item
        match = self._fuzzy(sentence.text, region)
        if match is not None:
            text = self.fit(carry_replaced_spans(match.text, match.old, sentence.text), new)
            text, placed = self._with_references(text, sentence.text)
            item = _Item("fuzzy", sentence.start, sentence.end, text=text, origin=match.origin, placed=placed)
            item.detail = word_diff(match.old, sentence.text)
            return item
        return _Item("mt", sentence.start, sentence.end)

    def _fuzzy(self, sentence: str, region: list[tuple[str, tuple[str, str]]] | None) -> Fuzzy | None:
        if self.fuzzy_threshold is None:
            return None
        if region:
            best = best_of(sentence, region, self.fuzzy_threshold)
            if best is not None:
                number, match = best
                old, text = region.pop(number)[1]
                return Fuzzy(text, Origin.HUMAN, old, match.score)
        return self.pairs.fuzzy(sentence, self.fuzzy_threshold)

    def update(self, new: Segment, old: Segment, target: Segment, origin: Origin) -> SegmentResult:
        """An edited segment with a translation: keep the target sentences whose source did not change; for the
        others, a fuzzy match among this paragraph's unmatched old sentences comes before one elsewhere."""
        number = self.pairs.link_of_segment.get(old.id)
        new_sentences = segment_sentences(new, self.src_lang)
        if number is None or not new_sentences:
            return self.fresh(new)
        beads = attach_target_only(self.pairs.beads(number))
        link = self.pairs.links[number]
        if not beads or link.tgt != [target]:
            return self.fresh(new)
        old_sentences = link.src_sentences
        tgt_sentences = link.tgt_sentences
        old_to_new = sentence_map([s.text for s in old_sentences], [s.text for s in new_sentences])
        # A bead is kept when all its old sentences survive, consecutively, in the new segment.
        covered: dict[int, tuple[tuple[int, ...], Bead]] = {}
        for src, tgt in beads:
            mapped = [old_to_new.get(i) for i in src]
            news = [m for m in mapped if m is not None]
            if not src or len(news) != len(src) or news != list(range(news[0], news[0] + len(news))):
                continue
            covered[news[0]] = (tuple(news), (src, tgt))
        text = target.text
        used = {bead for _, bead in covered.values()}
        # The paragraph's old sentences no new sentence kept: fuzzy candidates for the changed ones.
        region = [
            (" ".join(old_sentences[i].text for i in src), (" ".join(old_sentences[i].text for i in src),
             text[tgt_sentences[tgt[0]].start : tgt_sentences[tgt[-1]].end]))
            for src, tgt in beads
            if src and tgt and (src, tgt) not in used and origin not in (Origin.MACHINE, Origin.FUZZY)
        ]  # fmt: skip
        runs = self._joint_fuzzy_runs(new, new_sentences, covered, region)
        items: list[_Item] = []
        j = 0
        while j < len(new_sentences):
            if j in runs:
                item = runs[j]
                items.append(item)
                j += item.sentences
                continue
            if j in covered:
                covered_new, (bead_src, bead_tgt) = covered[j]
                first_new, last_new = new_sentences[covered_new[0]], new_sentences[covered_new[-1]]
                source = new.text[first_new.start : last_new.end]
                # A sentence with no translation of its own was usually merged into a neighbour's by the
                # translator; with that neighbour changed it would be lost, so it is looked up or translated.
                start = tgt_sentences[bead_tgt[0]].start if bead_tgt else 0
                end = tgt_sentences[bead_tgt[-1]].end if bead_tgt else 0
                old_source = " ".join(old_sentences[i].text for i in bead_src)
                carried = carry_markup_changes(text[start:end], old_source, source) if bead_tgt else None
                if carried is not None:
                    fitted, placed = self._with_references(carried, source)
                    item = _Item("target", first_new.start, last_new.end, len(covered_new), fitted, start, end, origin)
                    item.placed, item.markup = placed, fitted != text[start:end]
                    items.append(item)
                    j = covered_new[-1] + 1
                    continue
            items.append(self._sentence_item(new, new_sentences[j], region))
            j += 1
        separator = dominant_separator(text, tgt_sentences, self.separator)
        head, tail = text[: tgt_sentences[0].start], text[tgt_sentences[-1].end :]
        return self._join(new, head, tail, items, separator, target_text=text, origin=origin)

    def _joint_fuzzy_runs(
        self,
        new: Segment,
        new_sentences: Sequence[Sentence],
        covered: dict[int, tuple[tuple[int, ...], Bead]],
        region: list[tuple[str, tuple[str, str]]],
    ) -> dict[int, _Item]:
        """Sentences the translator rendered together (one Chinese sentence for two English ones), one of which
        changed a little: the joint translation is kept for the run of new sentences that is fuzzy-close to them."""
        if self.fuzzy_threshold is None:
            return {}
        taken = {j for news, _ in covered.values() for j in news}
        runs: dict[int, _Item] = {}
        for start, size, old, text in joint_runs(new.text, new_sentences, taken, region, self.fuzzy_threshold,
                                                 self.src_lang):  # fmt: skip
            first, last = new_sentences[start], new_sentences[start + size - 1]
            source = new.text[first.start : last.end]
            fitted, placed = self._with_references(self.fit(carry_replaced_spans(text, old, source), new), source)
            runs[start] = _Item("fuzzy", first.start, last.end, size, fitted, placed=placed)
            runs[start].detail = word_diff(old, source)
        return runs

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
        result = SegmentResult(pieces, "kept", origin)
        kinds: set[ItemKind] = set()
        placed = markup = False
        previous: _Item | None = None
        for is_mt, group in itertools.groupby(items, key=lambda item: item.kind == "mt"):
            run = list(group)
            if is_mt and len(run) > 1:
                run = self._known_run(new, run)
            for item in run:
                if previous is not None:
                    gap = separator
                    if item.kind == "target" and previous.kind == "target" and target_text is not None:
                        gap = target_text[previous.tgt_end : item.tgt_start]  # the original gap, byte for byte
                    starts_with_role = _ROLE_START.match(item.text if item.kind != "mt" else new.text[item.start :])
                    if starts_with_role and not gap[-1:].isspace():
                        gap += " "  # a reference glued to the text before it is not recognised (reST)
                    pieces.append(Piece(text=gap))
                previous = item
                chars = span_chars(new, item.start, item.end)
                kinds.add(item.kind)
                placed |= item.placed
                markup |= item.markup
                if item.kind == "mt":
                    unit = self._unit(new, item.start, item.end)
                    pieces.append(Piece(unit=unit.id))
                    result.mt_chars += unit.chars
                    result.notes.append(Note("machine-translation", unit.chars))
                    result.count("mt", item.sentences, chars)
                    continue
                pieces.append(Piece(text=item.text))
                if item.kind == "fuzzy":
                    suggestion = self._suggestion(new, item) if self.suggestions else None
                    result.notes.append(Note("fuzzy-kept", chars, item.detail, suggestion))
                    result.count("fuzzy_kept", item.sentences, chars)
                elif item.origin is Origin.MACHINE:  # machine text reused from an earlier run
                    result.notes.append(Note("machine-translation", chars))
                    result.count("mt", item.sentences, chars)
                elif item.origin is Origin.FUZZY:
                    result.notes.append(Note("fuzzy-kept", chars, item.detail))
                    result.count("fuzzy_kept", item.sentences, chars)
                else:
                    result.count("markup_updated" if item.markup else "verbatim", item.sentences, chars)
        pieces.append(Piece(text=tail))
        if placed:
            result.notes.append(Note("references-placed"))
        result.outcome, result.origin = _outcome(kinds, items, origin, markup or placed)
        return result

    def _known_run(self, new: Segment, run: list[_Item]) -> list[_Item]:
        """A run of sentences for MT that an earlier sync translated as one unit: its translation, else the run."""
        text = new.text[run[0].start : run[-1].end]
        found = self.pairs.lookup(text)
        if found is None:
            return [_Item("mt", run[0].start, run[-1].end, len(run))]
        fitted, placed = self._with_references(self.fit(found.text, new), text)
        item = _Item("memory", run[0].start, run[-1].end, len(run), fitted, origin=found.origin, placed=placed)
        item.detail = found.note or ""
        return [item]

    def _suggestion(self, new: Segment, item: _Item) -> str:
        """An MT unit for a fuzzy-kept sentence: its output goes into the review marker, not the text."""
        unit = self._unit(new, item.start, item.end, suggestion=True)
        self.suggestion_chars += unit.chars
        return unit.id

    # -- output helpers ----------------------------------------------------------------------------------------
    def _unit(self, segment: Segment, start: int, end: int, *, suggestion: bool = False) -> MtUnit:
        unit = MtUnit(
            id=f"u{len(self.units) + 1:04d}",
            file=self.file,
            segment_id=segment.id,
            start=start,
            end=end,
            text=segment.text[start:end],
            chars=span_chars(segment, start, end),
            whole_segment=start == 0 and end == len(segment.text) and not suggestion,
            single_line=suggestion or segment.kind in SINGLE_LINE_KINDS,
            indent="" if suggestion else self._indent(segment),
            newline=self.newline,
            suggestion=suggestion,
        )
        self.units.append(unit)
        if not suggestion:
            self.pairs.classify(segment, start, end)
        return unit

    def _sentences(self, segment: Segment) -> int:
        return len(segment_sentences(segment, self.src_lang)) or 1

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
            newline=self.newline,
        )


def _outcome(kinds: set[ItemKind], items: Sequence[_Item], origin: Origin, marked: bool) -> tuple[Outcome, Origin]:
    """A segment's outcome and origin from the kinds of its items."""
    if "mt" in kinds:
        return ("partial_mt" if kinds - {"mt"} else "mt"), Origin.MACHINE
    if any(item.origin is Origin.MACHINE for item in items if item.kind == "memory"):
        return "memory", Origin.MACHINE
    if "fuzzy" in kinds or any(item.origin is Origin.FUZZY for item in items):
        return "fuzzy", Origin.FUZZY
    if "memory" in kinds:
        return "memory", origin
    return ("markup_updated" if marked else "kept"), origin
