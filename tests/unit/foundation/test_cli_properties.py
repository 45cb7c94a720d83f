"""Property test of the command line's promise (README, "Command line") on inputs nobody wrote on purpose.

Random byte strings and random mutations of valid chapters go through every command that reads a chapter (and
the ones that read a pairs file or a glossary): each either succeeds or exits 2 with exactly one line on standard
error, never a traceback; the inputs are never changed, and a refused command writes nothing. The few commands
whose job is a check may also exit 1 (a check that failed), with their findings on standard output.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amts_local.samplebook import CHAPTERS
from tests.clirun import files_under, run_cli, tree_hashes

VALID = [texts for texts in CHAPTERS.values() if "zh" in texts]  # the sample book's chapters with a translation
EXAMPLES = 20  # per command: the whole test stays under 20 s on the 2-core machine
TOKENS = [
    "```",
    "```{.python .input}\n",
    "~~~",
    "$$",
    "$",
    ":begin_tab:`pytorch`\n",
    ":end_tab:\n",
    "<!--",
    "-->",
    "<pre>",
    "<div class='x'>",
    "---\n",
    "[^1]",
    "[x]: https://example.org\n",
    "{#id .cls}",
    ":label:`x`",
    ":eqref:`x`",
    "![a](b.svg)",
    "|a|b|\n",
    "\r",
    "\r\n",
    "\n\n",
    "\t",
    "    ",
    "# ",
    "\ufeff",
    "\u2028",
    "\x00",
    "=SUM(A1)",
    "é",
    "模型",
]


@st.composite
def mutated_chapter(draw: st.DrawFn, lang: str) -> tuple[int, bytes]:
    """A valid chapter (which one, and its text in ``lang``) with a few random edits: tokens in, slices out, lines
    swapped, bytes replaced (which may leave invalid UTF-8), or the end cut off."""
    index = draw(st.integers(0, len(VALID) - 1))
    data = bytearray(VALID[index][lang].encode("utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(["insert", "delete", "swap", "byte", "cut"]))
        if edit == "insert":
            data[at:at] = draw(st.sampled_from(TOKENS)).encode("utf-8")
        elif edit == "delete":
            del data[at : at + draw(st.integers(1, 200))]
        elif edit == "swap":
            lines = bytes(data).split(b"\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            data = bytearray(b"\n".join(lines))
        elif edit == "byte" and data:
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
        else:
            del data[at:]
    return index, bytes(data)


def chapter_bytes(lang: str) -> st.SearchStrategy[tuple[int, bytes]]:
    """Random bytes (beside chapter 0) or, twice as often, a mutation of a chapter in ``lang``."""
    noise = st.tuples(st.just(0), st.binary(max_size=300))
    return st.one_of(noise, mutated_chapter(lang), mutated_chapter(lang))


TABLE_BYTES = st.tuples(
    st.just(0),
    st.one_of(
        st.binary(max_size=200),
        st.lists(st.sampled_from(["en,zh", "tensor,张量", '"a\nb",c', "=x,y", "a,b,c", '"open,x', "\r\n", "\x00"]))
        .map("\n".join)
        .map(str.encode),
    ),
)

TMX = (
    '<?xml version="1.0"?>\n<tmx version="1.4"><header srclang="en"/><body>\n'
    '<tu><tuv xml:lang="en"><seg>A tensor holds numbers.</seg></tuv>\n'
    '<tuv xml:lang="zh"><seg>张量存放数字。</seg></tuv></tu>\n'
    "</body></tmx>\n"
)
TMX_BYTES = st.tuples(
    st.just(0),
    st.builds(
        lambda cut, insert, token: (TMX[:cut] + token + TMX[cut + insert :]).encode("utf-8"),
        st.integers(0, len(TMX)),
        st.integers(0, 40),
        st.sampled_from(["", "<tu>", "</seg>", "&lol;", "<!DOCTYPE x>", "\x00", "=x", "<seg>", "]]>", "\r\n"]),
    ),
)

# Each command gets the generated file as ``{bad}`` (a mutation of a chapter in the language given second);
# ``{en}``/``{zh}``/``{html}`` are that chapter's valid files, ``{out}`` a folder for outputs. The third item:
# whether exit 1 (a failed check) is an answer the command may give.
COMMANDS: list[tuple[str, str, bool]] = [
    ("segment {bad} --lang en", "en", False),
    ("roundtrip {bad}", "zh", False),
    ("to-html {bad} -o {out}/a.html", "en", False),
    ("from-html {bad} {html} -o {out}/a.md", "zh", True),
    ("check-skeleton {bad} {en}", "zh", True),
    ("review-list {bad}", "zh", False),
    ("estimate {bad} --pairs en-zh", "en", False),
    ("pairs {en} {bad} --src en --tgt zh -o {out}/p.csv", "zh", False),
    ("score --hyp {bad} --ref {zh} --tgt zh", "zh", False),
    ("sync --old-source {en} --old-target {bad} --new-source {en} -o {out}/s.md --report {out}/r.json", "zh", True),
    ("sync --old-source {en} --old-target {zh} --new-source {bad} -o {out}/s.md --report {out}/r.json", "en", True),
    ("check-terms {glossary} {bad} {zh} --pair en-zh", "en", True),
]
TABLE_COMMANDS: list[tuple[str, str, bool]] = [
    ("build-parallel-data {bad} --pair en-zh -o {out}/pd.csv", "", False),
    ("validate-parallel-data {bad} --format CSV", "", True),
    ("import-terminology {bad} --pair en-zh -o {out}/t.csv", "", False),
]


def _check(command: str, may_fail_check: bool, chapter: int, bad: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        inputs = {"en": root / "en.md", "zh": root / "zh.md", "bad": root / f"bad{suffix}"}
        inputs["en"].write_text(VALID[chapter]["en"], encoding="utf-8")
        inputs["zh"].write_text(VALID[chapter]["zh"], encoding="utf-8")
        inputs["bad"].write_bytes(bad)
        glossary = root / "glossary.csv"
        glossary.write_text("en,zh\ntensor,张量\n", encoding="utf-8")
        out = root / "out"
        html = root / "html" / "zh.html"
        assert run_cli(["to-html", str(inputs["zh"]), "-o", str(html)]).status == 0
        before = tree_hashes(*inputs.values(), glossary, html)
        argv = command.format(**{k: str(v) for k, v in inputs.items()}, out=out, glossary=glossary, html=html)

        result = run_cli(argv.split())  # a traceback escaping main fails here

        allowed = {0, 2} | ({1} if may_fail_check else set())
        assert result.status in allowed, f"amts {argv}: exit {result.status}\n{result.err}"
        if result.status == 2:
            line = result.error_line  # exactly one line
            assert line.startswith(f"amts {argv.split()[0]}: error: {root}"), line  # names the file first
            assert files_under(out) == [], f"amts {argv}: refused but wrote {files_under(out)}"
        assert tree_hashes(*inputs.values(), glossary, html) == before


def _property(
    commands: list[tuple[str, str, bool]], data: st.SearchStrategy[tuple[int, bytes]], suffix: str
) -> Callable[[], None]:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        database=None,
        print_blob=True,
    )
    @given(case=st.sampled_from(commands), generated=data)
    def check(case: tuple[str, str, bool], generated: tuple[int, bytes]) -> None:
        _check(case[0], case[2], generated[0], generated[1], suffix)

    return check


def test_every_chapter_command_succeeds_or_refuses_in_one_line() -> None:
    for command in COMMANDS:
        _property([command], chapter_bytes(command[1]), ".md")()


def test_every_table_command_succeeds_or_refuses_in_one_line() -> None:
    for command in TABLE_COMMANDS:
        _property([command], TABLE_BYTES, ".csv")()
        _property([command], TMX_BYTES, ".tmx")()
