"""Build the CDK app from ``cdk.json``: shared by ``app.py`` and the infrastructure tests (same context, same flags)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from amts import config
from amts.pipeline_config import cdk_context
from cdk_nag import AwsSolutionsChecks

from stacks.amts_stack import AmtsStack
from stacks.nag import Acknowledged
from stacks.settings import settings_from_context
from stacks.workflow import ASL_FILE

CDK_JSON = Path(__file__).resolve().parents[1] / "cdk.json"


class NagFindings(Exception):
    """cdk-nag reported findings nobody acknowledged: synth refuses to produce a template."""

    def __init__(self, findings: list[str]) -> None:
        super().__init__("unacknowledged cdk-nag findings:\n" + "\n".join(findings))
        self.findings = findings


ANNOTATIONS_PLUGIN = "Construct Annotations"


def unacknowledged_findings(report: Mapping[str, Any]) -> list[str]:
    """``rule at construct path`` for every violation in a CDK validation report that was not acknowledged.

    Our own construct warnings (``Annotations.add_warning_v2``, e.g. no alarm e-mail) are advice printed on synth,
    not findings: they are left out; annotation errors and every cdk-nag finding count.
    """
    return [
        f"{violation['ruleName']} at {construct['constructPath']}"
        for plugin in report.get("pluginReports", [])
        for violation in plugin.get("violations", [])
        if not (plugin.get("pluginName") == ANNOTATIONS_PLUGIN and violation.get("severity") == "warning")
        for construct in violation.get("violatingConstructs", [])
    ]


def synth_warnings(report: Mapping[str, Any]) -> list[str]:
    """The construct warnings a synth printed (ids such as ``amts:no-alarm-email``)."""
    return [
        violation["ruleName"].removeprefix("Annotation::")
        for plugin in report.get("pluginReports", [])
        if plugin.get("pluginName") == ANNOTATIONS_PLUGIN
        for violation in plugin.get("violations", [])
        if violation.get("severity") == "warning"
    ]


def build_stack(app: cdk.App, *, asl_file: Path = ASL_FILE) -> AmtsStack:
    """Add the AMTS stack, configured from the app's context, and cdk-nag's AwsSolutions checks to ``app``."""
    pipeline, settings = settings_from_context(
        app.node.try_get_context(config.CDK_CONTEXT_PIPELINE),
        app.node.try_get_context(config.CDK_CONTEXT_DEPLOYMENT),
    )
    stack = AmtsStack(
        app,
        settings.stack_name,
        pipeline=pipeline,
        settings=settings,
        asl_file=asl_file,
        description="AMTS: translate and synchronize a book with Amazon Translate (ACT)",
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return stack


def build_test_app(
    *, outdir: str, extra_context: Mapping[str, Any] | None = None, bundle: bool = False, asl_file: Path = ASL_FILE
) -> tuple[cdk.App, AmtsStack]:
    """An app with ``cdk.json``'s context (plus ``extra_context``), bundling skipped unless ``bundle``."""
    context = cdk_context(CDK_JSON)
    context.update(extra_context or {})
    if not bundle:
        context["aws:cdk:bundling-stacks"] = []
    app = cdk.App(context=context, outdir=outdir)
    return app, build_stack(app, asl_file=asl_file)


@dataclass(frozen=True)
class Synthesis:
    """What one synth produced: the template, cdk-nag's validation report and the acknowledgments in force."""

    outdir: Path
    stack_name: str
    template: dict[str, Any]
    report: dict[str, Any]
    acknowledgments: tuple[Acknowledged, ...]


def synthesize(outdir: str, *, extra_context: Mapping[str, Any] | None = None) -> Synthesis:
    """Synthesize without bundling into ``outdir``: the template, cdk-nag's report and the acknowledgments.

    The local runtime and the tests use this to read exactly what ``cdk deploy`` would deploy (minus the code zip).
    """
    app, stack = build_test_app(outdir=outdir, extra_context=extra_context)
    out = Path(outdir)
    try:
        app.synth()
    except RuntimeError as exc:
        if "ValidationFailed" not in str(exc):
            raise
        report = json.loads((out / "validation-report.json").read_text(encoding="utf-8"))
        raise NagFindings(unacknowledged_findings(report)) from None
    template = json.loads((out / f"{stack.stack_name}.template.json").read_text(encoding="utf-8"))
    report_file = out / "validation-report.json"
    report = json.loads(report_file.read_text(encoding="utf-8")) if report_file.is_file() else {}
    return Synthesis(
        outdir=out,
        stack_name=stack.stack_name,
        template=template,
        report=report,
        acknowledgments=tuple(stack.acknowledgments),
    )
