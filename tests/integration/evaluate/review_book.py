"""A folder of marked translations for the review-page tests: the project's sample book synced by ``amts sync``.

The English changes in three ways: a word in one paragraph (a fuzzy-kept sentence), a new sentence in another
(machine-translated), an inline-code change (markup updated), and the sample's new chapter, which has no
translation yet (new, machine-translated whole).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from amts_local.cli import main
from amts_local.samplebook import write_sample_book

EDITS = {
    "chapter_preliminaries/tensors.md": [
        ("In this chapter we create tensors", "In this chapter we build tensors"),
        ("with three rows.", "with three rows. Each row holds four consecutive integers."),
    ],
    "chapter_optimization/gradient-descent.md": [
        ("the loss may grow instead of shrinking.", "the loss may grow instead of shrinking, and training diverges."),
    ],
}


@dataclass(frozen=True)
class MarkedBook:
    old_source: Path  # the English the human translation followed
    source: Path  # the edited English
    translations: Path  # the synced zh folder, with review markers


def marked_book(root: Path) -> MarkedBook:
    book = write_sample_book(root / "book").root
    source = root / "en-new"
    shutil.copytree(book / "en", source)
    for chapter, edits in EDITS.items():
        path = source / chapter
        text = path.read_text(encoding="utf-8")
        for old, new in edits:
            assert old in text, (chapter, old)
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    translations = root / "zh-new"
    status = main(
        ["sync", "--old-source", str(book / "en"), "--old-target", str(book / "zh"), "--new-source", str(source),
         "-o", str(translations), "--report", str(root / "sync.json"), "--engine", "pseudo", "--pair", "en-zh"]
    )  # fmt: skip
    assert status == 0
    return MarkedBook(old_source=book / "en", source=source, translations=translations)
