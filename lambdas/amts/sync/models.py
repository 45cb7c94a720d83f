"""Typed results of synchronization: the change set, the two-phase plan, the report and the review list.

Everything here is a pydantic model, so a plan can be stored as JSON between the pipeline's Stage and
Assemble steps, and a report can be written next to the output.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, Field

from amts.sync.memory import Level, Origin

BlockOp = Literal["unchanged", "moved", "edited", "inserted", "deleted"]
BLOCK_OPS: tuple[BlockOp, ...] = get_args(BlockOp)
SegmentOp = Literal["unchanged", "edited", "inserted", "deleted"]
SentenceOp = Literal["unchanged", "changed", "inserted", "deleted"]
ReviewReason = Literal[
    "machine-translation",  # new or changed source text, machine-translated
    "fuzzy-kept",  # a human translation of a slightly different source, kept: bring the change into it
    "human-edit-source-changed",  # a person's edit kept although its source changed
    "code-changed",  # the source's code changed: the new code replaced the translated cell
    "code-new",  # a new code cell with comments or printed prose to translate
    "code-comments-changed",  # only the source's comments or printed strings changed: the translated cell kept
    "references-placed",  # a reference the translation lacked was added (or an extra one removed): check its place
    "translator-only-stale",  # translation-only content (a paddle tab, a note) beside source that changed
    "skeleton-mismatch",  # the chapter's structure still differs from its source (see the report)
    "untranslated",  # an MT unit came back as its English (the job lost or broke it): translate it by hand
]


# -- change detection ------------------------------------------------------------------------------------------
class SentenceChange(BaseModel):
    op: SentenceOp
    old: int | None = None  # sentence index in the old segment
    new: int | None = None  # sentence index in the new segment


class SegmentChange(BaseModel):
    op: SegmentOp
    old_id: str | None = None
    new_id: str | None = None
    sentences: list[SentenceChange] = Field(default_factory=list)  # only for edited segments


class BlockChange(BaseModel):
    """One top-level block of the old or new source and what happened to it."""

    op: BlockOp
    kind: str
    old: int | None = None  # index in the old source's block list (blank blocks excluded)
    new: int | None = None  # index in the new source's block list
    old_line: int | None = None
    new_line: int | None = None
    segments: list[SegmentChange] = Field(default_factory=list)  # only for edited blocks


class ChangeSet(BaseModel):
    old_path: str
    new_path: str
    blocks: list[BlockChange]

    def count(self, op: BlockOp) -> int:
        return sum(1 for block in self.blocks if block.op == op)

    def summary(self) -> dict[str, int]:
        return {op: self.count(op) for op in BLOCK_OPS}


# -- the plan ----------------------------------------------------------------------------------------------
class MtUnit(BaseModel):
    """Text to send to machine translation: a whole segment of the new source or a sentence inside one.

    ``start``/``end`` are offsets into that segment's text, so the Stage step can address it in the book
    model (see ``amts.sync.stage``).
    """

    id: str
    file: str
    segment_id: str
    start: int
    end: int
    text: str
    chars: int  # length after protection: each protected span counts as one placeholder character
    whole_segment: bool
    single_line: bool = False  # the segment must stay on one line (heading, caption, table cell)
    indent: str = ""  # continuation-line indentation (list items)
    newline: str = "\n"
    suggestion: bool = False  # translated for a fuzzy-kept sentence's review marker, not for the text


class Piece(BaseModel):
    """A piece of the output: literal text, or the translation of an MT unit once it is known."""

    text: str = ""
    unit: str | None = None
    segment: str | None = None  # the new-source segment whose target text this piece is part of


class MemoryUpdate(BaseModel):
    """A memory change decided while planning (pairs from the existing translation, detected human edits)."""

    source: str
    target: str
    origin: Origin
    level: Level
    segment_id: str | None
    seed: bool = False  # a pair from the existing translation: added only when the memory lacks the source


class PendingSegment(BaseModel):
    """A new-source segment whose target holds unconfirmed text (MT output or a fuzzy-kept translation):
    remembered as such after assembly, so the next sync knows a reviewer has not confirmed it yet."""

    segment_id: str
    source: str
    machine_chars: int  # characters of the segment that are machine output (the review effort)
    origin: Origin = Origin.MACHINE
    note: str | None = None  # the English change of a fuzzy-kept segment
    classes: dict[str, list[int]] = Field(default_factory=dict)  # sentence class -> [sentences, characters]


class ReviewItem(BaseModel):
    """Something a person should look at, with the effort estimated in characters."""

    file: str
    segment_ids: list[str]
    line: int  # line of the marker in the output markdown
    reasons: list[ReviewReason]
    chars: int
    excerpt: str
    changes: str = ""  # for fuzzy-kept text: the English change, as a word diff
    suggestion: str = ""  # an MT suggestion for the fuzzy-kept text, when the pair asks for them
    counts: dict[str, list[int]] = Field(default_factory=dict)  # fuzzy / mt / flagged -> [sentences, characters]


class SentenceCount(BaseModel):
    sentences: int = 0
    chars: int = 0


# Share of translating a sentence from scratch that each class of output still costs a translator, by source
# character (see docs/decisions.md: CAT-tool fuzzy-match grids and post-editing studies).
EFFORT_WEIGHTS: dict[str, float] = {
    "verbatim": 0.0,  # the translators' own text for unchanged English: nothing to do
    "markup_updated": 0.0,  # their text with code, math or a reference target carried in: nothing to do
    "fuzzy_kept": 0.3,  # their text for English that changed by a word or two: compare with the diff, adjust
    "flagged": 0.3,  # a person's edit kept although its English changed: the same kind of check
    "mt": 0.6,  # machine translation: post-edit
}


class Effort(BaseModel):
    """What a translator must still do, in source characters per task, and the weighted total."""

    review_fuzzy_chars: int = 0  # fuzzy-kept and flagged text: bring the English change in
    post_edit_chars: int = 0  # machine-translated text: post-edit
    untouched_chars: int = 0  # the translators' text, kept as it was (or with its markup updated)
    weighted_chars: float = 0.0  # sum of characters x EFFORT_WEIGHTS
    share: float = 0.0  # weighted_chars / all characters: the part of a translation from scratch left to do

    @classmethod
    def of(cls, classes: dict[str, SentenceCount]) -> Effort:
        chars = {kind: figures.chars for kind, figures in classes.items()}
        total = sum(chars.values())
        weighted = sum(EFFORT_WEIGHTS.get(kind, 1.0) * count for kind, count in chars.items())
        return cls(
            review_fuzzy_chars=chars.get("fuzzy_kept", 0) + chars.get("flagged", 0),
            post_edit_chars=chars.get("mt", 0),
            untouched_chars=chars.get("verbatim", 0) + chars.get("markup_updated", 0),
            weighted_chars=round(weighted, 1),
            share=round(weighted / total, 4) if total else 0.0,
        )


class SegmentOutcomes(BaseModel):
    """How each new-source segment got its target text."""

    kept: int = 0  # the existing translation (its source unchanged, or changed in slide marks or whitespace only)
    markup_updated: int = 0  # the existing translation with the source's changed markup carried into it
    memory: int = 0  # the same text's translation elsewhere in the chapter or in the translation memory
    fuzzy: int = 0  # holds a human translation kept for a slightly changed source (no MT)
    partial_mt: int = 0  # existing text with some sentences machine-translated
    mt: int = 0  # wholly machine-translated
    flagged: int = 0  # a human edit kept although its source changed


class DroppedBlock(BaseModel):
    """A block of the existing translation left out because its structure is not in the new source."""

    line: int  # line in the old target
    kind: str
    excerpt: str


class SyncReport(BaseModel):
    file: str
    source_lang: str
    target_lang: str
    run: str
    engine: str | None = None
    source_chars_total: int = 0
    reused_chars: int = 0
    mt_chars: int = 0
    flagged_chars: int = 0
    flagged_segments: int = 0
    flagged_code_cells: int = 0
    mt_units: int = 0
    segments_total: int = 0
    origin_counts: dict[str, int] = Field(default_factory=dict)  # per-origin counts of the output segments
    outcomes: SegmentOutcomes = Field(default_factory=SegmentOutcomes)
    # Per source sentence: verbatim, markup_updated, fuzzy_kept, flagged, mt (sentences and source characters).
    sentence_classes: dict[str, SentenceCount] = Field(default_factory=dict)
    effort: Effort = Field(default_factory=Effort)  # the translator's remaining work, by task and weighted
    fuzzy_threshold: float | None = None  # None: fuzzy matching was off
    suggestion_chars: int = 0  # characters sent to MT for suggestions inside fuzzy-kept markers
    blocks: dict[str, int] = Field(default_factory=dict)  # change detection summary
    alignment_confidence: float | None = None
    source_changed: bool = False  # old and new source differ at all (the whole-file baseline re-translates it)
    human_edits_detected: int = 0
    # MT characters of sentences the old source already had, by why no translation could be reused: "own" (never
    # expected), "joint" (translated only together with neighbours that changed), "untranslated" (the translation
    # left them out), "unlinked" (their old segment could not be placed in the translation).
    old_source_mt: dict[str, int] = Field(default_factory=dict)
    previous_file: str | None = None  # the chapter's old path, when it was renamed or moved
    untranslated_units: int = 0  # MT units published as their English (marked "untranslated")
    untranslated_chars: int = 0  # their source characters
    translator_only_blocks: int = 0  # blocks only the translation has (paddle tabs, notes), kept in place
    dropped_blocks: list[DroppedBlock] = Field(default_factory=list)  # translation blocks with stale structure
    skeleton_differences: list[str] = Field(default_factory=list)  # amts check-skeleton on the output
    review: list[ReviewItem] = Field(default_factory=list)

    @property
    def workload_reduction(self) -> float:
        """1 - (machine + flagged) / total: the share of the source a translator need not touch."""
        if self.source_chars_total == 0:
            return 1.0
        return 1.0 - (self.mt_chars + self.flagged_chars) / self.source_chars_total


class SyncPlan(BaseModel):
    """Phase one: the output as pieces, the MT units still to translate, and the decisions made."""

    file: str
    source_lang: str
    target_lang: str
    run: str
    pieces: list[Piece]
    units: list[MtUnit]
    new_source: str  # the new source's markdown: the output's skeleton is checked against it
    pending: list[PendingSegment] = Field(default_factory=list)
    memory_updates: list[MemoryUpdate] = Field(default_factory=list)
    report: SyncReport

    @property
    def mt_chars(self) -> int:
        return sum(unit.chars for unit in self.units)


class BookReport(BaseModel):
    """The reports of a directory run, with totals."""

    files: list[SyncReport]
    source_chars_total: int
    reused_chars: int
    mt_chars: int
    flagged_chars: int
    flagged_segments: int
    workload_reduction: float
    baseline_chars: int  # characters re-translated when every changed file is translated whole
    baseline_workload_reduction: float
    sentence_classes: dict[str, SentenceCount] = Field(default_factory=dict)  # over every file
    effort: Effort = Field(default_factory=Effort)  # over every file
