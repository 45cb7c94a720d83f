"""The report's terminology and sync sections built from the translate and sync areas' results."""

from __future__ import annotations

from amts.evaluate.models import SyncDocumentWorkload, SyncWorkloadReport
from amts.evaluate.sections import sync_workload_report, term_consistency_report
from amts.sync.models import ReviewItem, SegmentOutcomes, SyncReport
from amts.translate.terminology import TermReport, TermResult


def test_term_issues_point_at_the_segments_missing_the_expected_translation() -> None:
    report = TermReport(
        "en",
        "zh",
        3,
        [
            TermResult("tensor", "张量", source_occurrences=2, found_in_output=1, segments_missing=[2]),
            TermResult("vocabulary", "词表", source_occurrences=1, found_in_output=1),
        ],
    )
    section = term_consistency_report(
        report, glossary="TERMS.md", segment_refs=[("a.md", "s0001"), ("a.md", "s0002"), ("b.md", "s0007")]
    )
    assert section.terms_checked == 2
    assert section.occurrences == 3
    assert len(section.issues) == 1
    issue = section.issues[0]
    assert (issue.term, issue.expected, issue.path, issue.segment_id) == ("tensor", "张量", "b.md", "s0007")
    assert issue.message.startswith("partial: 1 of 2")


def test_sync_workload_counts_segments_by_outcome_and_review() -> None:
    report = SyncReport(
        file="zh/a.md",
        source_lang="en",
        target_lang="zh",
        run="r1",
        segments_total=10,
        outcomes=SegmentOutcomes(kept=5, memory=1, partial_mt=1, mt=2, flagged=1),
        review=[
            ReviewItem(file="zh/a.md", segment_ids=["s1", "s2"], line=3, reasons=[], chars=10, excerpt="x"),
        ],
    )
    section = sync_workload_report([report])
    row = section.documents[0]
    assert (row.unchanged, row.reused_from_memory, row.machine_translated, row.human_edits_kept) == (5, 1, 3, 1)
    assert row.needs_review == 2
    assert section.totals.segments_total == 10


def test_sync_workload_totals_add_the_figures_of_every_document() -> None:
    first = SyncDocumentWorkload(path="zh/a.md", segments_total=10, unchanged=5, verbatim_chars=300, effort_chars=52.25)
    second = SyncDocumentWorkload(path="zh/b.md", segments_total=4, needs_review=2, mt_sentences=3, effort_chars=0.1)
    totals = SyncWorkloadReport(documents=[first, second]).totals
    assert (totals.path, totals.segments_total, totals.unchanged, totals.needs_review) == ("(all documents)", 14, 5, 2)
    assert (totals.mt_sentences, totals.verbatim_chars, totals.fuzzy_chars) == (3, 300, 0)
    assert totals.effort_chars == 52.4  # weighted characters, rounded to one decimal
