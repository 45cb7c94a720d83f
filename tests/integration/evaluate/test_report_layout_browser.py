"""The run report, the evaluation report and the review page in real Chromium at 1400 px and at 400 px.

Nothing may overflow the viewport sideways (tables scroll in their own box, charts scale), the summary opens the
page above the fold, and the review page's count per class is what the review markers in the files say.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from amts.evaluate import RunReport, render_html
from amts.evaluate.models import PairStatus, ReviewSegment
from amts.evaluate.review_page import render_review_page
from amts.sync import scan_markers
from amts.sync.review_rows import folder_rows

from amts_local.cli import main
from tests.integration.evaluate.headless_chromium import decode_png, find_chromium, open_page
from tests.integration.evaluate.review_book import MarkedBook, marked_book
from tests.system_packages import needs_system_package
from tests.unit.evaluate.eval_samples import sample_run_report

pytestmark = needs_system_package(
    find_chromium() is not None, reason="Chromium is not installed (make system-deps installs Debian's chromium)"
)

WIDTHS = (1400, 400)
HEIGHT = 900
LAYOUT = {
    "scroll_width": "document.documentElement.scrollWidth",
    "viewport_width": "window.innerWidth",
    "summary_top": "document.getElementById('summary').getBoundingClientRect().top",
    "headline_bottom": "document.getElementById('headline').getBoundingClientRect().bottom",
    "class_counts": "Object.fromEntries([...document.querySelectorAll('[data-class-count]')]"
    ".map(e => [e.dataset.classCount, Number(e.querySelector('strong').textContent)]))",
    "rows_shown": "document.querySelectorAll('.row:not([hidden])').length",
    # how far the review workload table (after its heading and paragraph) would have to scroll: its numbers must show
    "workload_hidden": "(() => {const h = [...document.querySelectorAll('h2')].find(e => e.textContent === "
    "'Review workload'); if (!h) return null; const box = h.nextElementSibling.nextElementSibling; "
    "return box.scrollWidth - box.clientWidth;})()",
}


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> MarkedBook:
    return marked_book(tmp_path_factory.mktemp("review-book"))


def _markers(folder: Path) -> int:
    return sum(len(scan_markers(p.read_text(encoding="utf-8"), file=str(p))) for p in sorted(folder.rglob("*.md")))


def _pages(book: MarkedBook, folder: Path) -> dict[str, Path]:
    review = folder / "review.html"
    args = ["review-list", str(book.translations), "--html", str(review)]
    assert main([*args, "--source", str(book.source), "--old-source", str(book.old_source)]) == 0
    sample = sample_run_report()
    rows = folder_rows(book.translations, source=book.source, old_source=book.old_source, pair="en-zh")
    run = sample.model_copy(
        update={
            "pairs": [
                PairStatus(pair="en-zh", status="SUCCEEDED", chapters_published=4, characters_billed=735),
                PairStatus(pair="en-es", status="FAILED", error="AMTS.TranslateJobFailed: the job failed"),
            ],
            "segments": rows,
            "review_page": "review.html",
        }
    )
    evaluation = RunReport(title="AMTS experiments", experiments=sample.experiments)
    pages = {"review": review, "run-report": folder / "report.html", "evaluation-report": folder / "evaluation.html"}
    pages["run-report"].write_text(render_html(run), encoding="utf-8")
    pages["evaluation-report"].write_text(render_html(evaluation), encoding="utf-8")
    return pages


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_fit_the_viewport_and_open_with_their_summary(book: MarkedBook, tmp_path: Path, width: int) -> None:
    # Given the three pages a run leaves a person
    for name, page in _pages(book, tmp_path).items():
        # When Chromium opens each at this width
        result = open_page(page.as_uri(), width=width, height=HEIGHT, expressions=LAYOUT, full_page=False)
        (tmp_path / f"{name}-{width}.png").write_bytes(result.png)
        values = result.values
        # Then nothing went wrong, and nothing is wider than the viewport
        assert result.console_errors == [], name
        assert values["scroll_width"] <= values["viewport_width"] == width, name
        # And the run report's review workload shows every number column without scrolling sideways
        if name == "run-report":
            assert values["workload_hidden"] == 0, values["workload_hidden"]
        # And the summary, with its headline, is on the first screen
        assert 0 <= values["summary_top"] < HEIGHT, name
        assert values["headline_bottom"] <= HEIGHT, name
        shot_width, shot_height, _ = decode_png(result.png)
        assert (shot_width, shot_height) == (width, HEIGHT)


def test_the_review_pages_counts_are_the_markers_in_the_files(book: MarkedBook, tmp_path: Path) -> None:
    # Given the review page of the synced translations
    page = _pages(book, tmp_path)["review"]
    markers = _markers(book.translations)
    assert markers == 12  # 2 in tensors.md (fuzzy, MT), 1 in gradient-descent.md, 9 in the untranslated chapter
    # When Chromium opens it
    values = open_page(page.as_uri(), width=1400, height=HEIGHT, expressions=LAYOUT, full_page=False).values
    # Then the counts per class add up to the markers, and the rows shown at first are those to review
    assert values["class_counts"] == {"machine-translated": 11, "fuzzy-kept": 1}
    assert sum(values["class_counts"].values()) == markers == values["rows_shown"]


def test_after_a_manual_edit_the_page_counts_the_markers_left(book: MarkedBook, tmp_path: Path) -> None:
    # Given a translator who reviewed the fuzzy-kept sentence and deleted its marker
    edited = tmp_path / "zh"
    shutil.copytree(book.translations, edited)
    chapter = edited / "chapter_preliminaries" / "tensors.md"
    lines = chapter.read_text(encoding="utf-8").splitlines(keepends=True)
    chapter.write_text("".join(line for line in lines if "reasons=fuzzy-kept" not in line), encoding="utf-8")
    # When the page is written again for the folder
    page = tmp_path / "review.html"
    assert main(["review-list", str(edited), "--html", str(page), "--source", str(book.source)]) == 0
    values = open_page(page.as_uri(), width=400, height=HEIGHT, expressions=LAYOUT, full_page=False).values
    # Then it counts the markers left, and the page still fits a phone
    assert values["class_counts"] == {"machine-translated": 11}
    assert _markers(edited) == 11
    assert values["scroll_width"] <= 400


def test_the_chapter_selector_stays_narrow_with_long_chapter_paths(tmp_path: Path) -> None:
    # Given a review page whose chapters have long paths (the real book's are up to ~70 characters)
    long = "chapter_computer-vision-and-natural-language-processing-applications/fine-tuning-bert-for-tasks.md"
    rows = [
        ReviewSegment(chapter=name, file=f"zh/{name}", kind="paragraph", classes=["untranslated"], translation="x")
        for name in (long, "chapter_intro/index.md")
    ]
    page = tmp_path / "review.html"
    page.write_text(render_review_page(rows), encoding="utf-8")
    # When Chromium opens it at 400 px
    expressions = {**LAYOUT, "select_width": "document.getElementById('chapter').getBoundingClientRect().width"}
    result = open_page(page.as_uri(), width=400, height=HEIGHT, expressions=expressions, full_page=False)
    # Then the selector fits the phone's width and nothing overflows sideways
    assert result.console_errors == []
    assert 0 < result.values["select_width"] <= 360
    assert result.values["scroll_width"] <= 400
