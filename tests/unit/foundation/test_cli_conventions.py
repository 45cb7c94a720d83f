"""The command line's conventions (README, "Command line"): ``--version``, ``-q``/``-v``, ``-`` for standard input and
output, one meaning per flag name, and the old spellings kept for one release with a one-line deprecation note."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

from amts_local import cli
from amts_local.cli import main
from tests.clirun import CliResult, run_cli, write_pipeline_config
from tests.unit.align.samples import EN, EN_MD, ZH, ZH_MD

CHAPTER = "# Tensors\n\nA tensor holds numbers in a grid. Its shape says how many there are.\n"
CHAPTER_ZH = "# 张量\n\n张量在网格中存放数字。它的形状说明有多少个数字。\n"
GLOSSARY = "encoder，编码器\n"  # the book's markdown glossary form: 中文，english (zh-en)


def deprecation(result: CliResult, old: str, new: str) -> None:
    """The note an old spelling prints: one line on stderr, naming the old and the new spelling."""
    notes = [line for line in result.err.splitlines() if "deprecated" in line]
    assert notes == [f"amts: note: {old} is deprecated, use {new} (the old spelling goes in 0.3.0)"], result.err


def run_with_stdin(argv: list[str], data: bytes, monkeypatch: pytest.MonkeyPatch) -> CliResult:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    return run_cli(argv)


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("amts ")
    assert out.split(" ", 1)[1][0].isdigit() or "not installed" in out


def test_unreadable_package_metadata_still_gives_a_version_and_the_global_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given metadata a user cannot read (importlib.metadata then answers None, as for "nobody" in a private venv)
    monkeypatch.setattr(cli.metadata, "version", lambda name: None)
    chapter = tmp_path / "a.md"
    chapter.write_text(CHAPTER, encoding="utf-8")
    # Then a command still runs, with its -q/-v defaults, and --version says why it cannot tell
    assert main(["segment", str(chapter), "--lang", "en"]) == 0
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip().endswith("amts unknown (metadata unreadable)")


def test_quiet_and_verbose_go_before_or_after_the_command(tmp_path: Path) -> None:
    chapter = tmp_path / "a.md"
    chapter.write_text(CHAPTER, encoding="utf-8")
    for argv in (["-q", "segment", str(chapter), "--lang", "en"], ["segment", str(chapter), "--lang", "en", "-q"]):
        result = run_cli(argv)
        assert result.status == 0
        assert result.out == "Tensors\nA tensor holds numbers in a grid.\nIts shape says how many there are.\n"
    assert run_cli(["segment", str(chapter), "--lang", "en", "-q", "-v"]).status == 2  # one or the other


def test_quiet_silences_the_deprecation_note(tmp_path: Path) -> None:
    chapter = tmp_path / "a.md"
    chapter.write_text(CHAPTER, encoding="utf-8")
    result = run_cli(["-q", "to-html", str(chapter), "--out", str(tmp_path / "a.html")])
    assert result.status == 0
    assert result.err == ""
    assert 'id="s0001"' in (tmp_path / "a.html").read_text(encoding="utf-8")


def test_segment_reads_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    result = run_with_stdin(["segment", "-", "--lang", "en"], CHAPTER.encode(), monkeypatch)
    assert result.status == 0, result
    assert result.out.splitlines()[0] == "Tensors"


def test_bad_standard_input_is_named_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    result = run_with_stdin(["segment", "-", "--lang", "en"], b"# Title\n\n\xff\xfe bad\n", monkeypatch)
    assert result.status == 2
    assert result.error_line.startswith("amts segment: error: <stdin>:3: invalid UTF-8")


def test_to_html_and_from_html_through_standard_input_and_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chapter = tmp_path / "a.md"
    chapter.write_text(CHAPTER, encoding="utf-8")
    html = run_with_stdin(["to-html", "-", "-o", "-"], CHAPTER.encode(), monkeypatch)
    assert html.status == 0, html
    assert 'id="s0001"' in html.out
    assert html.err == ""
    rebuilt = run_with_stdin(["from-html", str(chapter), "-", "-o", "-"], html.out.encode(), monkeypatch)
    assert rebuilt.status == 0, rebuilt
    assert rebuilt.out == CHAPTER  # the markdown alone on stdout; the count went to stderr
    assert "segments translated" in rebuilt.err


def test_only_one_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    result = run_with_stdin(["align", "-", "-", "--src", "en", "--tgt", "zh"], b"A.\n", monkeypatch)
    assert result.status == 2
    assert result.error_line == "amts align: error: only one of SRC and TGT can be - (standard input)"


def test_align_reads_one_side_from_standard_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    zh = tmp_path / "zh.txt"
    zh.write_text("\n".join(ZH[:6]) + "\n", encoding="utf-8")
    data = ("\n".join(EN[:6]) + "\n").encode()
    result = run_with_stdin(["align", "-", str(zh), "--src", "en", "--tgt", "zh"], data, monkeypatch)
    assert result.status == 0, result
    assert result.out.splitlines()[0] == "[0]:[0]"


def test_pairs_writes_csv_to_standard_output_and_the_report_to_stderr(tmp_path: Path) -> None:
    (tmp_path / "en.md").write_text(EN_MD, encoding="utf-8")
    (tmp_path / "zh.md").write_text(ZH_MD, encoding="utf-8")
    argv = ["pairs", str(tmp_path / "en.md"), str(tmp_path / "zh.md"), "--src", "en", "--tgt", "zh", "-o", "-"]
    result = run_cli(argv)
    assert result.status == 0, result
    rows = list(csv.reader(io.StringIO(result.out)))
    assert rows[0] == ["en", "zh"]
    assert [EN[3], ZH[3]] in rows
    assert "to standard output" in result.err
    assert not (tmp_path / "-").exists()


def test_pairs_json_report_and_no_sentence_count_for_paragraphs(tmp_path: Path) -> None:
    (tmp_path / "en.md").write_text(EN_MD, encoding="utf-8")
    (tmp_path / "zh.md").write_text(ZH_MD, encoding="utf-8")
    argv = ["pairs", str(tmp_path / "en.md"), str(tmp_path / "zh.md"), "--src", "en", "--tgt", "zh"]
    text = run_cli([*argv, "--granularity", "paragraph", "-o", str(tmp_path / "p.csv")])
    assert text.status == 0, text
    assert "sentences:" not in text.out  # paragraph pairs have no sentence count, not "0 source, 0 target"
    assert "paragraph pairs from 1 file pair(s)" in text.out
    as_json = run_cli([*argv, "-o", str(tmp_path / "s.csv"), "--json"])
    report = json.loads(as_json.out)
    assert report["granularity"] == "sentence"
    assert report["pairs"] == 11
    assert report["src_sentences"] > 0


@pytest.mark.parametrize("command", ["to-html", "from-html", "build-parallel-data", "import-terminology", "sync"])
def test_out_is_a_deprecated_alias_of_output(tmp_path: Path, command: str) -> None:
    chapter = tmp_path / "a.md"
    chapter.write_text(CHAPTER, encoding="utf-8")
    translation = tmp_path / "zh" / "a.md"
    translation.parent.mkdir()
    translation.write_text(CHAPTER_ZH, encoding="utf-8")
    glossary = tmp_path / "TERMINOLOGY.zh-en.md"
    glossary.write_text(GLOSSARY, encoding="utf-8")
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("A tensor holds numbers.\t张量存放数字。\n", encoding="utf-8")
    html = tmp_path / "a.html"
    html.write_text(run_cli(["to-html", str(chapter), "-o", "-"]).out, encoding="utf-8")
    inputs = {
        "to-html": [str(chapter)],
        "from-html": [str(chapter), str(html)],
        "build-parallel-data": [str(pairs), "--pair", "en-zh"],
        "import-terminology": [str(glossary), "--pair", "en-zh"],
        "sync": ["--old-source", str(chapter), "--old-target", str(translation), "--new-source", str(chapter)],
    }[command]
    for spelling in ("-o", "--output", "--out"):
        out = tmp_path / f"out{spelling}.txt"
        result = run_cli([command, *inputs, spelling, str(out), *(["--engine", "pseudo"] if command == "sync" else [])])
        assert result.status == 0, result
        assert out.is_file()
        if spelling == "--out":
            deprecation(result, "--out", "-o/--output")
        else:
            assert "deprecated" not in result.err


def test_output_is_required_whatever_its_spelling(tmp_path: Path) -> None:
    chapter = tmp_path / "a.md"
    chapter.write_text(CHAPTER, encoding="utf-8")
    result = run_cli(["to-html", str(chapter)])
    assert result.status == 2
    assert "the following arguments are required: -o/--output" in result.error_line


def test_json_is_a_switch_and_json_file_a_deprecated_report(tmp_path: Path) -> None:
    # Given a translation and its source with one structural difference
    (tmp_path / "zh.md").write_text("# 标题\n\n文字。\n", encoding="utf-8")
    (tmp_path / "en.md").write_text("# Title\n\nText.\n\n$$x$$\n", encoding="utf-8")
    argv = ["check-skeleton", str(tmp_path / "zh.md"), str(tmp_path / "en.md")]
    # When --json is given alone, then the differences are printed as JSON
    switch = run_cli([*argv, "--json"])
    assert switch.status == 1
    assert json.loads(switch.out)["files"][0]["differences"]
    # When the new --report FILE is given, then the JSON is written there and the text printed
    report = tmp_path / "r.json"
    new = run_cli([*argv, "--report", str(report)])
    assert new.status == 1
    assert "structural differences" in new.out
    assert json.loads(report.read_text(encoding="utf-8"))["files"][0]["differences"]
    # When the old --json FILE is given, then it still writes the file, with a deprecation note
    old_file = tmp_path / "old.json"
    old = run_cli([*argv, "--json", str(old_file)])
    assert old.status == 1
    assert old_file.read_text(encoding="utf-8") == report.read_text(encoding="utf-8")
    deprecation(old, "--json FILE", "--report FILE (--json now prints the report as JSON)")


def test_check_terms_json_switch_and_old_json_file(tmp_path: Path) -> None:
    glossary = tmp_path / "TERMINOLOGY.zh-en.md"
    glossary.write_text(GLOSSARY, encoding="utf-8")
    (tmp_path / "src.md").write_text("The encoder reads.\n", encoding="utf-8")
    (tmp_path / "out.md").write_text("编码器读取。\n", encoding="utf-8")
    argv = ["check-terms", str(glossary), str(tmp_path / "src.md"), str(tmp_path / "out.md"), "--pair", "en-zh"]
    switch = run_cli([*argv, "--json"])
    assert switch.status == 0, switch
    assert json.loads(switch.out)["consistency"] == 1.0
    old = run_cli([*argv, "--json", str(tmp_path / "r.json")])
    assert old.status == 0
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["consistency"] == 1.0
    deprecation(old, "--json FILE", "--report FILE (--json now prints the report as JSON)")


def test_build_parallel_data_stats_is_a_deprecated_report(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("A tensor holds numbers.\t张量存放数字。\n", encoding="utf-8")
    argv = ["build-parallel-data", str(pairs), "--pair", "en-zh", "-o", str(tmp_path / "pd.csv")]
    old = run_cli([*argv, "--stats", str(tmp_path / "stats.json")])
    assert old.status == 0, old
    assert json.loads((tmp_path / "stats.json").read_text(encoding="utf-8"))
    deprecation(old, "--stats", "--report")
    switch = run_cli([*argv, "--json"])
    assert json.loads(switch.out) == json.loads((tmp_path / "stats.json").read_text(encoding="utf-8"))


def test_validate_reads_standard_input_and_reports_json(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"en,zh\nA tensor.,\xe5\xbc\xa0\xe9\x87\x8f\xe3\x80\x82\n=SUM(A1),x\n"
    result = run_with_stdin(["validate-parallel-data", "-", "--format", "CSV", "--json"], data, monkeypatch)
    assert result.status == 1
    report = json.loads(result.out)
    assert report["file"] == "<stdin>"
    assert report["errors"] == 1
    assert report["problems"][0]["line"] == 3


def test_score_source_file_is_source_and_src_a_deprecated_alias(tmp_path: Path) -> None:
    text = "\n\n".join(f"Sentence number {n} is about bread and ovens." for n in range(6)) + "\n"
    for name in ("hyp.md", "ref.md", "src.md"):
        (tmp_path / name).write_text(text, encoding="utf-8")
    argv = ["score", "--hyp", str(tmp_path / "hyp.md"), "--ref", str(tmp_path / "ref.md"), "--tgt", "en"]
    new = run_cli([*argv, "--source", str(tmp_path / "src.md"), "--src-lang", "en", "--json"])
    assert "deprecated" not in new.err
    old = run_cli([*argv, "--src", str(tmp_path / "src.md"), "--src-lang", "en", "--json"])
    assert (old.status, old.out) == (new.status, new.out)
    assert [line for line in old.err.splitlines() if "deprecated" not in line] == new.err.splitlines()
    deprecation(old, "--src", "--source")
    # --src and --src-lang go together: the alias fills --source, so the pairing check sees it
    alone = run_cli([*argv, "--src", str(tmp_path / "src.md")])
    assert alone.status == 2
    assert alone.err.splitlines()[-1] == "amts score: error: --source and --src-lang go together"


@pytest.mark.parametrize(
    ("command", "phrases"),
    [
        ("run", ["--config FILE", "cdk.json", "language_pairs"]),  # how pairs are chosen
        ("demo", ["sample book", "Apertium"]),  # what the demo does
    ],
)
def test_help_describes_the_command(command: str, phrases: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for phrase in phrases:
        assert phrase in text


def test_run_config_file_is_read_and_named_when_bad(tmp_path: Path) -> None:
    from amts_local.cli.run import pipeline_config_file

    alone = write_pipeline_config(tmp_path / "pipeline.json", "fr")
    assert [p.key for p in pipeline_config_file(alone).language_pairs] == ["en-fr"]
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    for lang, text in (("en", CHAPTER), ("fr", "# Tenseurs\n\nUn tenseur range des nombres.\n")):
        (tmp_path / "book" / lang).mkdir(parents=True)
        (tmp_path / "book" / lang / "a.md").write_text(text, encoding="utf-8")
    argv = ["run", "--book", str(tmp_path / "book"), "--pairs", "en-fr", "-o", str(tmp_path / "out")]
    result = run_cli([*argv, "--config", str(bad)])
    assert result.status == 2
    assert "bad.json" in result.error_line
