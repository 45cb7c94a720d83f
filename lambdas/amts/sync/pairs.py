"""What a chapter's old source and translation offer for reuse: its linked segment pairs, their sentences (aligned
on demand), the memory, and why text the old source already had still needed MT.

Every linked pair becomes a lookup entry at once (by normalised source, then with slide marks ignored); the
sentence pairs of a linked group are computed only when a lookup needs them (a sentence moved out of an edited or
deleted paragraph), since sentence alignment is the costly part. Human pairs are also offered to the translation
memory (``MemoryUpdate``), unless it already knows the source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from amts.align.sentences import AlignerParams, align_sentences
from amts.book import Segment, Sentence, segment_sentences
from amts.language_profiles import sentence_separator
from amts.sync.accounting import span_chars
from amts.sync.fuzzy import FuzzyIndex, similarity
from amts.sync.linking import Linking
from amts.sync.memory import UNCONFIRMED, MemoryEntry, Origin, TranslationMemory, loose_key, normalise, text_hash
from amts.sync.models import MemoryUpdate

# Sentence alignment inside one aligned segment pair: a handful of sentences, so length, anchors and
# punctuation decide; sentence embeddings cost ~0.15 s per call and are left to the document aligner.
INTRA_SEGMENT_PARAMS = AlignerParams(use_embeddings=False)

Bead = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True)
class Found:
    """A translation found for a source text: where it came from, how much of it is machine output, and (for a
    fuzzy-kept text nobody confirmed yet) the source change it still needs."""

    text: str
    origin: Origin
    machine_chars: int | None = None
    note: str | None = None
    classes: dict[str, list[int]] | None = None  # of unconfirmed text: what in it is left to review


@dataclass
class _Link:
    """A segment link of the old source and its translation, with sentences computed on demand."""

    src: list[Segment]
    tgt: list[Segment]
    beads: list[Bead] | None = None
    src_sentences: list[Sentence] = field(default_factory=list)  # over the joined source text
    tgt_sentences: list[Sentence] = field(default_factory=list)  # over ``tgt_text``
    tgt_text: str = ""  # the target segments joined with the language's sentence separator


@dataclass(frozen=True)
class Fuzzy:
    """A human translation of an old English text close to a changed one: kept for a person to adjust."""

    text: str
    origin: Origin
    old: str  # the old English it translates (the marker shows its difference from the new English)
    score: float


# Memory entries whose translation a fuzzy match may keep: a person's work (machine output is not reused fuzzily).
_FUZZY_ORIGINS = frozenset({Origin.HUMAN, Origin.MACHINE_EDITED})


class _MemoryFuzzyIndex:
    """The memory's human entries, indexed for fuzzy search and brought up to date with the entries written since."""

    def __init__(self, memory: TranslationMemory) -> None:
        self.index: FuzzyIndex[str] = FuzzyIndex()
        self.seen: set[str] = set()
        _, self.position = memory.written_since(0)
        self._add(memory, list(memory.entries))

    def refresh(self, memory: TranslationMemory) -> None:
        written, self.position = memory.written_since(self.position)
        self._add(memory, written)

    def _add(self, memory: TranslationMemory, keys: list[str]) -> None:
        fresh = [(memory.entries[key].source, key) for key in dict.fromkeys(keys)
                 if key not in self.seen and memory.entries[key].origin in _FUZZY_ORIGINS]  # fmt: skip
        self.seen.update(key for _, key in fresh)
        self.index.add(fresh)


class ChapterPairs:
    """The chapter's reusable pairs and the memory behind them; memory updates go to ``updates``."""

    def __init__(
        self,
        *,
        linking: Linking | None,
        old_segments: dict[str, Segment],
        tgt_segments: dict[str, Segment],
        memory: TranslationMemory,
        known_files: frozenset[str],
        updates: list[MemoryUpdate],
    ) -> None:
        self.memory = memory
        self.src_lang, self.tgt_lang = memory.source_lang, memory.target_lang
        self.known_files = known_files  # the chapter's identities: its path, and its old path after a rename
        self.separator = sentence_separator(self.tgt_lang)
        self.updates = updates
        self.local: dict[str, Found] = {}  # this chapter's pairs by normalised source, then by loose key
        self.local_loose: dict[str, Found] = {}
        self.links: list[_Link] = []
        self.sentence_index: dict[str, tuple[int, int]] = {}  # loose key -> (link, source sentence)
        self.link_of_segment: dict[str, int] = {}
        # Why text that was already in the old source still went to MT, in characters (see ``classify``).
        self.old_source_mt: dict[str, int] = {"own": 0, "joint": 0, "untranslated": 0, "unlinked": 0}
        self.old_keys = {loose_key(x.text) for s in old_segments.values() for x in segment_sentences(s, self.src_lang)}
        self._chapter_fuzzy: FuzzyIndex[tuple[int, int]] | None = None
        if linking is not None:
            self._index(linking, old_segments, tgt_segments)

    def _index(self, linking: Linking, old_segments: dict[str, Segment], tgt_segments: dict[str, Segment]) -> None:
        for src_ids, tgt_ids in linking.segment_links:
            link = _Link([old_segments[s] for s in src_ids], [tgt_segments[t] for t in tgt_ids])
            number = len(self.links)
            self.links.append(link)
            for segment in link.src:
                self.link_of_segment[segment.id] = number
            source = " ".join(segment.text for segment in link.src)
            target = self.separator.join(segment.text for segment in link.tgt)
            found = Found(target, self._origin_of_pair(source, target))
            self.remember(source, found, "segment", link.src[0].id)
            link.tgt_text = target
            offset = 0
            for segment in link.src:
                for sentence in segment_sentences(segment, self.src_lang):
                    shifted = Sentence(sentence.start + offset, sentence.end + offset, sentence.text)
                    self.sentence_index.setdefault(loose_key(sentence.text), (number, len(link.src_sentences)))
                    link.src_sentences.append(shifted)
                offset += len(segment.text) + 1

    def _origin_of_pair(self, source: str, target: str) -> Origin:
        """Human, unless the memory says this very text was published unconfirmed (machine or fuzzy-kept)."""
        entry = self.memory.lookup(source)
        if entry is not None and entry.origin in UNCONFIRMED and entry.machine_hash == text_hash(target):
            return entry.origin
        return Origin.HUMAN

    def remember(self, source: str, found: Found, level: Literal["segment", "sentence"], segment_id: str) -> None:
        key = normalise(source)
        if not key or key in self.local:
            return
        self.local[key] = found
        self.local_loose.setdefault(loose_key(source), found)
        if found.origin is not Origin.HUMAN:
            return
        existing = self.memory.lookup(source)
        if existing is not None and not (
            # A human translation of text the memory only holds as machine output from another file wins.
            existing.origin is Origin.MACHINE
            and existing.provenance.file not in self.known_files
            and normalise(existing.target) != normalise(found.text)
        ):
            return
        self.updates.append(
            MemoryUpdate(
                source=source,
                target=found.text,
                origin=Origin.HUMAN,
                level=level,
                segment_id=segment_id,
                seed=existing is None,
            )
        )

    def beads(self, number: int) -> list[Bead]:
        """Sentence beads of a link (computed once, and their pairs made reusable)."""
        link = self.links[number]
        if link.beads is not None:
            return link.beads
        link.tgt_sentences = []
        offset = 0
        for segment in link.tgt:
            for sentence in segment_sentences(segment, self.tgt_lang):
                link.tgt_sentences.append(Sentence(sentence.start + offset, sentence.end + offset, sentence.text))
            offset += len(segment.text) + len(self.separator)
        if not link.src_sentences or not link.tgt_sentences:
            link.beads = []
        elif len(link.src_sentences) == 1 and len(link.tgt_sentences) == 1:
            link.beads = [((0,), (0,))]
        else:
            link.beads = [
                (bead.src, bead.tgt)
                for bead in align_sentences(
                    [s.text for s in link.src_sentences],
                    [s.text for s in link.tgt_sentences],
                    src_lang=self.src_lang,
                    tgt_lang=self.tgt_lang,
                    params=INTRA_SEGMENT_PARAMS,
                )
            ]
        if len(link.src_sentences) > 1:
            for src, tgt in link.beads:
                if src and tgt:
                    source = " ".join(link.src_sentences[i].text for i in src)
                    target = link.tgt_text[link.tgt_sentences[tgt[0]].start : link.tgt_sentences[tgt[-1]].end]
                    self.remember(
                        source, Found(target, self._origin_of_pair(source, target)), "sentence", link.src[0].id
                    )
        return link.beads

    # -- lookups ---------------------------------------------------------------------------------------------
    def lookup(self, source: str) -> Found | None:
        """A translation of ``source``: this chapter's own first (its pairs, then any old sentence of it, whose
        pairs are computed on demand), then the memory; exact before slide marks ignored on each side. The chapter's
        human translation is the most specific one: the memory keeps one translation per English text, from
        whichever chapter came first, and may hold only machine output for it."""
        key = loose_key(source)
        found = self.local.get(normalise(source)) or self.local_loose.get(key)
        if found is None:
            hit = self.sentence_index.get(key)
            if hit is not None:
                self.beads(hit[0])  # makes the link's sentence pairs local
                found = self.local.get(normalise(source)) or self.local_loose.get(key)
        if found is not None:
            return found
        entry = self.memory.lookup(source) or self.memory.lookup_loose(key)
        if entry is not None:
            return Found(entry.target, entry.origin, entry.machine_chars, entry.note, entry.classes)
        return None

    # -- fuzzy matches ------------------------------------------------------------------------------------------
    def fuzzy(self, sentence: str, threshold: float) -> Fuzzy | None:
        """The human translation of the closest old English text at or above ``threshold``: anywhere in this
        chapter's old source first (the sentence, or the group of sentences translated together with it), then in
        the translation memory."""
        if self._chapter_fuzzy is None:
            self._chapter_fuzzy = FuzzyIndex(
                (old.text, (number, position))
                for number, link in enumerate(self.links)
                for position, old in enumerate(link.src_sentences)
            )
        found = self._chapter_fuzzy.best(sentence, threshold)
        if found is not None:
            number, position = found[1].payload
            link = self.links[number]
            bead = next(((src, tgt) for src, tgt in self.beads(number) if position in src), None)
            if bead is not None and bead[1]:
                old = " ".join(link.src_sentences[i].text for i in bead[0])
                score = found[1].score if len(bead[0]) == 1 else similarity(old, sentence)
                text = link.tgt_text[link.tgt_sentences[bead[1][0]].start : link.tgt_sentences[bead[1][-1]].end]
                origin = self._origin_of_pair(old, text)
                if score >= threshold and origin in _FUZZY_ORIGINS:
                    return Fuzzy(text, origin, old, score)
        return self._memory_fuzzy(sentence, threshold)

    def _memory_fuzzy(self, sentence: str, threshold: float) -> Fuzzy | None:
        index = self.memory.derived("fuzzy")
        if isinstance(index, _MemoryFuzzyIndex):
            index.refresh(self.memory)
        else:
            index = _MemoryFuzzyIndex(self.memory)
            self.memory.keep_derived("fuzzy", index)
        found = index.index.best(sentence, threshold)
        if found is None:
            return None
        entry: MemoryEntry | None = self.memory.entries.get(found[1].payload)
        if entry is None or entry.origin not in _FUZZY_ORIGINS:
            return None
        return Fuzzy(entry.target, entry.origin, entry.source, found[1].score)

    def classify(self, segment: Segment, start: int, end: int) -> None:
        """Count MT'd sentences the old source already had, by why their translation could not be reused: its
        own translation (a bug if ever counted), one shared with changed neighbours, none (the translator left it
        out), or a segment the linking could not place."""
        for sentence in segment_sentences(segment, self.src_lang):
            if sentence.start < start or sentence.end > end:
                continue
            key = loose_key(sentence.text)
            if key not in self.old_keys:
                continue
            chars = span_chars(segment, sentence.start, sentence.end)
            hit = self.sentence_index.get(key)
            if hit is None:
                self.old_source_mt["unlinked"] += chars
                continue
            beads = self.beads(hit[0])
            bead = next(((src, tgt) for src, tgt in beads if hit[1] in src), ((), ()))
            kind = "untranslated" if not bead[1] else ("own" if len(bead[0]) == 1 else "joint")
            self.old_source_mt[kind] += chars
