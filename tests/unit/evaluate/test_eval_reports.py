"""Run reports: JSON round trip, self-contained HTML with optional sections, Markdown, and the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from amts.evaluate.models import RunReport, SyncDocumentWorkload, SyncWorkloadReport
from amts.evaluate.report_html import render_html
from amts.evaluate.report_markdown import render_markdown

from amts_local.cli import main
from tests.unit.evaluate.eval_samples import (
    EN_OTHER,
    EN_SECTION,
    ZH_HYPOTHESIS,
    ZH_OTHER,
    ZH_SECTION,
    sample_run_report,
)


def test_json_report_round_trips_with_computed_fields() -> None:
    report = sample_run_report()
    dumped = report.model_dump_json()
    data = json.loads(dumped)
    assert data["scores"][0]["run"]["metrics"][0]["score_unit"] == pytest.approx(
        data["scores"][0]["run"]["metrics"][0]["score"] / 100, abs=1e-6
    )
    assert data["cost"]["total_usd"] == pytest.approx(6.6)
    assert RunReport.model_validate_json(dumped) == report


def test_html_is_self_contained_and_shows_every_section() -> None:
    page = render_html(sample_run_report())
    # No scripts, stylesheets, images or fonts from anywhere
    assert "<script" not in page
    assert "<link" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page
    assert "url(" not in page
    for heading in (
        "Summary",
        "Translation engines",
        "Experiments en → zh, leakage guard off",
        "Experiments zh → en, leakage guard off",
        "Table 1 — without vs with ACT",
        "Table 2 — parallel data from paragraph vs sentence pairs",
        "Scores against the human translation (zh)",
        "Cost",
        "Term consistency",
        "Sync plan (English segments)",
    ):
        assert f">{heading}" in page, heading
    assert page.count("<svg") == 5
    assert "fake-tm" in page
    assert "nrefs:1|case:mixed|eff:no|tok:zh|smooth:exp|version:2.6.0" in page
    assert "chrF signature: <code>nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0</code>" in page
    # The summary comes first; every table scrolls in its own box; charts scale
    assert page.index('id="summary"') < page.index("<h2>Experiments")
    assert page.count("<table>") == page.count('<div class="scroll"><table>') > 0
    assert page.count('viewBox="0 0 ') == 5
    assert 'width="930"' not in page


def test_every_section_is_optional() -> None:
    page = render_html(RunReport())
    assert "produced no scores" in page
    partial = render_html(
        RunReport(
            sync=SyncWorkloadReport(documents=[SyncDocumentWorkload(path="a.md", segments_total=4, needs_review=1)])
        )
    )
    assert "1 of 4 English segments need human review" in partial
    assert "<svg" not in partial
    assert render_markdown(RunReport()).startswith("## AMTS run report")


def test_text_from_the_book_is_escaped() -> None:
    report = RunReport(title="<b>x</b> & y", notes=['<img src="https://evil.example/x.png">'])
    page = render_html(report)
    assert "<b>x</b>" not in page
    assert "&lt;img" in page
    assert "<img" not in page


def test_markdown_summary_has_the_tables() -> None:
    text = render_markdown(sample_run_report())
    assert "### Experiments en → zh" in text
    assert "| **All sections** |" in text
    assert "BLEU signature: `nrefs:1|case:mixed|eff:no|tok:zh" in text
    assert "chrF signature: `nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0`" in text
    assert "**Sync plan (English segments):** 14 segments, 3 given MT" in text
    # The summary opens the report: cost and what to review, before any table; without review rows (no published
    # files read) the sync plan's figures, named as such
    assert text.index("To review (the sync plan, no published files read): 3 of 14 English segments") < text.index(
        "### Experiments"
    )


@pytest.fixture
def sample_files(tmp_path: Path) -> tuple[Path, Path]:
    hyp, ref = tmp_path / "hyp.md", tmp_path / "ref.md"
    hyp.write_text(ZH_HYPOTHESIS, encoding="utf-8")
    ref.write_text(ZH_SECTION, encoding="utf-8")
    return hyp, ref


def test_cli_score_prints_a_table_with_signatures(
    sample_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    hyp, ref = sample_files
    assert main(["score", "--hyp", str(hyp), "--ref", str(ref), "--tgt", "zh"]) == 0
    out = capsys.readouterr().out
    assert "BLEU signature: nrefs:1|case:mixed|eff:no|tok:zh|smooth:exp|version:2.6.0" in out
    assert re.search(r"^run\s+run\s+6\s+100%\s+56\.31", out, re.MULTILINE)


def test_cli_score_json_and_reports(
    sample_files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hyp, ref = sample_files
    out_dir = tmp_path / "out"
    status = main(
        ["score", "--hyp", str(hyp), "--ref", str(ref), "--tgt", "zh", "--json", "--chrf-plus", "-o", str(out_dir)]
    )
    assert status == 0
    data = json.loads(capsys.readouterr().out)
    assert [m["metric"] for m in data["run"]["metrics"]] == ["BLEU", "chrF", "chrF++"]
    assert {p.name for p in out_dir.iterdir()} == {"report.json", "report.html", "report.md"}
    assert hyp.read_text(encoding="utf-8") == ZH_HYPOTHESIS  # inputs untouched


def test_cli_min_bleu_fails_the_check(sample_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    hyp, ref = sample_files
    assert main(["score", "--hyp", str(hyp), "--ref", str(ref), "--tgt", "zh", "--min-bleu", "90"]) == 1
    assert "below --min-bleu 90" in capsys.readouterr().out


def test_cli_bad_input_exits_2_naming_the_problem(
    sample_files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hyp, ref = sample_files
    assert main(["score", "--hyp", str(hyp), "--ref", str(ref), "--tgt", "klingon"]) == 2
    assert "unknown target language 'klingon'" in capsys.readouterr().err
    empty = tmp_path / "empty.md"
    empty.write_text("```{.python .input}\nx = 1\n```\n", encoding="utf-8")
    assert main(["score", "--hyp", str(empty), "--ref", str(ref), "--tgt", "zh"]) == 2
    assert "empty.md: the hypothesis is empty" in capsys.readouterr().err


def test_cli_report_renders_html_and_markdown_from_report_json(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "report.json").write_text(sample_run_report().model_dump_json(), encoding="utf-8")
    assert main(["report", str(run_dir)]) == 0
    assert "<svg" in (run_dir / "report.html").read_text(encoding="utf-8")
    assert (run_dir / "report.md").read_text(encoding="utf-8").startswith("## AMTS run report")


def test_cli_report_rejects_a_bad_report_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "report.json").write_text('{"scores": [{"tgt_lang": 3}]}', encoding="utf-8")
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "report.json: not an AMTS run report: scores.0" in err
    (tmp_path / "report.json").write_text("{", encoding="utf-8")
    assert main(["report", str(tmp_path)]) == 2
    assert "report.json:1: not valid JSON" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "missing")]) == 2


def test_cli_experiment_writes_the_tables_for_both_directions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a two-chapter book and its translation in two folders
    for side, texts in (("en", (EN_SECTION, EN_OTHER)), ("zh", (ZH_SECTION, ZH_OTHER))):
        for chapter, text in zip(("chapter_a", "chapter_b"), texts, strict=True):
            (tmp_path / side / chapter).mkdir(parents=True)
            (tmp_path / side / chapter / "s.md").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    # When the experiment runs on one section
    argv = ["experiment", "--book", str(tmp_path / "en"), "--translation", str(tmp_path / "zh"), "--pair", "en-zh"]
    assert main([*argv, "--sections", "chapter_a/s.md", "-o", str(out)]) == 0
    # Then both directions are reported, with the engine and the leakage guard named
    report = RunReport.model_validate_json((out / "report.json").read_text(encoding="utf-8"))
    assert [(e.src_lang, e.tgt_lang) for e in report.experiments] == [("en", "zh"), ("zh", "en")]
    assert all("leave-one-chapter-out" in e.leakage_policy for e in report.experiments)
    assert all("stand-in" in e.engine for e in report.experiments)
    assert "### Experiments en → zh" in capsys.readouterr().out
    assert (out / "report.html").is_file()
    # And an unknown section is a clear error
    assert main([*argv, "--sections", "nope.md", "-o", str(out)]) == 2
