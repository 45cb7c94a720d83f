"""The skeleton check: what a translation must share with its source, and how each difference is named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from amts.book import parse
from amts.book.skeleton import ElementKind, check_skeleton, code_key, reference_keys, skeleton

from amts_local.cli import main
from tests.unit.sync.samples import translated

SOURCE = """\
# Linear Models
:label:`sec_linear`

A linear model adds weighted features, as :numref:`fig_model` shows :cite:`Smith.2020`.

![A linear model.](../img/model.svg)
:label:`fig_model`

$$y = w x + b$$
:eqlabel:`eq_line`

```{.python .input}
# fit the line
w = fit(x, y)
print('done fitting')
```

```{.python .input}
#@tab pytorch
w = torch.zeros(1)
```

| name | value |
|---|---|
| w | 1 |
"""

# The translation: the source with its prose, comments and printed text translated, a paddle cell of its own and a
# slide mark on the math; each change once, in the order of the file.
TRANSLATED = {
    "# Linear Models": "# 线性模型",
    "A linear model adds weighted features, as :numref:`fig_model` shows :cite:`Smith.2020`.": (
        "线性模型把特征加权求和 :cite:`Smith.2020`，如 :numref:`fig_model`所示。"
    ),
    "![A linear model.]": "![线性模型。]",
    "$$y = w x + b$$": "(**$$y = w x + b$$**)",
    "# fit the line": "# 拟合直线",
    "print('done fitting')": "print('拟合完成')",
    "#@tab pytorch\n": "#@tab pytorch, paddle\n",
    "w = torch.zeros(1)\n```\n": (
        "w = torch.zeros(1)\n```\n\n"  # and the translators' own paddle cell after it
        "```{.python .input}\n#@tab paddle\nw = paddle.zeros([1])\n```\n"
    ),
    "| name | value |": "| 名称 | 值 |",
}


TRANSLATION = translated(SOURCE, TRANSLATED)


def check(translation: str, source: str = SOURCE, old: str | None = None) -> list[str]:
    result = check_skeleton(
        parse(translation, path="zh.md"),
        parse(source, path="en.md"),
        parse(old, path="old.md") if old is not None else None,
    )
    return [str(difference) for difference in result.differences]


def test_a_faithful_translation_has_the_skeleton_of_its_source() -> None:
    result = check_skeleton(parse(TRANSLATION, path="zh.md"), parse(SOURCE, path="en.md"))
    assert result.ok
    assert result.translator_only == 1  # the paddle cell is the translators' own


def test_each_kind_of_structural_difference_is_named_with_its_line() -> None:
    broken = (
        TRANSLATION.replace(":label:`fig_model`", ":label:`fig_old_model`")
        .replace("w = fit(x, y)", "w = fit(x, y, z)")
        .replace(" :cite:`Smith.2020`", "")
        .replace("$$y = w x + b$$", "$$y = w x$$")
    )
    assert check(broken) == [
        "zh.md:4: missing reference: :cite:`Smith.2020` (source line 4)",
        "zh.md:7: extra label: :label:`fig_old_model`",
        "zh.md:7: missing label: :label:`fig_model` (source line 7)",
        "zh.md:9: extra equation: (**$$y = w x$$**) :eqlabel:`eq_line`",
        "zh.md:9: missing equation: $$y = w x + b$$ :eqlabel:`eq_line` (source line 9)",
        "zh.md:12: extra code: # 拟合直线 w = fit(x, y, z)",
        "zh.md:12: missing code: # fit the line w = fit(x, y) (source line 12)",
    ]


def test_with_the_old_source_a_difference_says_whether_it_is_stale_or_new() -> None:
    old = SOURCE
    new = SOURCE.replace("$$y = w x + b$$", "$$y = w^\\top x + b$$").replace("| w | 1 |\n", "| w | 1 |\n| b | 0 |\n")
    assert check(TRANSLATION, new, old) == [
        "zh.md:9: new-missing equation: $$y = w^\\top x + b$$ :eqlabel:`eq_line` (source line 9)",
        "zh.md:9: stale equation: (**$$y = w x + b$$**) :eqlabel:`eq_line`",
        "zh.md:28: new-missing table: table of 4x2 (rows x columns) (source line 23)",
        "zh.md:28: stale table: table of 3x2 (rows x columns)",
    ]


def test_code_is_compared_without_what_translators_translate() -> None:
    english = "\n".join(
        [
            "```{.python .input  n=3}",
            "#@tab all",
            "def f(x):",
            '    """Square."""',
            "    return x * x  # square it",
            "print(f'result: {f(2)}')",
            "key = 'sha1:0a1b'",
            "```",
        ]
    )
    chinese = (
        english.replace("  n=3", "")
        .replace("Square.", "平方。")
        .replace("# square it", "# 求平方")
        .replace("result: ", "结果：")
    )
    changed = chinese.replace("sha1:0a1b", "sha1:ffff")
    assert code_key(english) == code_key(chinese)
    assert code_key(english) != code_key(changed)  # a string without spaces or non-ASCII letters is code


def test_references_in_one_paragraph_may_come_in_any_order() -> None:
    reordered = TRANSLATION.replace(
        "线性模型把特征加权求和 :cite:`Smith.2020`，如 :numref:`fig_model`所示。",
        "如 :numref:`fig_model`所示，线性模型把特征加权求和 :cite:`Smith.2020`。",
    )
    assert check(reordered) == []
    kinds = [e.kind for e in skeleton(parse(SOURCE, path="en.md")) if e.kind is ElementKind.REF]
    assert len(kinds) == 2


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_command_lists_differences_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    translation = write(tmp_path / "zh" / "ch" / "a.md", TRANSLATION.replace(":eqlabel:`eq_line`", ""))
    source = write(tmp_path / "en" / "ch" / "a.md", SOURCE)
    write(tmp_path / "en" / "ch" / "b.md", SOURCE)  # not translated yet: listed, not compared
    write(tmp_path / "zh" / "ch" / "a.amts-proposal.md", "# 提案\n")  # a proposal is not a chapter

    status = main(["check-skeleton", str(tmp_path / "zh"), str(tmp_path / "en"), "--report", str(tmp_path / "r.json")])

    out = capsys.readouterr().out
    assert status == 1
    assert f"{translation}:12: missing eqlabel: :eqlabel:`eq_line` (source line 10)" in out
    assert out.endswith("1 structural differences in 1 of 1 files; 1 source files have no translation (not compared)\n")
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["untranslated"] == ["ch/b.md"]
    assert report["files"][0]["differences"][0]["element"] == "eqlabel"
    # A faithful file passes: exit 0
    write(translation, TRANSLATION)
    assert main(["check-skeleton", str(translation), str(source)]) == 0
    assert capsys.readouterr().out == "0 structural differences in 0 of 1 files\n"


def test_the_command_answers_bad_input_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write(tmp_path / "en.md", SOURCE)
    broken = write(tmp_path / "zh.md", "# 标题\n\n```{.python .input}\nx = 1\n")
    assert main(["check-skeleton", str(broken), str(source)]) == 2
    assert f"{broken}:3" in capsys.readouterr().err
    assert main(["check-skeleton", str(tmp_path / "missing.md"), str(source)]) == 2
    assert main(["check-skeleton", str(tmp_path), str(source)]) == 2
    assert "not a mix" in capsys.readouterr().err


def test_the_command_reads_each_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a translated book of one chapter, with its old source
    When its skeleton is checked
    Then each of the three files is parsed once."""
    from amts.book import parser

    from amts_local.cli import book as book_cli

    for root, text in (("zh", TRANSLATION), ("en", SOURCE), ("old", SOURCE)):
        write(tmp_path / root / "a.md", text)
    parsed: list[str] = []
    real = parser.parse

    def counting(text: str, *, path: str) -> object:
        parsed.append(Path(path).parent.name)
        return real(text, path=path)

    monkeypatch.setattr(parser, "parse", counting)
    monkeypatch.setattr(book_cli, "parse", counting, raising=False)

    assert (
        main(["check-skeleton", str(tmp_path / "zh"), str(tmp_path / "en"), "--old-source", str(tmp_path / "old")]) == 0
    )

    assert sorted(parsed) == ["en", "old", "zh"]


def test_a_reference_span_gives_one_key_per_target() -> None:
    """Given reference spans of each kind
    When their skeleton keys are read
    Then each target is one key, and the cite roles are one role."""
    assert reference_keys(":citet:`Lee.2021, Smith.2020`") == ["cite:Lee.2021", "cite:Smith.2020"]
    assert reference_keys(":numref:`fig_a`") == ["numref:fig_a"]
    assert reference_keys("`code`") == []
