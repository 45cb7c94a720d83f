"""Typed results of scoring, experiments and runs: what the JSON report holds and the renderers read.

Every section of :class:`RunReport` is optional, so the pipeline can fill only what a run produced.
Scores are kept on sacreBLEU's 0-100 scale with the 0-1 scale beside them, because the reference study
reports 0-1.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

MetricName = Literal["BLEU", "chrF", "chrF++"]
PairingStrategy = Literal["structure", "source-aligned", "aligner", "structure-diff"]
LeakageGuard = Literal["leave-one-chapter-out", "own-pairs-included", "no-parallel-data"]
Granularity = Literal["paragraph", "sentence"]

SCHEMA_VERSION = 2  # 2: run reports gained pairs, engine_usage, segments, review_page; experiments deltas


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _drop_computed_fields(cls, data: Any) -> Any:
        # A dumped report carries its computed fields; reading it back must accept them (they are recomputed).
        if isinstance(data, dict) and cls.__pydantic_computed_fields__:
            return {key: value for key, value in data.items() if key not in cls.__pydantic_computed_fields__}
        return data


class MetricScore(_Model):
    """One sacreBLEU metric over a set of segment pairs."""

    metric: MetricName
    score: float = Field(description="sacreBLEU's 0-100 scale")
    signature: str = Field(description="sacreBLEU signature, e.g. nrefs:1|case:mixed|eff:no|tok:zh|...")
    detail: str = Field(default="", description="sacreBLEU's verbose figures (n-gram precisions, BP, lengths)")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def score_unit(self) -> float:
        """The same score on the 0-1 scale the study uses."""
        return round(self.score / 100.0, 6)


class PairingInfo(_Model):
    """How hypothesis and reference segments were paired, and what was left out (with reasons)."""

    strategy: PairingStrategy
    hyp_segments: int
    ref_segments: int
    paired: int
    hyp_unpaired: list[str] = Field(default_factory=list, description="hypothesis segment ids with no partner")
    ref_unpaired: list[str] = Field(default_factory=list, description="reference segment ids with no partner")
    skipped: dict[str, int] = Field(default_factory=dict, description="segments left out, by reason")
    notes: list[str] = Field(default_factory=list)
    ref_translated: int = Field(default=0, description="reference segments with translated prose (the denominator)")
    ref_covered: int = Field(default=0, description="of those, the segments paired with a hypothesis segment")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def coverage(self) -> float:
        """Share of the reference's translated segments that have a hypothesis (1.0 when there are none)."""
        return round(self.ref_covered / self.ref_translated, 4) if self.ref_translated else 1.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def mismatch(self) -> bool:
        """True when the two sides did not pair one to one."""
        return self.hyp_segments != self.ref_segments or bool(self.hyp_unpaired or self.ref_unpaired)


class DocumentScore(_Model):
    """One hypothesis document against its reference."""

    hyp_path: str
    ref_path: str
    chapter: str
    segments: int = Field(description="segment pairs scored")
    metrics: list[MetricScore] = Field(description="corpus-level over this document's segment pairs")
    document_level: list[MetricScore] = Field(description="the whole document scored as one segment")
    pairing: PairingInfo
    relatedness: float | None = Field(
        default=None, description="median embedding similarity of sampled segment pairs (unrelated texts: < 0.25)"
    )


class AggregateScore(_Model):
    """Corpus-level scores over several documents (a chapter or a whole run)."""

    name: str
    documents: int
    segments: int
    metrics: list[MetricScore]
    coverage: float | None = Field(
        default=None, description="share of the reference segments (with translated prose) that have a hypothesis"
    )


class ScoreReport(_Model):
    """Scores for one target language: per document, per chapter and for the run."""

    schema_version: int = SCHEMA_VERSION
    tgt_lang: str
    tokenize: str
    documents: list[DocumentScore]
    chapters: list[AggregateScore]
    run: AggregateScore
    missing_hyp: list[str] = Field(default_factory=list, description="reference documents with no hypothesis")
    missing_ref: list[str] = Field(default_factory=list, description="hypothesis documents with no reference")
    left_out: list[str] = Field(
        default_factory=list, description="documents not scored (unrelated texts, too little coverage), with why"
    )
    notes: list[str] = Field(default_factory=list)


class ConditionResult(_Model):
    """One experimental condition (e.g. with ACT from sentence pairs) for one section and direction."""

    condition: str
    engine: str
    engine_usage: dict[str, int] = Field(
        default_factory=dict, description="which engine produced how many segments or sentences"
    )
    parallel_pairs: int = Field(description="pairs given to the engine as parallel data")
    excluded_pairs: int = Field(description="pairs left out by the leakage guard")
    leakage_guard: LeakageGuard
    characters: int = Field(description="source characters sent to the engine")
    segments: int
    metrics: list[MetricScore]
    pairing: PairingInfo | None = None


class ExperimentRow(_Model):
    """One evaluated section in one direction, under every condition."""

    section: str
    chapter: str
    src_path: str
    ref_path: str
    results: list[ConditionResult]


class DeltaInterval(_Model):
    """A score difference between two conditions with its paired bootstrap 95% interval (sacreBLEU's ``paired_bs``:
    the same resampled segments scored under both conditions)."""

    scope: str = Field(description="a section or chapter, or 'All sections'")
    metric: MetricName
    baseline: str = Field(description="the condition subtracted")
    system: str
    delta: float = Field(description="system - baseline, sacreBLEU's 0-100 scale")
    low: float = Field(description="2.5th percentile of the resampled differences")
    high: float = Field(description="97.5th percentile of the resampled differences")
    p_value: float = Field(description="sacreBLEU's paired bootstrap p-value")
    segments: int = Field(description="segment pairs both conditions scored (the resampling population)")
    resamples: int
    seed: int | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def significant(self) -> bool:
        """False when the interval holds 0: the difference may be chance."""
        return not (self.low <= 0.0 <= self.high)


class ExperimentReport(_Model):
    """The study's A/B experiments for one direction (e.g. en-zh)."""

    src_lang: str
    tgt_lang: str
    tokenize: str
    engine: str
    leakage_policy: str
    conditions: list[str]
    rows: list[ExperimentRow]
    totals: list[AggregateScore] = Field(description="corpus-level over every section, one per condition")
    deltas: list[DeltaInterval] = Field(default_factory=list, description="each compared pair of conditions, per row")
    notes: list[str] = Field(default_factory=list)

    @property
    def comparisons(self) -> list[tuple[str, str, str]]:
        """(caption, baseline, system) of each table: without vs with ACT, then paragraph vs sentence pairs."""
        found = [("Table 1 — without vs with ACT", self.conditions[0], self.conditions[-1])]
        if len(self.conditions) >= 3:
            found.append(
                ("Table 2 — parallel data from paragraph vs sentence pairs", self.conditions[1], self.conditions[2])
            )
        return [(caption, before, after) for caption, before, after in found if before != after]

    def delta(self, scope: str, metric: MetricName, baseline: str, system: str) -> DeltaInterval | None:
        """The interval of one comparison, if it was computed."""
        wanted = (scope, metric, baseline, system)
        return next((d for d in self.deltas if (d.scope, d.metric, d.baseline, d.system) == wanted), None)

    @property
    def leakage_guard_on(self) -> bool:
        """False when any result had its own pairs in the parallel data."""
        return not any(r.leakage_guard == "own-pairs-included" for row in self.rows for r in row.results)


class EngineInfo(_Model):
    name: str
    description: str = ""


class CostLine(_Model):
    label: str
    characters: int
    usd_per_million_characters: float

    @computed_field  # type: ignore[prop-decorator]
    @property
    def usd(self) -> float:
        return round(self.characters * self.usd_per_million_characters / 1_000_000, 4)


class CostReport(_Model):
    lines: list[CostLine]
    pricing_note: str = ""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total_usd(self) -> float:
        return round(sum(line.usd for line in self.lines), 4)


class BudgetReport(_Model):
    """The cost guard's view of a run: what it estimated before any job, what the jobs billed, and the caps."""

    approved: bool
    reason: str | None = None
    estimate_characters: int
    estimate_usd: float
    estimate_lines: list[CostLine] = Field(default_factory=list, description="each job the run would start, priced")
    billed_characters: int = 0
    billed_usd: float = 0.0
    cap_characters_per_run: int
    cap_usd_per_run: float
    cap_usd_per_day: float | None = None
    cap_usd_per_month: float | None = None
    day: str = ""
    day_spent_usd: float | None = Field(default=None, description="the day's ledger total after this run's reservation")
    month: str = ""
    month_spent_usd: float | None = None
    scope: str = Field(default="", description="what the figures cover when not one run; the caps apply to each run")


class TermIssue(_Model):
    term: str
    expected: str
    found: str = ""
    path: str = ""
    segment_id: str = ""
    message: str = ""


class TermConsistencyReport(_Model):
    glossary: str = ""
    terms_checked: int
    occurrences: int = 0
    issues: list[TermIssue] = Field(default_factory=list)


class SyncDocumentWorkload(_Model):
    path: str
    segments_total: int
    unchanged: int = 0
    reused_from_memory: int = 0
    machine_translated: int = 0
    human_edits_kept: int = 0
    needs_review: int = 0
    # Source sentences and characters by how their text was made (sync's sentence classes).
    verbatim_sentences: int = 0  # the translators' own text (markup updated included)
    verbatim_chars: int = 0
    fuzzy_sentences: int = 0  # human text kept for English that changed a little: review with the diff
    fuzzy_chars: int = 0
    mt_sentences: int = 0  # machine translation: post-edit
    mt_chars: int = 0
    effort_chars: float = 0.0  # weighted characters of a translation from scratch left to do


_WORKLOAD_FIGURES = tuple(name for name in SyncDocumentWorkload.model_fields if name != "path")


class SyncWorkloadReport(_Model):
    documents: list[SyncDocumentWorkload]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def totals(self) -> SyncDocumentWorkload:
        # Every figure is a count to add up; the weighted characters keep one decimal.
        sums = {name: sum(getattr(d, name) for d in self.documents) for name in _WORKLOAD_FIGURES}
        sums["effort_chars"] = round(sums["effort_chars"], 1)
        return SyncDocumentWorkload.model_validate({"path": "(all documents)", **sums})


# What a translator must do with a segment of a published chapter, from its review marker (and the English).
ReviewClass = Literal[
    "refused",  # the chapter could not be synced: the human file was kept, the machine translation offered beside it
    "structure",  # the chapter's structure still differs from its source (skeleton-mismatch)
    "untranslated",  # English published as it is: machine translation failed for it, translate it by hand
    "new",  # machine translation of English the old source did not have (or of a new chapter)
    "machine-translated",  # machine translation of changed English: post-edit
    "human-edit",  # a person's edit kept although its English changed
    "fuzzy-kept",  # the human translation of a slightly different English, kept: bring the change in
    "code-changed",  # a code cell whose code (or comments) changed: its translated comments are lost or stale
    "translator-only",  # a block only the translation has (a paddle tab, a note) beside English that changed
    "references",  # a reference the translation lacked was added: check where it went
    "markup-updated",  # the English changed only in markup, carried into the human translation: nothing to do
    "kept",  # the translators' own text for unchanged English: nothing to do
]
REVIEW_CLASSES: tuple[ReviewClass, ...] = (
    "refused", "structure", "untranslated", "new", "machine-translated", "human-edit", "fuzzy-kept", "code-changed",
    "translator-only", "references", "markup-updated", "kept",
)  # fmt: skip
NO_REVIEW_CLASSES: frozenset[ReviewClass] = frozenset({"kept", "markup-updated"})
REVIEW_CLASS_LABELS: dict[ReviewClass, str] = {
    "refused": "refused chapter",
    "structure": "structure differs",
    "untranslated": "untranslated (English)",
    "new": "new (MT)",
    "machine-translated": "machine-translated",
    "human-edit": "human edit, English changed",
    "fuzzy-kept": "fuzzy-kept",
    "code-changed": "code changed",
    "translator-only": "translator-only tab",
    "references": "reference placed",
    "markup-updated": "markup updated",
    "kept": "kept",
}


class ReviewSegment(_Model):
    """One segment (or block) of a published chapter as the review page shows it, in book order.

    ``file`` is the published chapter relative to the translations' root (``zh/chapter_x/a.md``); ``line`` is the
    segment's line there. The classes come from the chapter's ``amts:review`` marker (the first is the one the page
    sorts and colours by); without a marker a segment is ``kept`` (``markup-updated`` when its English changed only
    in markup)."""

    pair: str = Field(default="", description="language pair, e.g. en-zh ('' when unknown)")
    chapter: str = Field(description="the chapter's path in the book")
    file: str = Field(description="the published file, relative to the translations' root")
    line: int = Field(default=0, description="1-based line of the segment in the published file")
    segment_id: str = Field(default="", description="the segment's id in the new English ('' for a block)")
    kind: str = Field(description="heading, paragraph, list-item, code, tab ... ")
    classes: list[ReviewClass] = Field(min_length=1)
    reasons: list[str] = Field(default_factory=list, description="the marker's reasons")
    marker: str = Field(default="", description="the review marker's text ('' when none)")
    marker_line: int = Field(default=0, description="the marker's line in the published file (0: no marker)")
    source: str = Field(default="", description="the new English ('' when not known)")
    translation: str = Field(default="", description="the published text")
    old_source: str | None = Field(default=None, description="the old English, when it differs from the new")
    change: str = Field(default="", description="old → new English as a word diff")
    chars: int = Field(default=0, description="source characters (whitespace runs and protected spans count one)")
    effort: float = Field(default=0.0, description="weighted characters of translating from scratch left to do")
    counts: dict[str, list[int]] = Field(
        default_factory=dict, description="the marker's fuzzy= / mt= / flagged= figures: [sentences, characters]"
    )
    blocks: int = Field(default=1, ge=1, description="published blocks the row shows (a marker may hold several)")

    @property
    def review_class(self) -> ReviewClass:
        return self.classes[0]

    @property
    def needs_review(self) -> bool:
        return self.review_class not in NO_REVIEW_CLASSES


class PairStatus(_Model):
    """How one language pair of a run ended."""

    pair: str
    status: str = Field(description="SUCCEEDED, NOTHING_TO_TRANSLATE, FAILED ...")
    phase: str = Field(default="", description="which run of a combined report")
    chapters_published: int = 0
    segments_translated: int = 0
    segments_untranslated: int = Field(default=0, description="MT units published as their English (marked)")
    characters_billed: int = 0
    error: str = ""


class EngineUse(_Model):
    """How many segments one engine produced in one job."""

    engine: str
    segments: int | None = Field(default=None, description="None: the engine did not say (Amazon Translate)")
    pair: str = ""
    job: str = Field(default="", description="e.g. ACT job, baseline job; with its phase in a combined report")


class RunReport(_Model):
    """Everything a run can report; the pipeline fills the sections it has, the renderers skip the rest."""

    schema_version: int = SCHEMA_VERSION
    title: str = "AMTS run report"
    run_id: str | None = None
    generated_at: str | None = None
    book: str | None = None
    language_pairs: list[str] = Field(default_factory=list)
    engines: list[EngineInfo] = Field(default_factory=list)
    scores: list[ScoreReport] = Field(default_factory=list)
    experiments: list[ExperimentReport] = Field(default_factory=list)
    cost: CostReport | None = None
    budget: BudgetReport | None = None
    terminology: TermConsistencyReport | None = None
    sync: SyncWorkloadReport | None = None
    pairs: list[PairStatus] = Field(default_factory=list)
    engine_usage: list[EngineUse] = Field(default_factory=list)
    segments: list[ReviewSegment] = Field(
        default_factory=list, description="every segment of the published chapters, as the review page shows them"
    )
    review_page: str | None = Field(default=None, description="the review page, relative to this report")
    notes: list[str] = Field(default_factory=list)
