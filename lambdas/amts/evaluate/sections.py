"""Build the report's optional sections from the other areas' results (terminology check, synchronization)."""

from __future__ import annotations

from collections.abc import Sequence

from amts.evaluate.models import SyncDocumentWorkload, SyncWorkloadReport, TermConsistencyReport, TermIssue
from amts.sync.models import SyncReport
from amts.translate.terminology import TermReport


def term_consistency_report(
    report: TermReport, *, glossary: str = "", segment_refs: Sequence[tuple[str, str]] | None = None
) -> TermConsistencyReport:
    """The term-consistency section from ``check_term_consistency``'s result.

    ``segment_refs`` gives (file, segment id) for each checked segment, in the order they were checked, so an
    issue can point at where the expected translation is missing.
    """
    issues: list[TermIssue] = []
    for term in report.terms:
        if term.status == "ok":
            continue
        message = (
            f"{term.status}: {term.found_in_output} of {term.source_occurrences} occurrences translated as expected"
        )
        if not term.segments_missing:
            issues.append(TermIssue(term=term.src, expected=term.expected, message=message))
        for index in term.segments_missing:
            path, segment_id = segment_refs[index] if segment_refs and index < len(segment_refs) else ("", "")
            issues.append(
                TermIssue(term=term.src, expected=term.expected, path=path, segment_id=segment_id, message=message)
            )
    return TermConsistencyReport(
        glossary=glossary, terms_checked=len(report.terms), occurrences=report.occurrences, issues=issues
    )


def sync_workload_report(reports: Sequence[SyncReport]) -> SyncWorkloadReport:
    """The review-workload section from the synchronization reports, one row per file."""
    return SyncWorkloadReport(documents=[_workload_row(report) for report in reports])


def _workload_row(report: SyncReport) -> SyncDocumentWorkload:
    def figures(*kinds: str) -> tuple[int, int]:
        found = [report.sentence_classes[kind] for kind in kinds if kind in report.sentence_classes]
        return sum(f.sentences for f in found), sum(f.chars for f in found)

    verbatim, fuzzy, machine = figures("verbatim", "markup_updated"), figures("fuzzy_kept", "flagged"), figures("mt")
    return SyncDocumentWorkload(
        path=report.file,
        segments_total=report.segments_total,
        unchanged=report.outcomes.kept,
        reused_from_memory=report.outcomes.memory,
        machine_translated=report.outcomes.mt + report.outcomes.partial_mt,
        human_edits_kept=report.outcomes.flagged,
        needs_review=sum(len(item.segment_ids) for item in report.review),
        verbatim_sentences=verbatim[0],
        verbatim_chars=verbatim[1],
        fuzzy_sentences=fuzzy[0],
        fuzzy_chars=fuzzy[1],
        mt_sentences=machine[0],
        mt_chars=machine[1],
        effort_chars=report.effort.weighted_chars,
    )
