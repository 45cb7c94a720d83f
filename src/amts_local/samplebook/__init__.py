"""A small bilingual d2lbook-style book, written by the AMTS project for the demo and the end-to-end tests.

The book itself is package data under ``book/`` (``<lang>/<chapter>.md`` and ``extras/`` glossaries), laid out as
``write_sample_book`` writes it. Three chapters exist in English, Chinese and Spanish (the human translation the
parallel data is built from); a fourth chapter is English only (the "new chapter" the pipeline translates). Every
construct the pipeline must handle appears at least once: headings with labels, code cells with tab markers and
``#@save``, inline and display math with ``:eqlabel:``, figures with captions, ``:begin_tab:`` blocks, lists, a
table, references and a glossary. All text is original to this project (no corpus text).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from amts.fsio import write_atomic

SOURCE_LANGUAGE = "en"
TARGET_LANGUAGES = ("zh", "es")
NEW_CHAPTER = "chapter_regularization/weight-decay.md"
# The book's chapters in reading order; each exists in the languages that have a file for it under book/<lang>/.
CHAPTER_PATHS = (
    "chapter_preliminaries/tensors.md",
    "chapter_optimization/gradient-descent.md",
    "chapter_evaluation/evaluating-models.md",
    NEW_CHAPTER,
)
# Glossary file (relative to the book) for each target language, in TARGET_LANGUAGES order.
GLOSSARY_PATHS = {"zh": "extras/TERMINOLOGY.zh-en.md", "es": "extras/glossary.en-es.csv"}

# The demo's edit: one paragraph of the new chapter is rewritten; everything else stays byte-identical.
EDITED_PARAGRAPH_OLD = "A larger $\\lambda$ pulls the weights more strongly towards zero."
EDITED_PARAGRAPH_NEW = (
    "A larger $\\lambda$ pulls the weights more strongly towards zero, while $\\lambda = 0$ recovers the original loss."
)


def _book_file(relative: str) -> Traversable:
    return resources.files(__name__).joinpath("book", *relative.split("/"))


def _read_chapters() -> dict[str, dict[str, str]]:
    chapters: dict[str, dict[str, str]] = {}
    for relative in CHAPTER_PATHS:
        files = {lang: _book_file(f"{lang}/{relative}") for lang in (SOURCE_LANGUAGE, *TARGET_LANGUAGES)}
        chapters[relative] = {lang: file.read_text(encoding="utf-8") for lang, file in files.items() if file.is_file()}
    return chapters


CHAPTERS: dict[str, dict[str, str]] = _read_chapters()
GLOSSARIES: dict[str, str] = {path: _book_file(path).read_text(encoding="utf-8") for path in GLOSSARY_PATHS.values()}


@dataclass(frozen=True)
class SampleBook:
    """Where the sample book was written, and which of its chapters the demo translates and then edits."""

    root: Path
    new_chapter: str = NEW_CHAPTER

    def chapter(self, lang: str, relative: str) -> Path:
        return self.root / lang / relative

    @property
    def glossaries(self) -> dict[str, Path]:
        return {target: self.root / path for target, path in GLOSSARY_PATHS.items()}


def write_sample_book(root: Path) -> SampleBook:
    """Write the book as ``<root>/<lang>/<chapter>.md`` plus ``<root>/extras/`` glossaries (atomically)."""
    for relative, versions in CHAPTERS.items():
        for lang, text in versions.items():
            write_atomic(root / lang / relative, text)
    for name, text in GLOSSARIES.items():
        write_atomic(root / name, text)
    return SampleBook(root)


def edited_new_chapter() -> str:
    """The new chapter after the demo's one-paragraph edit."""
    text = CHAPTERS[NEW_CHAPTER]["en"]
    if text.count(EDITED_PARAGRAPH_OLD) != 1:
        raise AssertionError("the sample edit must match exactly one paragraph")
    return text.replace(EDITED_PARAGRAPH_OLD, EDITED_PARAGRAPH_NEW)
