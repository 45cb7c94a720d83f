"""One ``amts run``, every report: the same figure for the same thing, named by its unit.

The blocks to review, the effort and the machine-translated sentences left to post-edit are read back from each
output as a reader sees it (report.json's rows, report.html, report.md, review.html, the run's printed summary and
``amts review-list`` over the published files) and checked against the markers in those files.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from amts.evaluate import RunReport
from amts.sync import scan_markers

from amts_local.cli import main
from amts_local.samplebook import NEW_CHAPTER, edited_new_chapter
from tests.e2e.conftest import sample_book_and_old_source

pytestmark = pytest.mark.slow


def _figure(pattern: str, text: str, where: str) -> str:
    found = re.search(pattern, text)
    assert found is not None, f"{where}: no match for {pattern!r}"
    return found.group(1)


def test_every_report_of_a_run_shows_the_same_review_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a sample book whose English changed since its translations were made
    book, old = sample_book_and_old_source(tmp_path)
    (book / "en" / NEW_CHAPTER).write_text(edited_new_chapter(), encoding="utf-8")
    out = tmp_path / "out"

    # When it runs
    assert main(["run", "--book", str(book), "--pairs", "en-zh", "--old-source", str(old), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert main(["review-list", str(out / "zh")]) == 0
    listing = capsys.readouterr().out

    # Then the markers left in the published files are the blocks to review ...
    items = [item for path in sorted((out / "zh").rglob("*.md")) for item in scan_markers(path.read_text(), file="")]
    assert items, "the sample run leaves work to review"
    mt_sentences = sum(item.counts.get("mt", [0, 0])[0] for item in items)
    assert mt_sentences > 0
    report = RunReport.model_validate_json((out / "report.json").read_text(encoding="utf-8"))
    review_rows = [row for row in report.segments if row.classes[0] not in ("kept", "markup-updated")]
    assert len(review_rows) == len(items)
    blocks = sum(row.blocks for row in report.segments)
    effort = f"{sum(row.effort for row in review_rows):,.0f}"
    headline = f"To review: {len(items)} of {blocks} blocks"

    # ... and every report says the same: the run report (HTML and Markdown), the review page, the printed summary
    # and review-list
    html = (out / "report.html").read_text(encoding="utf-8")
    markdown = (out / "report.md").read_text(encoding="utf-8")
    page = (out / "review.html").read_text(encoding="utf-8")
    for where, text in (("report.html", html), ("report.md", markdown), ("run", printed), ("review-list", listing)):
        assert headline in text, where
        assert _figure(r"Effort: about ([\d,]+) weighted source characters", text, where) == effort, where
        assert int(_figure(r"([\d,]+) machine-translated sentences to post-edit", text, where)) == mt_sentences
    assert _figure(r'id="to-review">(\d+)<', page, "review.html") == str(len(items))
    assert f" of {blocks} blocks need a translator" in page
    assert _figure(r'id="effort">([\d,]+)<', page, "review.html") == effort
    assert int(_figure(r'id="mt-sentences">([\d,]+)<', page, "review.html")) == mt_sentences
    # Figures of other things carry their own units, never "segments to review" against blocks
    assert "segments to review" not in html + markdown + page + printed + listing

    # The engine table has one row per kind of engine, never one per combination of match scores
    engines = [use.engine for use in report.engine_usage]
    assert engines
    assert len(engines) <= 8, engines
    assert not any(re.search(r"fuzzy \d", engine) for engine in engines), engines
    assert not re.search(r"fuzzy 0\.\d", html)
