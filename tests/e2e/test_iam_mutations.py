"""Mutation testing of the least-privilege proof, on the synthesized template and the calls the scenarios record.

Given the real template and every AWS call the end-to-end scenarios made, the unmodified template passes the whole
proof; each generated widening (a wider resource, a wildcard action, a looser condition, a wider trust or resource
policy, an extra action) must be reported by the breadth check, and each narrowing (a dropped grant the stack needs)
must fail the replay of the recorded calls or a service-behaviour check.

With ``AMTS_WRITE_RESULTS=1`` the counts and every mutation with the check that caught it are written to
``bench/results/iam_mutations.json`` (``bench/bench_iam.py`` runs this module that way).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from amts.fsio import write_atomic

from amts_local.awscalls import CallRecord
from amts_local.iam import prove
from amts_local.iam.mutations import Outcome, run_mutations
from tests.e2e.scenarios import PipelineRun

pytestmark = pytest.mark.slow

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results" / "iam_mutations.json"

# What the generator must offer on this stack (a fragment of each mutation's name): if the template changes so that
# one of these is no longer generated, the test says which, instead of proving less in silence.
REQUIRED_WIDENINGS = (
    "object ARN -> bucket/*",
    "write prefix cut",
    "lambda:InvokeFunction resource -> *",
    "s3:GetObject -> s3:*",
    "sqs:ReceiveMessage -> sqs:*",
    "s3:prefix -> *",
    "s3:prefix condition removed",
    "iam:PassRole resource -> *",
    "iam:PassRole without iam:PassedToService",
    "extra logs:DeleteLogGroup",
    "Resource -> NotResource",
    "Action -> NotAction",
    "trusts lambda.amazonaws.com too",
    "trust without confused-deputy conditions",
    "input bucket policy: Allow *",
    "upload queue policy: Allow *",
    "extra dynamodb:PutItem",
    "extra translate:DeleteParallelData",
)
REQUIRED_NARROWINGS = (
    "kms:GenerateDataKey dropped",
    "the event source mapping's SQS actions dropped",
    "read of job input dropped",
    "write prefix",
    "lambda:InvokeFunction on",
    "iam:PassRole dropped",
    "trust dropped",
)


@pytest.fixture(scope="module")
def recorded(scenarios_run: PipelineRun) -> tuple[list[CallRecord], dict[str, str]]:
    return list(scenarios_run.runtime.calls), scenarios_run.bindings


@pytest.fixture(scope="module")
def outcomes(synthesized_template: dict[str, Any], recorded: tuple[list[CallRecord], dict[str, str]]) -> list[Outcome]:
    calls, bindings = recorded
    found = run_mutations(synthesized_template, calls, bindings=bindings)
    if os.environ.get("AMTS_WRITE_RESULTS") == "1":
        _write_results(found, calls=len(calls))
    return found


def _of(outcomes: list[Outcome], kind: str) -> list[Outcome]:
    return [outcome for outcome in outcomes if outcome.mutation.kind == kind]


def _write_results(outcomes: list[Outcome], *, calls: int) -> None:
    counts = {
        kind: {"caught": sum(o.caught for o in _of(outcomes, kind)), "total": len(_of(outcomes, kind))}
        for kind in ("widening", "narrowing")
    }
    summary = (
        f"widenings caught {counts['widening']['caught']} of {counts['widening']['total']}, "
        f"narrowings caught {counts['narrowing']['caught']} of {counts['narrowing']['total']}"
    )
    document = {
        "summary": summary,
        "widenings": counts["widening"],
        "narrowings": counts["narrowing"],
        "recorded_calls": calls,
        "mutations": [
            {"name": o.mutation.name, "kind": o.mutation.kind, "caught_by": list(o.caught_by)} for o in outcomes
        ],
    }
    write_atomic(RESULTS, (json.dumps(document, indent=2) + "\n").encode())


def test_the_unmodified_template_passes_the_whole_proof(
    synthesized_template: dict[str, Any], recorded: tuple[list[CallRecord], dict[str, str]]
) -> None:
    """Given the template as synthesized, when proved, then nothing is denied, too broad or broken."""
    calls, bindings = recorded
    proof = prove(synthesized_template, calls, bindings=bindings)
    assert proof.passed, proof.summary()


def test_the_generator_offers_every_kind_of_mutation(outcomes: list[Outcome]) -> None:
    """Given the mutations generated from the template, then there are at least 15 widenings and 6 narrowings and
    every required kind is among them."""
    widenings = [o.mutation.name for o in _of(outcomes, "widening")]
    narrowings = [o.mutation.name for o in _of(outcomes, "narrowing")]
    assert len(widenings) >= 15, widenings
    assert len(narrowings) >= 6, narrowings
    assert [r for r in REQUIRED_WIDENINGS if not any(r in name for name in widenings)] == []
    assert [r for r in REQUIRED_NARROWINGS if not any(r in name for name in narrowings)] == []


def test_every_widening_is_reported_by_the_breadth_check(outcomes: list[Outcome]) -> None:
    """Given each widening applied alone, then the breadth check reports a finding the unmodified template lacks."""
    missed = [o.mutation.name for o in _of(outcomes, "widening") if not o.caught]
    assert missed == []
    assert all(by.startswith("breadth:") for o in _of(outcomes, "widening") for by in o.caught_by)


def test_every_narrowing_fails_the_replay_or_a_service_check(outcomes: list[Outcome]) -> None:
    """Given each narrowing applied alone, then a recorded call is denied or a service-behaviour check fails."""
    missed = [o.mutation.name for o in _of(outcomes, "narrowing") if not o.caught]
    assert missed == []
    by_service = {o.mutation.name: o.caught_by for o in _of(outcomes, "narrowing")}
    # the AWS-side behaviours no local call records are caught by their explicit checks
    kms = next(name for name in by_service if "kms:GenerateDataKey dropped" in name)
    assert "service:sns_publishers_can_use_the_topic_key" in by_service[kms]
    trust = next(name for name in by_service if "trust dropped" in name)
    assert "service:translate_roles_trust_translate" in by_service[trust]
