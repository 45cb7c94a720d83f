"""The guarantees a translator relies on: an edit survives however the chapter's path is spelled, runs that share a
memory lose nothing, and a kill at any write leaves the output and the memory both old or both new."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from amts.sync import sync_documents
from amts.sync.apply import record_sync
from amts.sync.local_state import LocalState

from amts_local.cli import main
from amts_local.engines.sync import PseudoTranslator
from tests.unit.sync.samples import OLD_SOURCE, OLD_TARGET

FIRST_EDIT = OLD_SOURCE.replace(
    "Common examples include predicting prices", "Typical examples include predicting costs"
)
SECOND_EDIT = FIRST_EDIT.replace("and forecasting demand.", "and forecasting revenue.")
MACHINE = "[pseudo en→zh] Typical examples include predicting costs and forecasting demand."
REVIEWED = "典型的例子包括预测成本和预测需求。"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def sync_file(old: Path, target: Path, new: Path, out: Path, memory: Path, report: Path) -> int:
    return main(
        [
            "sync", "--old-source", str(old), "--old-target", str(target), "--new-source", str(new),
            "-o", str(out), "--memory", str(memory), "--report", str(report), "--engine", "pseudo",
        ]
    )  # fmt: skip


def test_a_reviewers_edit_survives_a_resync_through_another_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a chapter synced once (one sentence machine-translated), then corrected by a reviewer
    book = tmp_path / "book"
    old = write(book / "en-v1" / "chapter_linear" / "linreg.md", OLD_SOURCE)
    target = write(book / "zh" / "chapter_linear" / "linreg.md", OLD_TARGET)
    first_new = write(book / "en-v2" / "chapter_linear" / "linreg.md", FIRST_EDIT)
    memory = tmp_path / "state" / "memory.en-zh.json"
    published = tmp_path / "site" / "zh" / "chapter_linear" / "linreg.md"
    assert sync_file(old, target, first_new, published, memory, tmp_path / "r1.json") == 0
    assert MACHINE in published.read_text(encoding="utf-8")
    write(published, published.read_text(encoding="utf-8").replace(MACHINE, REVIEWED))
    # When the English sentence changes again and the chapter is synced through other spellings of its paths
    second_new = write(book / "en-v3" / "chapter_linear" / "linreg.md", SECOND_EDIT)
    (tmp_path / "alias").symlink_to(book)
    monkeypatch.chdir(tmp_path / "site")
    status = sync_file(
        Path("../alias/en-v2/chapter_linear/linreg.md"),
        Path("zh/chapter_linear/../chapter_linear/linreg.md"),
        tmp_path / "alias" / "en-v3" / "chapter_linear" / "linreg.md",
        Path("zh-next/chapter_linear/linreg.md"),
        memory,
        tmp_path / "r2.json",
    )
    # Then the reviewer's sentence is kept and flagged for a person, not replaced by fresh MT
    assert status == 0
    output = (tmp_path / "site" / "zh-next" / "chapter_linear" / "linreg.md").read_text(encoding="utf-8")
    assert REVIEWED in output
    assert "forecasting revenue" not in output
    report = json.loads((tmp_path / "r2.json").read_text(encoding="utf-8"))
    assert report["human_edits_detected"] == 1
    assert report["mt_chars"] == 0
    assert [item["reasons"] for item in report["review"]] == [["human-edit-source-changed"]]
    assert second_new.read_text(encoding="utf-8") == SECOND_EDIT


def _chapter(index: int) -> tuple[str, str, str]:
    """A sample chapter of its own (different heading and one different sentence): old source, target, new."""
    old = OLD_SOURCE.replace("# Linear Regression", f"# Linear Regression, part {index}")
    target = OLD_TARGET.replace("# 线性回归", f"# 线性回归（第{index}部分）")
    new = old.replace(
        "Not every prediction problem is a regression problem.", f"Part {index} closes with a short quiz."
    )
    return old, target, new


def test_two_runs_sharing_a_memory_keep_each_others_entries(tmp_path: Path) -> None:
    # Given two runs that read the same memory before either publishes
    state_path = tmp_path / ".amts" / "memory.en-zh.json"
    first, second = LocalState(state_path), LocalState(state_path)
    memories = [state.load(source_lang="en", target_lang="zh") for state in (first, second)]
    bases = [memory.model_copy(deep=True) for memory in memories]
    results = []
    for index, memory in enumerate(memories, start=1):
        old, target, new = _chapter(index)
        results.append(
            sync_documents(old, target, new, memory, PseudoTranslator(), file=f"ch/{index}.md", record=False)
        )
        record_sync(results[-1], memory)
    # When the second publishes first, then the first
    second.publish({tmp_path / "out" / "2.md": results[1].markdown}, memories[1], base=bases[1])
    written = first.publish({tmp_path / "out" / "1.md": results[0].markdown}, memories[0], base=bases[0])
    # Then the memory holds both runs' machine output
    stored = json.loads(state_path.read_text(encoding="utf-8"))
    sources = {entry["source"] for entry in stored["entries"].values() if entry["origin"] == "machine"}
    assert {"Part 1 closes with a short quiz.", "Part 2 closes with a short quiz."} <= sources
    assert len(written) == len(stored["entries"])


@pytest.mark.slow
def test_concurrent_sync_processes_sharing_a_memory_lose_nothing(tmp_path: Path) -> None:
    # Given four chapters synced by four `amts sync` processes at once, with one memory file
    memory = tmp_path / "shared" / "memory.en-zh.json"
    commands = []
    for index in range(1, 5):
        old, target, new = _chapter(index)
        paths = [write(tmp_path / part / f"ch{index}" / "a.md", text) for part, text in
                 (("en-v1", old), ("zh", target), ("en-v2", new))]  # fmt: skip
        commands.append(
            [
                sys.executable, "-m", "amts_local.cli", "sync",
                "--old-source", str(paths[0]), "--old-target", str(paths[1]), "--new-source", str(paths[2]),
                "-o", str(tmp_path / "out" / f"ch{index}" / "a.md"),
                "--memory", str(memory), "--engine", "pseudo",
            ]
        )  # fmt: skip
    processes = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for command in commands]
    assert [process.wait(timeout=300) for process in processes] == [0, 0, 0, 0]
    # Then every run's machine output is in the memory
    stored = json.loads(memory.read_text(encoding="utf-8"))
    machine = {e["source"] for e in stored["entries"].values() if e["origin"] == "machine"}
    assert {f"Part {i} closes with a short quiz." for i in range(1, 5)} <= machine
    assert not memory.with_name(memory.name + ".journal").exists()


# A sync run that dies (os._exit, no clean-up) just before its N-th file-system change.
KILLER = textwrap.dedent(
    """
    import os, sys
    limit = int(sys.argv[1])
    seen = [0]
    def counted(real):
        def call(*args, **kwargs):
            seen[0] += 1
            if seen[0] == limit:
                os._exit(137)
            return real(*args, **kwargs)
        return call
    os.replace = counted(os.replace)
    os.fsync = counted(os.fsync)
    os.unlink = counted(os.unlink)
    from amts_local.cli import main
    sys.exit(main(sys.argv[2:]))
    """
)


def _state(root: Path) -> tuple[str, str]:
    out = root / "out" / "ch" / "a.md"
    memory = root / "out" / ".amts" / "memory.en-zh.json"
    return out.read_text(encoding="utf-8"), memory.read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_kill_at_every_write_step_leaves_output_and_memory_both_old_or_both_new(tmp_path: Path) -> None:
    def prepare(root: Path) -> list[str]:
        """A book synced once (the 'old' state), and the arguments of the next sync."""
        write(root / "v1" / "ch" / "a.md", OLD_SOURCE)
        write(root / "zh" / "ch" / "a.md", OLD_TARGET)
        write(root / "v2" / "ch" / "a.md", FIRST_EDIT)
        write(root / "v3" / "ch" / "a.md", SECOND_EDIT)
        first = ["sync", "--old-source", str(root / "v1"), "--old-target", str(root / "zh"),
                 "--new-source", str(root / "v2"), "-o", str(root / "out"), "--engine", "pseudo"]  # fmt: skip
        assert main(first) == 0
        # The next sync reads a copy of the published book (inputs are never outputs) and updates the published one
        shutil.copytree(root / "out", root / "published")
        return ["sync", "--old-source", str(root / "v2"), "--old-target", str(root / "published"),
                "--new-source", str(root / "v3"), "-o", str(root / "out"), "--engine", "pseudo"]  # fmt: skip

    # The second sync, run to the end: its output (the memory differs by run id and time, so it is told by content)
    reference = tmp_path / "reference"
    arguments = prepare(reference)
    assert main(arguments) == 0
    finished_output, _ = _state(reference)
    assert "forecasting revenue" in finished_output
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    # When the second sync is killed before each of its file-system changes in turn
    kill = 1
    while True:
        root = tmp_path / f"kill-{kill}"
        arguments = prepare(root)
        before = _state(root)
        completed = subprocess.run(
            [sys.executable, "-c", KILLER, str(kill), *arguments], env=environment, capture_output=True, timeout=120
        )
        if completed.returncode == 0:
            break  # every change was reached: the run finished
        assert completed.returncode == 137, completed.stderr.decode()
        # Then whoever takes the memory next finds a consistent pair: both old (byte for byte) or both new
        LocalState(root / "out" / ".amts" / "memory.en-zh.json").load(source_lang="en", target_lang="zh")
        output, memory = _state(root)
        memory_is_new = any("forecasting revenue" in source for source in json.loads(memory)["entries"])
        if memory_is_new:
            assert output == finished_output, f"killed before change {kill}: new memory, old output"
        else:
            assert (output, memory) == before, f"killed before change {kill}: old memory, changed output"
        assert not list((root / "out").rglob("*.amts-*.tmp")), f"killed before change {kill}: temporary files left"
        kill += 1
    assert kill >= 8  # the journal, the temporary files, the commit, the renames and the clean-up were all cut


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to name the files flushed")
def test_the_publish_is_flushed_to_disk_before_and_after_its_commit_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a sync whose publish is watched (every os.fsync and os.replace, in order)
    When it publishes a chapter and the memory
    Then the new files, the journal's commit record and the folders that name them reach the disk before the
    commit record is in place; the output folders are flushed after the renames: a power loss, not only a killed
    process, leaves output and memory both old or both new."""
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync " + os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    def replace(src: Any, dst: Any) -> None:
        events.append(f"replace {dst}")
        real_replace(src, dst)

    write(tmp_path / "v1" / "ch" / "a.md", OLD_SOURCE)
    write(tmp_path / "zh" / "ch" / "a.md", OLD_TARGET)
    write(tmp_path / "v2" / "ch" / "a.md", FIRST_EDIT)
    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)

    folders = ["--old-source", str(tmp_path / "v1"), "--old-target", str(tmp_path / "zh")]
    status = main(
        ["sync", *folders, "--new-source", str(tmp_path / "v2"), "-o", str(tmp_path / "out"), "--engine", "pseudo"]
    )

    assert status == 0
    out, state = tmp_path / "out", tmp_path / "out" / ".amts"
    journal = state / "memory.en-zh.json.journal"
    commit = max(i for i, event in enumerate(events) if event == f"replace {journal}")
    output = events.index(f"replace {out / 'ch' / 'a.md'}")
    before, after = events[:commit], events[output:]
    assert any(e.startswith(f"fsync {out / 'ch'}/.a.md.amts-") for e in before)  # the new chapter's data
    assert any(e.startswith(f"fsync {state}/.memory.en-zh.json.journal.") for e in before)  # the commit record's
    assert f"fsync {out / 'ch'}" in before  # the temporary file's name
    assert f"fsync {state}" in before  # the commit record's name
    assert f"fsync {out / 'ch'}" in after  # the renamed chapter
