"""Faults a person can inject into a local run (``amts run --inject-fault KIND``), to see what the pipeline does.

Each kind queues one misbehaviour in the Translate stand-in (``amts_local.standin.TranslateStandIn``), the
same ones the fault tests inject (tests/e2e/test_faults_e2e.py). The module imports nothing heavy, so the command
line can list the kinds in ``--help``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from amts_local.standin import TranslateStandIn

SLOW_JOB_SECONDS = 10.0


@dataclass(frozen=True)
class FaultKind:
    """One kind of fault: what it does to Translate and what the pipeline should then do."""

    name: str
    what: str
    expected: str


FAULT_KINDS: dict[str, FaultKind] = {
    kind.name: kind
    for kind in (
        FaultKind(
            "throttling",
            "Translate answers TooManyRequestsException to the next 2 StartTextTranslationJob calls and the next "
            "DescribeTextTranslationJob call",
            "the state machine retries them and the run succeeds",
        ),
        FaultKind(
            "failed-job",
            "the next batch translation job ends FAILED",
            "that job's pair fails (AMTS.PairsFailed, with the job's message in the report); other pairs publish",
        ),
        FaultKind(
            "completed-with-error",
            "the first document (one chapter's segments to translate) of the next batch translation job fails and "
            "the job ends COMPLETED_WITH_ERROR (FAILED when that was its only document)",
            "that pair fails naming the chapter; its other chapters and the other pairs publish",
        ),
        FaultKind(
            "parallel-data-failed",
            "the next parallel-data import (create or update) ends FAILED",
            "that pair fails before its job starts (only a book with translations builds parallel data)",
        ),
        FaultKind(
            "slow-job",
            f"batch translation jobs stay IN_PROGRESS for {SLOW_JOB_SECONDS:.0f} s of simulated time instead of 2 s",
            "more status polls and state transitions; the run succeeds",
        ),
    )
}


def inject_fault(standin: TranslateStandIn, kind: str) -> None:
    """Queue one fault of ``kind`` in the stand-in; injecting a kind twice queues two."""
    if kind == "throttling":
        standin.throttle(2, "StartTextTranslationJob")
        standin.throttle(1, "DescribeTextTranslationJob")
    elif kind == "failed-job":
        standin.fail_next_job("Injected (amts run --inject-fault failed-job): the job could not be processed.")
    elif kind == "completed-with-error":
        from amts_local.standin.core import FIRST_DOCUMENT

        standin.finish_next_job_with_errors([FIRST_DOCUMENT])
    elif kind == "parallel-data-failed":
        standin.fail_next_parallel_data(
            "Injected (amts run --inject-fault parallel-data-failed): the parallel data file was refused."
        )
    elif kind == "slow-job":
        standin.slow_jobs(SLOW_JOB_SECONDS)
    else:
        raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(FAULT_KINDS)}")


def pending_faults(standin: TranslateStandIn) -> dict[str, int]:
    """Injected faults that no call or job has met yet, by kind (``slow-job`` is a setting, never pending)."""
    faults = standin.faults
    pending = {
        "throttling": len(faults.throttles),
        "failed-job": len(faults.job_failures),
        "completed-with-error": len(faults.job_document_errors),
        "parallel-data-failed": len(faults.parallel_data_failures),
    }
    return {kind: count for kind, count in pending.items() if count}
