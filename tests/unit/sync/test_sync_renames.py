"""Moved chapters found by content: real evidence counts, boilerplate does not; a rename map is read strictly."""

from __future__ import annotations

from pathlib import Path

import pytest
from amts.book import Document, parse
from amts.errors import InputError
from amts.sync.renames import detect_renames, load_renames

IMPORTS = "```{.python .input}\nfrom d2l import torch as d2l\nimport torch\n```\n"


def chapter(title: str, body: str) -> str:
    return f"# {title}\n\n{IMPORTS}\n{body}\n"


def parsed(chapters: dict[str, str]) -> dict[str, Document]:
    return {path: parse(text, path=path) for path, text in chapters.items()}


def test_a_moved_chapter_is_found_and_shared_imports_prove_nothing() -> None:
    # Given three old chapters that all start with the same import cell, one of which moved and was edited
    old = {
        "a/optim.md": chapter("Optimizers", "Gradient descent takes small steps downhill on the loss surface."),
        "a/data.md": chapter("Data", "A dataset is a collection of examples with their labels attached."),
        "a/plots.md": chapter("Plots", "We draw the training curves after every epoch of the run."),
    }
    new = {
        "b/optim.md": chapter("Optimizers", "Gradient descent takes small steps downhill on the loss surface. More."),
        "b/new-topic.md": chapter("Attention", "Queries, keys and values are the parts of an attention layer."),
    }
    # When renames are detected
    found = detect_renames(parsed(new), parsed(old), lang="en")
    # Then the moved chapter is matched by its sentence, and the new topic matches nothing through its imports
    assert {path: (r.old, r.how) for path, r in found.items()} == {"b/optim.md": ("a/optim.md", "content")}


def test_a_folder_that_moved_as_a_whole_carries_a_chapter_with_nothing_in_common() -> None:
    old = {
        "old/one.md": chapter("One", "The first section explains the idea in plain words for everyone."),
        "old/two.md": chapter("Two", "The second section gives the formal definition and a proof of it."),
        "old/index.md": chapter("Index", "An overview of the part."),
    }
    # The folder renamed: the same chapters under new/, the index rewritten
    new = {path.replace("old/", "new/", 1): text for path, text in old.items()}
    new["new/index.md"] = chapter("Index", "A rewritten overview that shares no sentence with the old one.")
    found = detect_renames(parsed(new), parsed(old), lang="en")
    assert found["new/index.md"].old == "old/index.md"
    assert found["new/index.md"].how == "folder"


def test_a_rename_map_is_read_strictly(tmp_path: Path) -> None:
    good = tmp_path / "good.tsv"
    good.write_text("# moves\nold/a.md\tnew/a.md\n\nold/b.md   new/b.md  # spaces work too\n", encoding="utf-8")
    assert load_renames(good) == {"new/a.md": "old/a.md", "new/b.md": "old/b.md"}
    for text, problem in (
        ("old/a.md\n", r"bad.tsv:1: expected two chapter paths"),
        ("/abs/a.md new/a.md\n", r"bad.tsv:1: '/abs/a.md' is not a chapter path"),
        ("old/a.md new/a.txt\n", r"bad.tsv:1: 'new/a.txt' is not a chapter path"),
        ("x/a.md new/a.md\ny/a.md new/a.md\n", r"bad.tsv:2: new/a.md is renamed twice"),
    ):
        bad = tmp_path / "bad.tsv"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(InputError, match=problem):
            load_renames(bad)
