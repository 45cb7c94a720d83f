"""The one key validator: every key that enters the pipeline is checked the same way.

Given keys from uploads, listings, the execution input and the local download, when they are validated, then a
chapter key is accepted with its language and path, and every unsafe or foreign key is refused with a reason.
"""

from __future__ import annotations

import re

import pytest
from amts.errors import InputError
from amts.keys import (
    BookKey,
    check_chapter_path,
    check_relative_key,
    key_problem,
    parse_book_key,
    split_chapter_listing,
)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("book/en/a/b.md", BookKey("en", "a/b.md")),
        ("book/zh-TW/x.md", BookKey("zh-TW", "x.md")),
        ("book/en/a b+c.md", BookKey("en", "a b+c.md")),  # spaces and plus signs are ordinary characters
        ("book/pt/capítulo/índice.md", BookKey("pt", "capítulo/índice.md")),
    ],
)
def test_a_chapter_key_gives_its_language_and_path(key: str, expected: BookKey) -> None:
    assert parse_book_key(key) == expected


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("book/en/a/../../../reports/evil.md", "'..' component"),
        ("book/en/./a.md", "'.' component"),
        ("book/en//a.md", "empty folder name"),
        ("/book/en/a.md", "absolute path"),
        ("book/en/a\\b.md", "backslash"),
        ("book/en/a\nb.md", "control character U+000A"),
        ("book/en/a\x00.md", "control character U+0000"),
        ("book/en/a\u2028b.md", "control character U+2028"),
        ("other/en/a.md", "outside the book folder"),
        ("book/en.md", "no language folder"),
        ("book/english/a.md", "not a language folder"),
        ("book/en/a.txt", "not a markdown file"),
        ("book/en/.md", "not a markdown file"),
        ("book/zh/a.amts-proposal.md", "AMTS proposal"),
        ("book/en/" + "x" * 1030 + ".md", "1024 bytes"),
    ],
)
def test_unsafe_or_foreign_keys_are_refused_with_the_reason(key: str, reason: str) -> None:
    with pytest.raises(InputError, match=re.escape(reason)) as caught:
        parse_book_key(key)
    assert caught.value.path == key  # the message names the key


def test_chapter_paths_and_relative_keys_use_the_same_rules() -> None:
    assert check_chapter_path("chapter_intro/index.md") == "chapter_intro/index.md"
    with pytest.raises(InputError, match=re.escape("'..' component")):
        check_chapter_path("../index.md")
    # A relative key of the output bucket (a report, an image) need not be markdown, but must be a safe path.
    assert check_relative_key("reports/run/report.html") == "reports/run/report.html"
    assert key_problem("a/../../b.html") is not None
    assert key_problem("") == "empty name"


def test_a_listing_keeps_chapters_skips_other_files_and_reports_unsafe_markdown_keys() -> None:
    keys = [
        "book/en/b.md",
        "book/en/a/index.md",
        "book/en/img/figure.svg",  # a book asset: neither a chapter nor refused
        "book/en/a/../../../reports/evil.md",
        "book/en/bad\\name.md",
        "book/en/a.amts-proposal.md",
    ]
    chapters, skipped = split_chapter_listing(keys, "book/en/")
    assert chapters == ["a/index.md", "b.md"]
    assert {item.key for item in skipped} == {
        "book/en/a/../../../reports/evil.md",
        "book/en/bad\\name.md",
        "book/en/a.amts-proposal.md",
    }
    assert all(item.reason for item in skipped)
