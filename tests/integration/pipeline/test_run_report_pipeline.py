"""The run report through the real handlers under moto's Step Functions interpreter (Translate: the stand-in)."""

from __future__ import annotations

import json

import pytest

from tests.integration.pipeline.conftest import run_execution, stand_in_runtime

pytestmark = pytest.mark.slow

EVALUATED = "chapter_intro/index.md"
SHARED_EN = "Machine learning programs learn from data."
SHARED_ZH = "机器学习程序从数据中学习。"
SOURCE = f"# Introduction\n\n{SHARED_EN}\n\nThe loss function $L(\\theta)$ measures how wrong a model is.\n"
REFERENCE = f"# 引言\n\n{SHARED_ZH}\n\n损失函数 $L(\\theta)$ 衡量模型有多错。\n"
OTHER_EN = f"# Regression\n\nRegression predicts a number.\n\n{SHARED_EN}\n"
OTHER_ZH = f"# 回归\n\n回归预测一个数值。\n\n{SHARED_ZH}\n"


def test_an_evaluation_run_reports_act_vs_baseline_cost_and_engines() -> None:
    # Given a book with two translated chapters, one of them evaluated
    with stand_in_runtime(evaluation=True) as runtime:
        for key, text in (
            (f"book/en/{EVALUATED}", SOURCE),
            (f"book/zh/{EVALUATED}", REFERENCE),
            ("book/en/other.md", OTHER_EN),
            ("book/zh/other.md", OTHER_ZH),
        ):
            runtime.upload(key, text)
        runtime.wait_for_uploads()
        # When an evaluation-only run translates the evaluated chapter through the state machine
        description = run_execution(
            runtime, {"chapters": [EVALUATED], "evaluate": True, "publish": False}, name="report-eval"
        )
        assert description["status"] == "SUCCEEDED", description
        output = runtime.names.output_bucket
        report = json.loads(runtime.read_object(output, "reports/report-eval/report.json"))
        html = runtime.read_object(output, "reports/report-eval/report.html").decode()
    # Then the report compares with and without ACT for the chapter, labelled with the guard that applied
    (experiment,) = report["experiments"]
    (row,) = experiment["rows"]
    guards = {r["condition"]: r["leakage_guard"] for r in row["results"]}
    assert guards == {"without ACT": "no-parallel-data", "with ACT": "leave-one-chapter-out"}
    assert "held out" in " ".join(experiment["notes"])
    # and the ACT job is priced at the ACT price, the baseline at the standard price
    labels = [line["label"] for line in report["cost"]["lines"]]
    assert labels == ["en-zh ACT job (ACT price)", "en-zh baseline job (standard price)"]
    assert all(line["characters"] > 0 for line in report["cost"]["lines"])
    # and both jobs' engines are named, the ACT job's translation memory among them
    assert len(report["engines"]) == 2
    assert "translation-memory" in report["engines"][0]["name"]
    assert "Experiments en → zh" in html
    assert "<h2>Cost</h2>" in html
    # and the execution's own payload stayed small: the pair's result carries keys and figures only
    summary = json.loads(description["output"])
    assert len(description["output"]) < 4096, summary
