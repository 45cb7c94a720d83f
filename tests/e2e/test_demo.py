"""`make demo` end to end: the sample book through the local pipeline, and the one report a person opens."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from amts.evaluate import RunReport
from amts.sync import scan_markers

from amts_local.demo import run_demo
from amts_local.engines.chain import ApertiumEngine
from tests.e2e.demo_output import demo_problems


@pytest.mark.slow
def test_the_demo_translates_syncs_only_the_edit_and_writes_one_report_of_all_runs(tmp_path: Path) -> None:
    # Given an empty output folder
    out = tmp_path / "out"
    stream = io.StringIO()

    # When the demo runs
    status = run_demo(out, stream=stream)

    # Then every run succeeded and the sync sent exactly the edited paragraph
    assert status == 0, stream.getvalue()[-3000:]
    summary = json.loads((out / "demo-summary.json").read_text(encoding="utf-8"))
    assert summary["only_edited_paragraph_sent"] is True
    assert [phase["status"] for phase in summary["phases"]] == ["SUCCEEDED"] * 3

    # And a translated file exists for every source chapter and language
    sources = sorted(p.relative_to(out / "sample-book" / "en") for p in (out / "sample-book" / "en").rglob("*.md"))
    for language in ("zh", "es"):
        assert sorted(p.relative_to(out / language) for p in (out / language).rglob("*.md")) == sources

    # And report.json/html cover the whole demo: every run's cost, the with/without-ACT experiments, the workload
    report = RunReport.model_validate_json((out / "report.json").read_text(encoding="utf-8"))
    assert report.cost is not None
    assert {line.label.split(":")[0] for line in report.cost.lines} == {"translate", "sync", "evaluate"}
    assert {(e.src_lang, e.tgt_lang) for e in report.experiments} >= {("en", "zh"), ("en", "es")}
    assert report.sync is not None
    assert report.sync.totals.machine_translated > 0
    assert all(engine.name.split(": ", 1)[1] for engine in report.engines)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html
    assert "without ACT" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html
    for phase in ("translate", "sync", "evaluate"):
        assert (out / f"report-{phase}.html").is_file()
    assert "report.html" in stream.getvalue()
    # And, where Apertium is installed (always in CI), es is real Spanish from Apertium, never pseudo-translation
    if ApertiumEngine().supports("en", "es") or os.environ.get("CI"):
        assert demo_problems(out) == []

    # And the summary opens with the review page, written beside the translated chapters and linked from the report
    summary_text = stream.getvalue().split("== Summary\n", 1)[1]
    assert summary_text.startswith(f"   review page: {out / 'review.html'}: ")
    assert (out / "review.html").is_file()
    assert report.review_page == "review.html"
    assert 'href="review.html"' in html
    # And report.json's segments are the page's rows: one to review per marker left in the published chapters
    markers = sum(
        len(scan_markers(path.read_text(encoding="utf-8"), file=str(path)))
        for language in ("zh", "es")
        for path in (out / language).rglob("*.md")
    )
    assert markers > 0
    assert sum(row.needs_review for row in report.segments) == markers
    assert {row.pair for row in report.segments} == {"en-zh", "en-es"}
