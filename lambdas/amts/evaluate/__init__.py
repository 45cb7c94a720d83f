"""Evaluation: sacreBLEU/chrF scores aligned through the book model, the study's A/B experiments, reports.

Public API (see docs/module-map.md):
- ``score_documents(hyp_doc, ref_doc, *, tgt_lang) -> ScoreReport`` and ``score_paths`` for files or folders;
- ``run_experiments(...) -> ExperimentReport`` with an :class:`Engine` (``translate_segments`` + name);
- ``RunReport`` (pydantic), ``render_html(report) -> str``, ``render_markdown(report) -> str``.
"""

from __future__ import annotations

from amts.evaluate.experiments import (
    CONDITIONS,
    BookDocument,
    Engine,
    ParallelPair,
    PoolPair,
    build_pair_pool,
    compare_score_reports,
    run_experiments,
)
from amts.evaluate.metrics import Tokenization, choose_tokenization, score_pairs
from amts.evaluate.models import (
    AggregateScore,
    ConditionResult,
    CostLine,
    CostReport,
    DocumentScore,
    EngineInfo,
    ExperimentReport,
    ExperimentRow,
    MetricScore,
    PairingInfo,
    RunReport,
    ScoreReport,
    SyncDocumentWorkload,
    SyncWorkloadReport,
    TermConsistencyReport,
    TermIssue,
)
from amts.evaluate.report_html import render_html
from amts.evaluate.report_markdown import render_markdown
from amts.evaluate.scoring import DocumentPair, score_document_pairs, score_documents, score_paths
from amts.evaluate.sections import sync_workload_report, term_consistency_report

__all__ = [
    "CONDITIONS",
    "AggregateScore",
    "BookDocument",
    "ConditionResult",
    "CostLine",
    "CostReport",
    "DocumentPair",
    "DocumentScore",
    "Engine",
    "EngineInfo",
    "ExperimentReport",
    "ExperimentRow",
    "MetricScore",
    "PairingInfo",
    "ParallelPair",
    "PoolPair",
    "RunReport",
    "ScoreReport",
    "SyncDocumentWorkload",
    "SyncWorkloadReport",
    "TermConsistencyReport",
    "TermIssue",
    "Tokenization",
    "build_pair_pool",
    "choose_tokenization",
    "compare_score_reports",
    "render_html",
    "render_markdown",
    "run_experiments",
    "score_document_pairs",
    "score_documents",
    "score_pairs",
    "score_paths",
    "sync_workload_report",
    "term_consistency_report",
]
