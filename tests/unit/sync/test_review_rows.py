"""The review page's rows, read from marked files: class, English, old English and effort per block."""

from __future__ import annotations

from pathlib import Path

import pytest
from amts.evaluate.models import ReviewSegment
from amts.sync.review_rows import ChapterFiles, chapter_rows, folder_rows

from amts_local.cli import main

OLD_EN = """\
# Tensors

A tensor is a grid of numbers.

Use `x.shape` to see it.

We reshape the tensor into a matrix.
"""
NEW_EN = """\
# Tensors

A tensor is a grid of numbers with axes.

Use `x.size()` to see it.

We reshape the tensor into a matrix with three rows.

Broadcasting adds tensors of different shapes.
"""
PUBLISHED = """\
# 张量

<!-- amts:review reasons=fuzzy-kept segments=s0002 chars=40 fuzzy=1:40 | change: + with axes -->

张量是数字网格。

使用 `x.size()` 查看它。

<!-- amts:review reasons=machine-translation segments=s0004 chars=52 mt=1:52 -->

我们把张量重塑为三行的矩阵。

<!-- amts:review reasons=machine-translation segments=s0005 chars=45 mt=1:45 -->

广播把不同形状的张量相加。
"""


def _rows() -> list[ReviewSegment]:
    chapter = ChapterFiles("ch/tensors.md", "zh/ch/tensors.md", PUBLISHED, source=NEW_EN, old_source=OLD_EN)
    return chapter_rows(chapter, pair="en-zh")


def test_each_block_gets_its_class_english_and_effort_in_book_order() -> None:
    rows = _rows()
    assert [(r.line, r.classes) for r in rows] == [
        (1, ["kept"]),
        (5, ["fuzzy-kept"]),
        (7, ["markup-updated"]),
        (11, ["machine-translated"]),
        (15, ["new"]),
    ]
    heading, fuzzy, markup, changed, new = rows
    # The English beside each block, matched by structure
    assert (heading.source, heading.translation) == ("Tensors", "张量")
    assert fuzzy.source == "A tensor is a grid of numbers with axes."
    # The old English and the change, where the English changed
    assert fuzzy.old_source == "A tensor is a grid of numbers."
    assert fuzzy.change == "+ with axes"  # the marker's own word diff
    assert markup.old_source == "Use `x.shape` to see it."
    assert markup.marker == ""
    assert changed.old_source == "We reshape the tensor into a matrix."
    assert changed.change == "+ with three rows"
    assert new.old_source is None  # English the old source did not have
    # The marker's text, and the effort it asks for (fuzzy 0.3, machine translation 0.6 per source character)
    assert changed.marker == "amts:review reasons=machine-translation segments=s0004 chars=52 mt=1:52"
    assert (fuzzy.effort, changed.effort, new.effort, markup.effort) == (12.0, 31.2, 27.0, 0.0)
    assert sum(r.needs_review for r in rows) == PUBLISHED.count("amts:review")


def test_a_folder_lists_a_refused_chapter_once_and_links_its_files(tmp_path: Path) -> None:
    translations, source = tmp_path / "zh", tmp_path / "en"
    for root, text in ((translations, PUBLISHED), (source, NEW_EN)):
        (root / "ch").mkdir(parents=True)
        (root / "ch" / "tensors.md").write_text(text, encoding="utf-8")
    # A chapter whose human file was kept, with the machine translation offered beside it
    (translations / "ch" / "kept.md").write_text("# 保留\n\n人工翻译。\n", encoding="utf-8")
    (translations / "ch" / "kept.amts-proposal.md").write_text("# Kept\n", encoding="utf-8")
    (source / "ch" / "kept.md").write_text("# Kept\n\nA human translation.\n", encoding="utf-8")
    rows = folder_rows(translations, source=source, pair="en-zh", link_prefix="zh/")
    refused = [r for r in rows if r.chapter == "ch/kept.md"]
    assert [(r.classes, r.file) for r in refused] == [(["refused"], "zh/ch/kept.md")]
    assert "kept.amts-proposal.md" in refused[0].marker
    assert {r.file for r in rows} == {"zh/ch/kept.md", "zh/ch/tensors.md"}


def test_review_list_html_writes_the_page_and_refuses_to_write_into_its_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    translations = tmp_path / "zh"
    (translations / "ch").mkdir(parents=True)
    (translations / "ch" / "tensors.md").write_text(PUBLISHED, encoding="utf-8")
    # When the page is asked for beside the folder
    page = tmp_path / "review.html"
    assert main(["review-list", str(translations), "--html", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    # Then it has one row to review per marker, its counts per class, and links relative to the page
    assert html.count('<article class="row" data-class="machine-translated"') == 2
    assert html.count('<article class="row" data-class="fuzzy-kept"') == 1
    assert 'data-class-count="machine-translated"' in html
    assert 'href="zh/ch/tensors.md"' in html
    # And a page inside the folder it reads is refused with one line, exit 2
    capsys.readouterr()
    assert main(["review-list", str(translations), "--html", str(translations / "review.html")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert not (translations / "review.html").exists()


def test_only_a_marker_asks_for_work_so_a_reviewed_block_stays_kept_with_its_change_shown() -> None:
    # Given the published chapter after a translator reviewed every block and deleted the markers
    reviewed = "\n".join(line for line in PUBLISHED.splitlines() if "amts:review" not in line) + "\n"
    rows = chapter_rows(ChapterFiles("ch/tensors.md", "zh/ch/tensors.md", reviewed, source=NEW_EN, old_source=OLD_EN))
    # Then nothing is left to review, and the English changes are still there to read
    assert [r.classes[0] for r in rows] == ["kept", "kept", "markup-updated", "kept", "kept"]
    assert rows[1].old_source == "A tensor is a grid of numbers."
    assert rows[1].change == "+ with axes"
    assert not any(r.needs_review for r in rows)


def test_two_markers_before_one_block_are_one_block_to_review_with_both_markers_work() -> None:
    # Given a code cell with two markers before it (a stale tab and a changed cell)
    translation = (
        "# 标题\n\n"
        "<!-- amts:review reasons=code-changed chars=100 -->\n\n"
        "<!-- amts:review reasons=machine-translation segments=s0002 chars=50 mt=1:50 -->\n\n"
        "```python\nx = 1\n```\n"
    )
    # When its rows are read
    rows = chapter_rows(ChapterFiles(chapter="a.md", file="zh/a.md", translation=translation))
    # Then the cell is one row to review, counting both markers: 50 MT characters at 0.6 and 100 to check at 0.3
    marked = [row for row in rows if row.needs_review]
    assert len(marked) == 1
    assert marked[0].reasons == ["code-changed", "machine-translation"]
    assert marked[0].chars == 150
    assert marked[0].effort == 60.0
    assert marked[0].counts == {"mt": [1, 50]}
