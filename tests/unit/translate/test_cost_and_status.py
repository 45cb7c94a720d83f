"""Cost estimate, budget guard and job-status mapping (no AWS)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from amts.translate.cost import BudgetExceededError, Pricing, check_budget, estimate_cost
from amts.translate.job_outputs import JOB_STATUS_PHASES, TranslateServiceError, job_state

from amts_local.cli import main

BOOK = "# Dataset\n:label:`sec_data`\n\nWe load the `data` with $n$ rows.\n\n```python\nx = load()\n```\n"


def test_estimate_counts_text_content_per_target_language() -> None:
    html = '<p id="a">Hello <span translate="no">x</span></p><p id="b">World</p>'
    estimate = estimate_cost({"a.html": html}, ["zh", "es"])
    assert estimate.source_characters == len("Hello x") + len("World")
    assert estimate.billed_characters == 2 * 12
    assert estimate.standard_usd == pytest.approx(24 * 15 / 1e6)
    assert estimate.act_usd == pytest.approx(24 * 60 / 1e6)
    assert estimate.usd == estimate.standard_usd
    assert "UNVERIFIED" in estimate.to_dict()["pricing_note"]


def test_act_pricing_applies_with_parallel_data_and_is_configurable() -> None:
    estimate = estimate_cost(
        ["a" * 1_000_000],
        ["zh"],
        content_type="text/plain",
        uses_parallel_data=True,
        pricing=Pricing(standard_per_million=10, act_per_million=40),
    )
    assert estimate.usd == pytest.approx(40.0)


def test_budget_guard_refuses_with_a_clear_message() -> None:
    estimate = estimate_cost(["a" * 2_000_000], ["zh"], content_type="text/plain")
    check_budget(estimate, 31.0)
    check_budget(estimate, None)
    with pytest.raises(BudgetExceededError, match=r"estimated cost \$30.00 .* over the budget of \$10.00"):
        check_budget(estimate, 10.0)


@pytest.mark.parametrize("status", sorted(JOB_STATUS_PHASES))
def test_every_job_status_is_mapped(status: str) -> None:
    state = job_state({"JobId": "j1", "JobStatus": status, "OutputDataConfig": {"S3Uri": "s3://b/o/"}})
    phase, terminal = JOB_STATUS_PHASES[status]
    assert (state.phase, state.terminal) == (phase, terminal)
    assert state.has_outputs == (status in ("COMPLETED", "COMPLETED_WITH_ERROR"))


def test_unknown_status_is_an_error() -> None:
    with pytest.raises(TranslateServiceError, match="unknown status"):
        job_state({"JobId": "j1", "JobStatus": "PAUSED"})


def test_cli_estimate_book_and_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "book"
    book.mkdir()
    (book / "data.md").write_text(BOOK, encoding="utf-8")
    assert main(["estimate", str(book), "--pairs", "en-zh,en-es", "--json"]) == 0
    full = json.loads(capsys.readouterr().out)
    assert full["target_languages"] == ["zh", "es"]
    assert full["source_characters"] > 0
    assert full["billed_characters"] == 2 * full["source_characters"]
    (book / "data.md").write_text(BOOK.replace("x = load()", "x = load()\n" * 50), encoding="utf-8")
    assert main(["estimate", str(book), "--pairs", "en-zh,en-es", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == full  # code blocks are not sent to Translate
    (book / "data.md").write_text(BOOK, encoding="utf-8")

    old = tmp_path / "old"
    old.mkdir()
    (old / "data.md").write_text(BOOK, encoding="utf-8")
    assert main(["estimate", str(book), "--pairs", "en-zh", "--since", str(old), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["source_characters"] == 0
    (book / "data.md").write_text(BOOK + "\nA brand new paragraph.\n", encoding="utf-8")
    assert main(["estimate", str(book), "--pairs", "en-zh", "--since", str(old), "--json"]) == 0
    changed = json.loads(capsys.readouterr().out)["source_characters"]
    assert len("A brand new paragraph.") <= changed < full["source_characters"]


def test_cli_estimate_budget_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "page.txt"
    page.write_text("x" * 10_000, encoding="utf-8")
    assert main(["estimate", str(page), "--pairs", "en-zh", "--budget", "1"]) == 0
    assert main(["estimate", str(page), "--pairs", "en-zh", "--act", "--budget", "0.0001"]) == 1
    assert "over the budget" in capsys.readouterr().err
    assert main(["estimate", str(tmp_path / "missing"), "--pairs", "en-zh"]) == 2
    assert main(["estimate", str(page), "--pairs", "en-xx"]) == 2
