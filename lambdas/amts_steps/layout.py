"""Where each step reads and writes: every S3 key the workflow uses, in one place.

Working bucket: parallel data; each pair's staged work (``jobs/staged/<execution>/<pair>/``: the documents Stage
prepared and measured, the stage manifest and the sync plans); the job folder Translate reads
(``jobs/input/<execution>/<pair>/docs/``, filled by Release only after the cost guard approved the run); and
Translate's output. Every job path is derived from the execution name, never from user input.
Output bucket: published chapters, per-pair state (memory, source snapshots, run details), run reports.
"""

from __future__ import annotations

from amts import config
from amts.book import proposal_path


def parallel_data_key(pair_name: str, content_hash: str) -> str:
    return f"{config.PARALLEL_DATA_PREFIX}{pair_name}/{content_hash[:32]}.csv"


def staging_root(run_id: str, pair_name: str) -> str:
    return f"{config.JOB_STAGING_PREFIX}{run_id}/{pair_name}/"


def staged_docs_prefix(run_id: str, pair_name: str) -> str:
    """Where Stage writes the documents the cost guard measures (Translate cannot read here)."""
    return f"{staging_root(run_id, pair_name)}docs/"


def stage_manifest_key(run_id: str, pair_name: str) -> str:
    return f"{staging_root(run_id, pair_name)}meta/stage.json"


def sync_plan_key(run_id: str, pair_name: str, index: int) -> str:
    return f"{staging_root(run_id, pair_name)}meta/plans/{index:05d}.json"


def job_root(run_id: str, pair_name: str) -> str:
    """The job folder of one pair of one execution: nothing but what Release copied may be in it."""
    return f"{config.JOB_INPUT_PREFIX}{run_id}/{pair_name}/"


def job_docs_prefix(run_id: str, pair_name: str) -> str:
    return f"{job_root(run_id, pair_name)}docs/"


def document_name(index: int) -> str:
    """Job input documents are numbered, flat: Translate names outputs ``<lang>.<input name>``."""
    return f"c{index:05d}.html"


def job_output_prefix(run_id: str, pair_name: str, variant: str) -> str:
    return f"{config.JOB_OUTPUT_PREFIX}{run_id}/{pair_name}/{variant}/"


def memory_key(pair_name: str) -> str:
    return f"{config.STATE_PREFIX}{pair_name}/memory.json"


def source_snapshot_key(pair_name: str, path: str) -> str:
    """The source a published translation was made from: the next sync's old source."""
    return f"{config.STATE_PREFIX}{pair_name}/source/{path}"


def run_details_key(pair_name: str, run_id: str) -> str:
    return f"{config.STATE_PREFIX}{pair_name}/runs/{run_id}/assemble.json"


def published_key(target: str, path: str) -> str:
    return f"{config.OUTPUT_PREFIX}{target}/{path}"


def proposal_key(target: str, path: str) -> str:
    """Where a chapter that kept its human file is offered its machine translation (``x.amts-proposal.md``)."""
    return published_key(target, proposal_path(path))


def book_key(language: str, path: str) -> str:
    return f"{config.SOURCE_PREFIX}{language}/{path}"


def report_prefix(run_id: str) -> str:
    return f"{config.REPORT_PREFIX}{run_id}/"


def pair_scores_key(run_id: str, pair_name: str) -> str:
    return f"{report_prefix(run_id)}{pair_name}/scores.json"


def pair_report_key(run_id: str, pair_name: str) -> str:
    """Where the Score step leaves a pair's report sections for the run report (beside ``scores.json``)."""
    return f"{report_prefix(run_id)}{pair_name}/pair-report.json"
