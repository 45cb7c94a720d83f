"""validate_parallel_data and `amts validate-parallel-data`: each broken rule is named with its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from amts.errors import InputError
from amts.translate.parallel_data_reading import parse_parallel_data, validate_parallel_data

from amts_local.cli import main


def errors_by_line(data: bytes, fmt: str | None = None) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for problem in validate_parallel_data(data, fmt=fmt):
        if problem.severity == "error":
            found.setdefault(problem.line, []).append(problem.message)
    return found


def test_valid_csv_has_no_problems() -> None:
    assert validate_parallel_data(b'en,zh\nHello,\xe4\xbd\xa0\xe5\xa5\xbd\n"a, ""b""",c\n') == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("-x,y", "begins with '-'"),
        ('"=SUM(A1)",y', "begins with '='"),
        ("x,@y", "target field (zh) begins with '@'"),
        ("x,+y", "begins with '+'"),
        ('a"b,c', "quote that is not doubled"),
        ('"open quote,c', "field may not span lines"),
        ("k,v,w", "3 fields, but the header has 2"),
    ],
)
def test_each_csv_rule_names_its_line(line: str, expected: str) -> None:
    data = f"en,zh\nfine,ok\n{line}\n".encode()
    problems = errors_by_line(data)
    assert list(problems) == [3]
    assert any(expected in message for message in problems[3])


def test_field_over_1000_bytes_is_an_error() -> None:
    data = ("en,zh\nok," + "字" * 334 + "\n").encode()  # 1,002 bytes
    assert "over the 1000-byte limit" in errors_by_line(data)[2][0]


def test_field_spanning_lines_in_a_quoted_field_is_reported() -> None:
    problems = errors_by_line(b'en,zh\n"first\nsecond",x\n')
    assert 2 in problems


def test_header_must_hold_translate_language_codes() -> None:
    problems = errors_by_line(b"source,target\na,b\n")
    assert any("'source' is not an Amazon Translate language code" in m for m in problems[1])
    assert errors_by_line(b"en,en\na,b\n")[1] == ["header repeats a language code: ['en', 'en']"]


def test_invalid_utf8_is_an_error_with_its_line() -> None:
    problems = validate_parallel_data(b"en,zh\nok,\xff\xfe\n")
    assert problems[0].line == 2
    assert "UTF-8" in problems[0].message


def test_empty_fields_and_duplicates_are_warnings() -> None:
    problems = validate_parallel_data(b"en,zh\n,x\ny,\nz,1\nz,2\n")
    assert all(p.severity == "warning" for p in problems)
    assert [p.line for p in problems] == [2, 3, 5]


def test_tsv_is_detected_and_checked() -> None:
    assert validate_parallel_data(b"en\tes\nhello\thola\n", fmt=None) == []
    assert 2 in errors_by_line(b"en\tes\n=x\thola\n")


def test_tmx_rules() -> None:
    good = (
        b'<?xml version="1.0"?><tmx version="1.4"><header srclang="en"/><body>'
        b'<tu><tuv xml:lang="en"><seg>Hi</seg></tuv><tuv xml:lang="es"><seg>Hola</seg></tuv></tu></body></tmx>'
    )
    assert validate_parallel_data(good) == []
    parsed = parse_parallel_data(good)
    assert parsed.source_language == "en"
    assert parsed.target_languages == ("es",)
    bad = (
        b'<?xml version="1.0"?>\n<tmx version="1.4">\n<header srclang="en"/>\n<body>\n'
        b'<tu><tuv xml:lang="en"><seg>Hi</seg></tuv></tu>\n'
        b'<tu><tuv xml:lang="es"><seg>a</seg></tuv><tuv xml:lang="fr"><seg>b</seg></tuv></tu>\n'
        b'<tu><tuv xml:lang="en"><seg>ok</seg></tuv><tuv xml:lang="es"><seg>-no</seg></tuv></tu>\n'
        b"</body>\n</tmx>\n"
    )
    problems = errors_by_line(bad)
    assert "at least 2 are required" in problems[5][0]
    assert "exactly one <tuv> in the source language" in problems[6][0]
    assert 7 not in problems  # the leading-character rule is documented for CSV/TSV: a warning in TMX
    assert any(p.line == 7 and p.severity == "warning" for p in validate_parallel_data(bad))


def test_malformed_tmx_names_the_line() -> None:
    problems = validate_parallel_data(b'<tmx version="1.4">\n<header srclang="en"/>\n<body><tu></body></tmx>')
    assert any(p.line == 3 and "XML error" in p.message for p in problems)


def test_missing_file_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        validate_parallel_data(tmp_path / "absent.csv")


def test_cli_exit_status_and_line_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes("en,zh\nHello,你好\n".encode())
    assert main(["validate-parallel-data", str(good)]) == 0
    assert "ok: 1 usable records" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"en,zh\nfine,ok\n@me,x\n")
    assert main(["validate-parallel-data", str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:3: error: source field (en) begins with '@'" in out
    assert main(["validate-parallel-data", str(tmp_path / "nope.csv")]) == 2
