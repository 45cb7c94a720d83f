"""The directory form on a small book: moved chapters keep their translation, a human chapter that cannot be
synced is never replaced (its machine translation is offered beside it), outputs and memory are published whole."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from amts.sync import TranslationMemory, book, chapter_outcome, engine

from amts_local.cli import main
from tests.unit.sync.samples import NEW_SOURCE, OLD_SOURCE, OLD_TARGET, OTHER_TARGET


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def sync_book(root: Path, *extra: str) -> int:
    return main(
        [
            "sync",
            "--old-source", str(root / "old"),
            "--old-target", str(root / "tgt"),
            "--new-source", str(root / "new"),
            "-o", str(root / "out"),
            "--report", str(root / "report.json"),
            "--engine", "pseudo",
            *extra,
        ]
    )  # fmt: skip


@pytest.mark.usefixtures("use_aligner")
def test_a_moved_chapter_is_found_by_content_and_keeps_its_translation(tmp_path: Path) -> None:
    # Given a chapter that moved from chapter_basics/ to chapter_models/ (and changed one sentence)
    write(tmp_path / "old" / "chapter_basics" / "linreg.md", OLD_SOURCE)
    write(tmp_path / "tgt" / "chapter_basics" / "linreg.md", OLD_TARGET)
    write(tmp_path / "new" / "chapter_models" / "linreg.md", NEW_SOURCE)
    # When the book is synced
    assert sync_book(tmp_path) == 0
    # Then the moved chapter reuses its translation: only the changed sentence is machine-translated
    out = (tmp_path / "out" / "chapter_models" / "linreg.md").read_text(encoding="utf-8")
    assert "[pseudo en→zh] Typical examples include predicting costs and forecasting demand." in out
    assert "每当我们想预测一个数值时，就会出现回归问题。" in out
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["renames"] == [
        {"old": "chapter_basics/linreg.md", "new": "chapter_models/linreg.md", "how": "content", "share": 1.0}
    ]
    assert report["files"][0]["previous_file"] == "chapter_basics/linreg.md"


@pytest.mark.usefixtures("use_aligner")
def test_a_rename_map_overrides_the_detection(tmp_path: Path) -> None:
    # Given two old chapters with the same content, and a map that says which one the new chapter continues
    for name in ("a", "b"):
        write(tmp_path / "old" / "old" / f"{name}.md", OLD_SOURCE)
        write(tmp_path / "tgt" / "old" / f"{name}.md", OLD_TARGET.replace("# 线性回归", f"# 线性回归（{name}）"))
    write(tmp_path / "new" / "new" / "linreg.md", NEW_SOURCE)
    renames = write(tmp_path / "renames.tsv", "# moved in the second edition\nold/b.md\tnew/linreg.md\n")

    assert sync_book(tmp_path, "--renames", str(renames)) == 0

    out = (tmp_path / "out" / "new" / "linreg.md").read_text(encoding="utf-8")
    assert out.startswith("# 线性回归（b）\n")
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["renames"] == [{"old": "old/b.md", "new": "new/linreg.md", "how": "map", "share": 1.0}]


def test_a_malformed_rename_map_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "old" / "a.md", OLD_SOURCE)
    write(tmp_path / "tgt" / "a.md", OLD_TARGET)
    write(tmp_path / "new" / "a.md", OLD_SOURCE)
    renames = write(tmp_path / "renames.tsv", "a.md\n")
    assert sync_book(tmp_path, "--renames", str(renames)) == 2
    assert f"{renames}:1: expected two chapter paths" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.usefixtures("use_aligner")
def test_a_human_chapter_that_cannot_be_synced_is_kept_with_a_proposal_beside_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a translation that is not a translation of its old source (another section's file)
    write(tmp_path / "old" / "ch" / "a.md", OLD_SOURCE)
    human = write(tmp_path / "tgt" / "ch" / "a.md", OTHER_TARGET)
    write(tmp_path / "new" / "ch" / "a.md", NEW_SOURCE)
    # When the book is synced
    status = sync_book(tmp_path)
    # Then the human file is published unchanged, the machine translation sits beside it, marked, and the reason
    # is given
    assert status == 1
    assert (tmp_path / "out" / "ch" / "a.md").read_bytes() == human.read_bytes()
    proposal = (tmp_path / "out" / "ch" / "a.amts-proposal.md").read_text(encoding="utf-8")
    assert proposal.count("<!-- amts:review reasons=machine-translation") >= 5
    assert "wrong file or a different book" in capsys.readouterr().err
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["human_files_kept"] == [{"file": "ch/a.md", "proposal": "ch/a.amts-proposal.md"}]
    assert "not synced, human file kept" in report["problems"][0]["problem"]
    # and the proposal's machine text is not in the memory: the published chapter is the human one
    memory = json.loads((tmp_path / "out" / ".amts" / "memory.en-zh.json").read_text(encoding="utf-8"))
    assert not any(entry["origin"] == "machine" for entry in memory["entries"].values())
    # and a later book sync that reads this output (into another language, the book's translation as its
    # source) does not take the proposal for a chapter
    (tmp_path / "es").mkdir()
    out = str(tmp_path / "out")
    options = ["--old-source", out, "--old-target", str(tmp_path / "es"), "--new-source", out]
    assert main(["sync", *options, "-o", str(tmp_path / "es2"), "--pair", "zh-es", "--engine", "pseudo",
                 "--report", str(tmp_path / "es.json")]) == 0  # fmt: skip
    assert [f["file"] for f in json.loads((tmp_path / "es.json").read_text(encoding="utf-8"))["files"]] == ["ch/a.md"]
    assert sorted(p.name for p in (tmp_path / "es2" / "ch").iterdir()) == ["a.md"]


@pytest.mark.usefixtures("use_aligner")
@pytest.mark.parametrize(
    ("options", "expected"),
    [
        pytest.param(("--fuzzy-threshold", "off"), "[pseudo en→zh] Why is the squared loss so convenient?", id="off"),
        pytest.param(("--mt-suggestions",), "| suggestion: [pseudo en→zh] Why is the squared loss so", id="suggest"),
    ],
)
def test_a_proposal_is_made_with_the_runs_fuzzy_options(
    tmp_path: Path, options: tuple[str, ...], expected: str
) -> None:
    """Given a book whose first chapter teaches the memory a human sentence, and a second chapter that cannot be
    synced (another section's translation) and asks an almost identical question
    When the book is synced with fuzzy matching off, or with MT suggestions
    Then the proposal offered for the second chapter is made with those options too."""
    write(tmp_path / "old" / "ch" / "b.md", OLD_SOURCE)
    write(tmp_path / "tgt" / "ch" / "b.md", OLD_TARGET)
    write(tmp_path / "new" / "ch" / "b.md", NEW_SOURCE)
    write(tmp_path / "old" / "ch" / "z.md", OLD_SOURCE)
    write(tmp_path / "tgt" / "ch" / "z.md", OTHER_TARGET)
    write(tmp_path / "new" / "ch" / "z.md", "# Squares\n\n1. Why is the squared loss so convenient?\n")

    assert sync_book(tmp_path, *options) == 1

    proposal = (tmp_path / "out" / "ch" / "z.amts-proposal.md").read_text(encoding="utf-8")
    assert expected in proposal


def test_each_chapter_file_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a book of one chapter with its old source, translation and new source
    When the book is synced
    Then each of the three files is parsed once (the old source is not parsed again for the chapter's sync)."""
    from amts.book import parser
    from amts.sync import book

    write(tmp_path / "old" / "ch" / "a.md", OLD_SOURCE)
    write(tmp_path / "tgt" / "ch" / "a.md", OLD_TARGET)
    write(tmp_path / "new" / "ch" / "a.md", NEW_SOURCE)
    parsed: list[str] = []
    real = parser.parse

    def counting(text: str, *, path: str) -> object:
        parsed.append(Path(path).parts[-3])
        return real(text, path=path)

    monkeypatch.setattr(parser, "parse", counting)
    monkeypatch.setattr(book, "parse", counting, raising=False)
    monkeypatch.setattr(engine, "default_aligner", lambda *args: ([], 0.9))

    assert sync_book(tmp_path) == 0

    assert sorted(parsed) == ["new", "old", "tgt"]


@pytest.mark.parametrize(
    ("at_path", "refusal", "differences", "action", "problem"),
    [
        (True, None, [], "publish", None),
        (False, None, [], "publish", None),
        (True, "wrong file", [], "keep-human", "not synced, human file kept: wrong file"),
        (
            True,
            None,
            ["a.md:3: missing label: x", "a.md:9: extra figure: y"],
            "keep-human",
            "not synced, human file kept: the synced chapter still differs from its source in 2 places "
            "(first: a.md:3: missing label: x)",
        ),
        (
            False,
            None,
            ["a.md:3: missing label: x"],
            "publish",
            "published with a skeleton-mismatch marker: the synced chapter still differs from its source in 1 "
            "places (first: a.md:3: missing label: x)",
        ),
    ],
    ids=["synced", "new", "refused", "differs", "new-differs"],
)
def test_what_becomes_of_a_chapter(
    at_path: bool, refusal: str | None, differences: list[str], action: str, problem: str | None
) -> None:
    """Given a chapter's sync: whether a translation is at its path, a refusal, its skeleton differences
    When its outcome is decided
    Then a translation at its path is replaced only by a synced output with its source's skeleton, and a chapter
    with none there is published, with a problem reported when its output still differs."""
    decision = chapter_outcome(translation_at_path=at_path, refusal=refusal, skeleton_differences=differences)

    assert (decision.action, decision.problem) == (action, problem)


@dataclass
class _ReferencingTranslator:
    """MT that adds a reference to every text: its output never has its source's skeleton."""

    name: str = "referencing"

    def __call__(self, texts: list[str], source_lang: str, target_lang: str) -> list[str]:
        return [f"{text} :numref:`sec_elsewhere`" for text in texts]


def test_a_chapter_whose_output_still_differs_is_published_only_where_nothing_is_kept(tmp_path: Path) -> None:
    """Given a book with a translated chapter and a new one, and MT whose output breaks the skeleton
    When the book is synced
    Then the translated chapter keeps its human file (the output offered as a proposal), and the new chapter,
    with nothing at its path to keep, is published with a skeleton-mismatch marker and reported."""
    write(tmp_path / "old" / "ch" / "a.md", OLD_SOURCE)
    write(tmp_path / "tgt" / "ch" / "a.md", OLD_TARGET)
    write(tmp_path / "new" / "ch" / "a.md", NEW_SOURCE)
    write(tmp_path / "new" / "ch" / "fresh.md", "# Fresh\n\nA new section.\n")
    memory = TranslationMemory(source_lang="en", target_lang="zh")

    folders = (tmp_path / "old", tmp_path / "tgt", tmp_path / "new")
    synced = book.sync_book(*folders, memory, _ReferencingTranslator(), run="r")
    outcomes = {outcome.relative: outcome for outcome in synced}

    kept, fresh = outcomes["ch/a.md"], outcomes["ch/fresh.md"]
    assert kept.output == OLD_TARGET
    assert kept.proposal is not None
    assert (kept.problem or "").startswith("not synced, human file kept: the synced chapter still differs")
    assert fresh.proposal is None
    assert (fresh.output or "").startswith("<!-- amts:review reasons=skeleton-mismatch chars=2 -->")
    assert (fresh.problem or "").startswith("published with a skeleton-mismatch marker: the synced chapter still")
