"""The HTML report opens in headless Chromium without console errors, and its charts render."""

from __future__ import annotations

from pathlib import Path

from amts.evaluate.report_html import (
    COLOUR_PARAGRAPH,
    COLOUR_SCORE,
    COLOUR_SENTENCE,
    COLOUR_WITH_ACT,
    COLOUR_WITHOUT_ACT,
    render_html,
)

from tests.integration.evaluate.headless_chromium import count_colour, decode_png, find_chromium, open_page
from tests.system_packages import needs_system_package
from tests.unit.evaluate.eval_samples import sample_run_report

pytestmark = needs_system_package(
    find_chromium() is not None, reason="Chromium is not installed (make system-deps installs Debian's chromium)"
)

# A legend swatch is 12x12 px; a rendered bar of a non-trivial score covers far more.
LEGEND_SWATCHES = 4 * 144


def test_report_opens_without_console_errors_and_its_bar_charts_render(tmp_path: Path) -> None:
    # Given a full report written to disk
    page = tmp_path / "report.html"
    page.write_text(render_html(sample_run_report()), encoding="utf-8")
    # When Chromium loads it and takes a screenshot
    result = open_page(page.as_uri())
    (tmp_path / "report.png").write_bytes(result.png)
    # Then nothing went wrong in the console
    assert result.console_errors == []
    # And every chart's bar colour covers far more pixels than its legend swatches
    width, height, rows = decode_png(result.png)
    assert width == 1100
    assert height > 2000
    for colour in (COLOUR_WITHOUT_ACT, COLOUR_WITH_ACT, COLOUR_PARAGRAPH, COLOUR_SENTENCE, COLOUR_SCORE):
        assert count_colour(rows, colour) > LEGEND_SWATCHES + 2000, colour


def test_console_errors_are_detected(tmp_path: Path) -> None:
    # Given a page that logs an error and throws (the negative control for the check above)
    page = tmp_path / "bad.html"
    page.write_text(
        "<!DOCTYPE html><html><body><p>x</p><script>console.error('report broke');"
        "throw new Error('uncaught boom');</script></body></html>",
        encoding="utf-8",
    )
    result = open_page(page.as_uri())
    joined = " ".join(result.console_errors)
    assert "report broke" in joined
    assert "uncaught boom" in joined
