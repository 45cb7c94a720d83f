"""Stage's list of published translations whose source chapter is gone from the book (moto S3)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from amts_steps.layout import published_key
from amts_steps.pair_models import StagedChapter
from amts_steps.stage import gone_translations

from tests.integration.pipeline.conftest import moto_s3

OUTPUT = "amts-gone-output"


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with moto_s3(monkeypatch, OUTPUT) as client:
        yield client


def _publish(s3: Any, *paths: str) -> None:
    for path in paths:
        s3.put_object(Bucket=OUTPUT, Key=published_key("zh", path), Body="# 标题\n".encode())


def test_a_translation_whose_source_moved_or_went_is_listed_with_where_it_moved(s3: Any) -> None:
    # Given published translations: one still in the book, one whose chapter moved this run (with a proposal
    # beside it), one whose chapter was deleted, and one of another language
    _publish(s3, "a/stays.md", "a/moved.md", "a/moved.amts-proposal.md", "a/deleted.md")
    s3.put_object(Bucket=OUTPUT, Key=published_key("es", "a/deleted.md"), Body=b"# T\n")
    staged = [
        StagedChapter(path="a/stays.md", mode="sync", index=0),
        StagedChapter(path="b/moved.md", mode="sync", index=1, previous_path="a/moved.md"),
    ]

    # When Stage lists what is gone for zh
    gone = gone_translations(s3, OUTPUT, "zh", {"a/stays.md", "b/moved.md"}, staged)

    # Then each zh file of a chapter no longer in the book is named, with where it moved when a rename explains it
    assert gone == [
        "translated/zh/a/deleted.md: its source is gone; no chapter of this run continues it",
        "translated/zh/a/moved.amts-proposal.md: its source is gone; moved to b/moved.md",
        "translated/zh/a/moved.md: its source is gone; moved to b/moved.md",
    ]


def test_nothing_is_listed_when_every_translation_has_its_source(s3: Any) -> None:
    _publish(s3, "a.md", "b/c.md")
    assert gone_translations(s3, OUTPUT, "zh", {"a.md", "b/c.md", "new.md"}, []) == []
