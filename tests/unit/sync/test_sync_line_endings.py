"""Line endings and byte-order marks: the output is written the way its translation file is, whatever the English
files use, so a sync never mixes CRLF and LF lines in one file."""

from __future__ import annotations

from typing import Any

import pytest
from amts.book import parse, render
from amts.sync import TranslationMemory

from tests.unit.sync.conftest import RecordingTranslator, sync_texts
from tests.unit.sync.samples import OLD_SOURCE, OLD_TARGET

BOM = "\ufeff"
# One sentence reworded (MT), one changed by a word (fuzzy-kept, with a marker): new text from both sides.
NEW_SOURCE = OLD_SOURCE.replace(
    "Not every prediction problem is a regression problem.", "Some prediction problems ask for a category instead."
).replace("The weights determine the influence", "The weights set the influence")


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def bare_lf(text: str) -> int:
    return text.count("\n") - text.count("\r\n")


@pytest.mark.parametrize(
    ("old", "target", "new", "newline"),
    [
        pytest.param(OLD_SOURCE, crlf(OLD_TARGET), NEW_SOURCE, "\r\n", id="CRLF translation, LF English"),
        pytest.param(crlf(OLD_SOURCE), OLD_TARGET, crlf(NEW_SOURCE), "\n", id="LF translation, CRLF English"),
        pytest.param(OLD_SOURCE, OLD_TARGET, crlf(NEW_SOURCE), "\n", id="LF translation, English turned CRLF"),
    ],
)
def test_the_output_has_the_line_endings_of_its_translation(
    old: str, target: str, new: str, newline: str, aligner: Any
) -> None:
    """Given English and a translation that end their lines differently
    When the chapter is synced (kept, fuzzy-kept, machine-translated and marked text all in the output)
    Then every line of the output ends as the translation's lines do, and it parses back to itself."""
    translator = RecordingTranslator()

    result = sync_texts(old, target, new, TranslationMemory(source_lang="en", target_lang="zh"), translator, aligner)

    markdown = result.markdown
    assert translator.sent == ["Some prediction problems ask for a category instead."]
    assert "<!-- amts:review reasons=fuzzy-kept" in markdown
    assert "\r" not in markdown.replace("\r\n", "")
    if newline == "\r\n":
        assert bare_lf(markdown) == 0
    else:
        assert "\r\n" not in markdown
    assert render(parse(markdown, path="out.md")) == markdown
    assert result.report.skeleton_differences == []


def test_a_byte_order_mark_follows_the_translation(aligner: Any) -> None:
    """Given a translation saved with a byte-order mark and CRLF lines, and English with neither
    When the chapter is synced
    Then the output starts with the mark, once, and has CRLF lines only; English with a mark and a translation
    without one give an output without it."""
    memory = TranslationMemory(source_lang="en", target_lang="zh")
    marked = sync_texts(OLD_SOURCE, BOM + crlf(OLD_TARGET), NEW_SOURCE, memory, RecordingTranslator(), aligner)
    plain = sync_texts(BOM + OLD_SOURCE, OLD_TARGET, BOM + NEW_SOURCE, TranslationMemory(source_lang="en",
                       target_lang="zh"), RecordingTranslator(), aligner)  # fmt: skip

    assert marked.markdown.startswith(BOM + "# 线性回归\r\n")
    assert marked.markdown.count(BOM) == 1
    assert bare_lf(marked.markdown) == 0
    assert BOM not in plain.markdown
    assert plain.markdown.startswith("# 线性回归\n")
