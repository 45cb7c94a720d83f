"""Real output: EN->ES through Apertium in the stand-in, and `amts pairs` output for the evaluation sections.

Apertium comes from Debian (`scripts/system-deps.sh`: apertium + apertium-eng-spa); CI installs it.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from amts_local.cli import build_parser, main
from amts_local.engines.chain import ApertiumEngine
from amts_local.standin import TranslateStandIn
from tests.integration.translate.conftest import BUCKET
from tests.integration.translate.jobs import outputs, stage, start, wait
from tests.system_packages import needs_system_package

needs_apertium = needs_system_package(
    ApertiumEngine().supports("en", "es"),
    reason="Apertium eng-spa is not installed (run scripts/system-deps.sh: apt-get install apertium apertium-eng-spa)",
)

PAGE = (
    '<html><body><h1 id="s0001">The training data</h1>\n'
    '<p id="s0002">The cat eats the fish. We compute the loss <span translate="no">$\\ell(x)$</span> of the '
    'model with the function <span translate="no">`loss`</span>.</p>\n</body></html>'
)


@needs_apertium
def test_en_es_job_produces_real_spanish_and_keeps_protected_spans(
    translate: Any, s3: Any, standin: TranslateStandIn
) -> None:
    uri = stage(s3, BUCKET, "jobs/input/es-run/", {"ch.html": PAGE})
    job_id = start(translate, "es-run", uri, f"s3://{BUCKET}/jobs/output/", ("es",))
    found = outputs(s3, wait(translate, standin.clock, job_id))
    html = s3.get_object(Bucket=BUCKET, Key=found.documents["es"]["ch.html"])["Body"].read().decode()
    assert '<h1 id="s0001">' in html
    assert '<span translate="no">$\\ell(x)$</span>' in html
    assert '<span translate="no">`loss`</span>' in html
    assert "El gato come el pez" in html or "El gato come pez" in html
    assert "pérdida" in html
    assert "[pseudo" not in html
    engines = found.auxiliary["es"]["engine"]["engines"]
    assert engines == ["apertium eng-spa"]


@needs_apertium
def test_translate_text_es_to_en(translate: Any) -> None:
    result = translate.translate_text(Text="El gato come pescado.", SourceLanguageCode="es", TargetLanguageCode="en")
    assert "cat" in result["TranslatedText"]
    assert result["ResponseMetadata"]["HTTPHeaders"]["x-amts-engine"] == "apertium spa-eng"


def _pairs_arguments(help_text: str, src: Path, tgt: Path, out: Path) -> list[str]:
    """`amts pairs` comes from the align area; adapt to the language options its help lists."""
    args = ["pairs", str(src), str(tgt), "-o", str(out)]
    if "--src-lang" in help_text:
        args += ["--src-lang", "en", "--tgt-lang", "zh"]
    elif "--pair" in help_text:
        args += ["--pair", "en-zh"]
    elif "--src" in help_text:
        args += ["--src", "en", "--tgt", "zh"]
    if "--granularity" in help_text:
        args += ["--granularity", "sentence"]
    return args


@pytest.mark.slow
@pytest.mark.corpus
def test_pairs_for_the_evaluation_sections_pass_validation(
    corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    help_text = commands.choices["pairs"].format_help()  # type: ignore[index]
    with (corpus_dir / "EVAL_SECTIONS.tsv").open(encoding="utf-8") as handle:
        sections = list(csv.DictReader(handle, delimiter="\t"))
    assert len(sections) == 5
    for section in sections:
        out = tmp_path / f"{section['name']}.csv"
        args = _pairs_arguments(
            help_text, corpus_dir / "en" / section["en_path"], corpus_dir / "zh" / section["zh_path"], out
        )
        assert main(args) == 0, f"amts pairs failed for {section['name']}"
        capsys.readouterr()
        status = main(["validate-parallel-data", str(out)])
        report = capsys.readouterr().out
        assert status == 0, f"{section['name']}: {report}"
        assert "0 errors" in report


def test_apertium_missing_falls_back_to_pseudo(s3: Any) -> None:
    service = TranslateStandIn(s3, apertium=ApertiumEngine(executable="/nonexistent/apertium"))
    body = service.call("TranslateText", {"Text": "Hello.", "SourceLanguageCode": "en", "TargetLanguageCode": "es"})
    assert body["TranslatedText"] == "[pseudo en→es] Hélló."
    assert body["ResponseMetadata"]["HTTPHeaders"]["x-amts-engine"] == "pseudo"
