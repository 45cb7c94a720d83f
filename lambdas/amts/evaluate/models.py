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

SCHEMA_VERSION = 1


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
    notes: list[str] = Field(default_factory=list)


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


class SyncWorkloadReport(_Model):
    documents: list[SyncDocumentWorkload]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def totals(self) -> SyncDocumentWorkload:
        docs = self.documents
        return SyncDocumentWorkload(
            path="(all documents)",
            segments_total=sum(d.segments_total for d in docs),
            unchanged=sum(d.unchanged for d in docs),
            reused_from_memory=sum(d.reused_from_memory for d in docs),
            machine_translated=sum(d.machine_translated for d in docs),
            human_edits_kept=sum(d.human_edits_kept for d in docs),
            needs_review=sum(d.needs_review for d in docs),
            verbatim_sentences=sum(d.verbatim_sentences for d in docs),
            verbatim_chars=sum(d.verbatim_chars for d in docs),
            fuzzy_sentences=sum(d.fuzzy_sentences for d in docs),
            fuzzy_chars=sum(d.fuzzy_chars for d in docs),
            mt_sentences=sum(d.mt_sentences for d in docs),
            mt_chars=sum(d.mt_chars for d in docs),
            effort_chars=round(sum(d.effort_chars for d in docs), 1),
        )


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
    notes: list[str] = Field(default_factory=list)
