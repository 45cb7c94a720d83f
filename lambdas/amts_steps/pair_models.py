"""Typed boundaries of the per-pair steps: BuildParallelData, Stage, Release, the Translate jobs, Assemble and Score,
and the stage manifest (work bucket) that Stage writes and Release, Assemble and Score read.

Step Functions payloads are capped at 256 KiB, so these models carry S3 keys and counts, never documents.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from amts_steps.plan_models import PairTask, StepModel

# --------------------------------------------------------------------------------------------------------------
# Per-pair steps
# --------------------------------------------------------------------------------------------------------------


class ParallelDataResult(StepModel):
    """Output of BuildParallelData: where the CSV is and whether there is anything to import."""

    has_data: bool
    name: str
    s3_uri: str | None = None
    content_hash: str | None = None
    pair_count: int = Field(default=0, description="records in the parallel-data file (after filtering)")
    chapters_aligned: int = 0
    held_out_pairs: int = Field(
        default=0, description="records the held-out (evaluated) chapters would add: left out by the leakage guard"
    )
    client_token: str | None = Field(default=None, description="create/update token derived from the content hash")
    format: Literal["CSV", "TMX"] = "CSV"


class ParallelDataStep(StepModel):
    """Input of BuildParallelData."""

    task: PairTask


class StageResult(StepModel):
    """Output of Stage: the jobs' input/output locations and customizations, or nothing to translate."""

    needs_translation: bool
    input_s3_uri: str
    output_s3_uri: str
    baseline_output_s3_uri: str
    parallel_data_names: list[str] = Field(default_factory=list, description="[] when there is no parallel data")
    baseline_parallel_data_names: list[str] = Field(default_factory=list, description="always []: no ACT")
    terminology_names: list[str] = Field(default_factory=list)
    stage_key: str = Field(description="work-bucket key of the stage manifest (per chapter: segment ids, hashes)")
    staged_prefix: str = Field(
        default="", description="work-bucket prefix of the staged documents Release copies into the job folder"
    )
    baseline_wanted: bool = Field(
        default=False,
        description="run the baseline job (no ACT): evaluation is on, there is parallel data, and Score will score "
        "at least one staged chapter (translated whole, with a human reference); otherwise it would only bill again",
    )
    documents: int = 0
    segments: int = 0
    characters: int = 0


class StageStep(StepModel):
    """Input of Stage."""

    task: PairTask
    parallel_data: ParallelDataResult


class JobResult(StepModel):
    """A finished Translate job as the poll loop leaves it (TextTranslationJobProperties, trimmed)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    JobId: str
    JobStatus: str
    Message: str | None = None
    OutputDataConfig: dict[str, object] = Field(default_factory=dict)
    JobDetails: dict[str, int] = Field(default_factory=dict)
    ParallelDataNames: list[str] = Field(default_factory=list)

    @property
    def output_s3_uri(self) -> str:
        uri = self.OutputDataConfig.get("S3Uri")
        return uri if isinstance(uri, str) else ""


class JobsResult(StepModel):
    """What the job Parallel produces: the customized (ACT when there is parallel data) job and the baseline."""

    customized: JobResult | None = None
    baseline: JobResult | None = None


class AssembleStep(StepModel):
    """Input of Assemble."""

    task: PairTask
    stage: StageResult
    jobs: JobsResult = Field(default_factory=JobsResult)


class AssembleResult(StepModel):
    """Output of Assemble: counts plus the work-bucket key of the per-chapter details."""

    chapters_published: int
    segments_translated: int
    segments_untranslated: int
    characters_billed: int
    details_key: str
    published_keys_sample: list[str] = Field(default_factory=list)
    engine: str | None = None
    chapters_failed: list[str] = Field(default_factory=list, description="chapters Translate gave no output for")
    proposals: list[str] = Field(
        default_factory=list, description="chapters that kept their human file, with the reason (a proposal beside it)"
    )
    renames: list[str] = Field(default_factory=list, description="chapters synced from their old path: 'old -> new'")
    published_with_problems: list[str] = Field(
        default_factory=list,
        description="new or moved chapters published with a skeleton-mismatch marker, with the reason",
    )


class ScoreStep(StepModel):
    """Input of Score: the pair, what was staged and assembled, and the jobs (baseline for the comparison)."""

    action: Literal["score"] = "score"
    task: PairTask
    parallel_data: ParallelDataResult | None = Field(
        default=None, description="BuildParallelData's result (the report's pair counts); None: counts unknown"
    )
    stage: StageResult
    jobs: JobsResult = Field(default_factory=JobsResult)
    assemble: AssembleResult


class PairResult(StepModel):
    """One pair's outcome as gathered by the Map: succeeded with figures, or failed with the cause."""

    pair_name: str
    status: Literal["SUCCEEDED", "FAILED", "NOTHING_TO_TRANSLATE"]
    error: str | None = None
    cause: str | None = None
    chapters_published: int = 0
    segments_translated: int = 0
    segments_untranslated: int = 0  # MT units published as their English, marked "untranslated"
    characters_billed: int = 0
    score_key: str | None = None
    bleu: float | None = None
    chrf: float | None = None
    bleu_baseline: float | None = None
    chrf_baseline: float | None = None
    engine: str | None = None


# --------------------------------------------------------------------------------------------------------------
# Stage manifest (work bucket, read by Assemble and Score)
# --------------------------------------------------------------------------------------------------------------


class StagedChapter(StepModel):
    """One chapter of a pair's run: how it is translated and where its pieces are."""

    path: str
    mode: Literal["whole", "sync", "proposal"] = Field(
        description="whole: every segment goes to MT (evaluation); sync: only the changes (a new chapter has no "
        "old translation: all of it); proposal: the chapter keeps its human file and its machine translation is "
        "offered beside it"
    )
    index: int
    document: str | None = Field(default=None, description="job input file name, None when nothing goes to MT")
    etag: str | None = Field(default=None, description="ETag of the staged document as Stage wrote and measured it")
    plan_key: str | None = Field(default=None, description="work-bucket key of the sync plan (mode sync)")
    units: int = 0
    characters: int = 0
    note: str | None = None
    previous_path: str | None = Field(default=None, description="the old path the chapter was synced from (renamed)")
    human_key: str | None = Field(
        default=None, description="input-bucket key of the human file a proposal chapter keeps, when none is published"
    )
    translation_at_path: bool = Field(
        default=False,
        description="a translation (published or human) is at the chapter's own path: it is kept "
        "unless the synced output has its source's skeleton (amts.sync.chapter_outcome)",
    )
    refusal: str | None = Field(default=None, description="why the sync against that translation was refused")

    @property
    def translated_whole(self) -> bool:
        """Sent to MT whole: the only kind of chapter Score compares with the human reference."""
        return self.mode == "whole" and self.document is not None


class StageManifest(StepModel):
    run_id: str
    pair_name: str
    chapters: list[StagedChapter]
    gone: list[str] = Field(
        default_factory=list,
        description="published translations whose source chapter is no longer in the book, each with where it "
        "moved when a rename of this run explains it (the run report lists them)",
    )


# --------------------------------------------------------------------------------------------------------------
# Release: the approved, staged documents into the job folder
# --------------------------------------------------------------------------------------------------------------


class ReleaseStep(StepModel):
    """Input of Release: the pair and what Stage staged."""

    task: PairTask
    stage: StageResult


class ReleaseResult(StepModel):
    """Output of Release: the job folder now holds exactly these documents, and nothing else."""

    job_prefix: str
    documents: int
    characters: int
