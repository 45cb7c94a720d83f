"""Fault injection: throttling, failed jobs and documents, refused parallel data, slow jobs."""

from __future__ import annotations

from collections.abc import Sequence

from amts_local.standin.core import StandInCore


class FaultInjection(StandInCore):
    """Failures to inject into the next calls, jobs or imports (the ``amts run --inject-fault`` API)."""

    def throttle(self, count: int = 1, operation: str | None = None) -> None:
        """The next ``count`` calls (of ``operation``, or of any operation) fail with TooManyRequestsException."""
        self.faults.throttles.extend([operation] * count)

    def fail_next_job(self, message: str = "Injected failure: the job could not be processed.") -> None:
        self.faults.job_failures.append(message)

    def finish_next_job_with_errors(self, documents: Sequence[str]) -> None:
        """The next job ends COMPLETED_WITH_ERROR; ``documents`` (names relative to the input prefix, or
        ``FIRST_DOCUMENT``) fail. A job whose every document fails ends FAILED, as Translate's does."""
        self.faults.job_document_errors.append(tuple(documents))

    def fail_next_parallel_data(self, message: str = "Injected failure: the parallel data file was refused.") -> None:
        self.faults.parallel_data_failures.append(message)

    def slow_jobs(self, seconds: float) -> None:
        """Jobs started from now on stay IN_PROGRESS for ``seconds`` of simulated time."""
        self.job_seconds = seconds
