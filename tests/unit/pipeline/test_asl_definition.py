"""The ASL file as data: it validates (cfn-lint's state machine schema), hangs together, and keeps its promises."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from amts import asl, config
from amts.pipeline_config import asl_limit_substitutions, load_pipeline_config_from_cdk_json
from amts_steps.pair_models import StageResult
from cfnlint.api import ManualArgs, lint

REPO = Path(__file__).resolve().parents[3]
ASL = REPO / "statemachine" / "pipeline.asl.json"


def substitutions() -> dict[str, str]:
    values = asl_limit_substitutions(load_pipeline_config_from_cdk_json(REPO / "cdk.json"))
    for spec in config.FUNCTIONS:
        if spec.asl_placeholder:
            values[spec.asl_placeholder] = f"arn:aws:lambda:us-east-1:123456789012:function:amts-{spec.function_id}"
    values[config.ASL_TOPIC_ARN] = "arn:aws:sns:us-east-1:123456789012:amts"
    values[config.ASL_TRANSLATE_ROLE_ARN] = "arn:aws:iam::123456789012:role/amts-translate"
    values[config.ASL_INPUT_BUCKET] = "amts-input"
    values[config.ASL_WORK_BUCKET] = "amts-work"
    values[config.ASL_OUTPUT_BUCKET] = "amts-output"
    return values


@pytest.fixture(scope="module")
def definition() -> dict[str, Any]:
    text = asl.substitute(ASL.read_text(encoding="utf-8"), substitutions(), path=str(ASL))
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def scopes(machine: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The machine and every nested state machine (Map processors, Parallel branches)."""
    yield machine
    for state in machine["States"].values():
        if state["Type"] == "Map":
            yield from scopes(state["ItemProcessor"])
        if state["Type"] == "Parallel":
            for branch in state["Branches"]:
                yield from scopes(branch)


def successors(state: dict[str, Any]) -> set[str]:
    found = {state[key] for key in ("Next", "Default") if key in state}
    found |= {choice["Next"] for choice in state.get("Choices", [])}
    found |= {catcher["Next"] for catcher in state.get("Catch", [])}
    return found


def test_every_placeholder_is_a_shared_name() -> None:
    names = asl.placeholders(ASL.read_text(encoding="utf-8"))
    assert names <= set(substitutions()), names - set(substitutions())


def test_the_definition_passes_cfn_lint(definition: dict[str, Any]) -> None:
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Machine": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {"RoleArn": "arn:aws:iam::123456789012:role/sfn", "Definition": definition},
            }
        },
    }
    matches = lint(json.dumps(template), config=ManualArgs(regions=["us-east-1"]))
    assert [str(match) for match in matches] == []


def test_every_state_is_reachable_and_every_transition_lands(definition: dict[str, Any]) -> None:
    for machine in scopes(definition):
        states = machine["States"]
        seen, todo = set(), [machine["StartAt"]]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            assert name in states, f"transition to unknown state {name!r}"
            seen.add(name)
            todo.extend(successors(states[name]))
        assert seen == set(states), f"unreachable: {set(states) - seen}"


def test_map_concurrency_respects_translates_ten_jobs(definition: dict[str, Any]) -> None:
    pairs_map = definition["States"]["TranslatePairs"]
    assert 1 <= pairs_map["MaxConcurrency"] <= 10


def test_translate_retries_name_the_errors_as_aws_and_moto_spell_them(definition: dict[str, Any]) -> None:
    for machine in scopes(definition):
        for state in machine["States"].values():
            if "aws-sdk:translate" not in state.get("Resource", ""):
                continue
            retried = {error for retrier in state.get("Retry", []) for error in retrier["ErrorEquals"]}
            assert "Translate.TooManyRequestsException" in retried
            assert "translate.TooManyRequestsException" in retried
            for retrier in state["Retry"]:
                assert retrier["JitterStrategy"] == "FULL"
                assert retrier["MaxDelaySeconds"] > 0


def test_parallel_data_modifications_retry_the_one_update_quota(definition: dict[str, Any]) -> None:
    states = definition["States"]["TranslatePairs"]["ItemProcessor"]["States"]
    for name in ("CreateParallelData", "UpdateParallelData"):
        retried = {error for retrier in states[name]["Retry"] for error in retrier["ErrorEquals"]}
        assert {"Translate.ConcurrentModificationException", "Translate.ConflictException"} <= retried
        assert {"Translate.LimitExceededException", "Translate.TooManyRequestsException"} <= retried


def test_every_top_level_failure_is_notified_first(definition: dict[str, Any]) -> None:
    states = definition["States"]
    predecessors: dict[str, set[str]] = {}
    for name, state in states.items():
        for target in successors(state):
            predecessors.setdefault(target, set()).add(name)

    def notified(name: str, depth: int = 0) -> bool:
        before = predecessors.get(name, set())
        if not before or depth > 3:
            return False
        return all(
            states[p].get("Resource") == "arn:aws:states:::sns:publish" or notified(p, depth + 1) for p in before
        )

    fails = [name for name, state in states.items() if state["Type"] == "Fail"]
    assert fails
    for name in fails:
        assert notified(name), f"{name} can be reached without a notification"
        assert "Cause" in states[name] or "CausePath" in states[name]


def test_jobs_carry_a_client_token_from_the_execution(definition: dict[str, Any]) -> None:
    states = definition["States"]["TranslatePairs"]["ItemProcessor"]["States"]
    variants = states["JobVariants"]["Parameters"]
    tokens = {name: variant["client_token.$"] for name, variant in variants.items()}
    assert tokens == {
        "customized": "States.Format('{}-act', $.task.client_token)",
        "baseline": "States.Format('{}-base', $.task.client_token)",
    }
    starts = [
        state
        for machine in scopes(definition)
        for state in machine["States"].values()
        if state.get("Resource") == "arn:aws:states:::aws-sdk:translate:startTextTranslationJob"
    ]
    assert len(starts) == 1  # one job sub-flow, run once per variant
    assert starts[0]["Parameters"]["ClientToken.$"] == "$.variant.client_token"
    assert starts[0]["Parameters"]["InputDataConfig"]["ContentType"] == "text/html"


def test_the_variants_differ_only_in_what_stage_decides(definition: dict[str, Any]) -> None:
    states = definition["States"]["TranslatePairs"]["ItemProcessor"]["States"]
    variants = states["JobVariants"]["Parameters"]
    assert variants["customized"]["wanted"] is True
    assert variants["baseline"]["wanted.$"] == "$.stage.baseline_wanted"
    assert variants["customized"]["parallel_data_names.$"] == "$.stage.parallel_data_names"
    assert variants["baseline"]["parallel_data_names.$"] == "$.stage.baseline_parallel_data_names"
    assert states["JobVariantList"]["Parameters"]["items.$"] == (
        "States.Array($.job_variants.customized, $.job_variants.baseline)"
    )
    jobs = states["TranslateJobs"]
    assert jobs["Type"] == "Map"
    assert jobs["ResultSelector"] == {"customized.$": "$[0]", "baseline.$": "$[1]"}


def test_payloads_between_steps_are_s3_keys_not_documents(definition: dict[str, Any]) -> None:
    # Lambda steps get only the small models (task, parallel data, stage, jobs, assemble), never a document.
    prepare = definition["States"]["PreparePairs"]["ItemProcessor"]["States"]
    states = definition["States"]["TranslatePairs"]["ItemProcessor"]["States"]
    for name, state in [(n, prepare[n]) for n in ("BuildParallelData", "Stage")] + [
        (n, states[n]) for n in ("Release", "Assemble", "Score")
    ]:
        passed = {key.removesuffix(".$") for key in state["Parameters"]}
        assert passed <= {"task", "parallel_data", "stage", "jobs", "assemble", "action"}, name
    # Score gets BuildParallelData's small result: the report's "pairs used" and "excluded" figures
    assert states["Score"]["Parameters"]["parallel_data.$"] == "$.parallel_data"


def _walk_strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _walk_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_strings(value)


def test_the_baseline_job_runs_on_stages_decision_alone(definition: dict[str, Any]) -> None:
    # Stage knows whether any staged chapter will be scored; the task's flags alone would re-bill every sync edit.
    assert definition["States"]["PreparePairs"]["ItemProcessor"]["States"]["Stage"]["ResultPath"] == "$.stage"
    states = definition["States"]["TranslatePairs"]["ItemProcessor"]["States"]
    baseline = states["JobVariants"]["Parameters"]["baseline"]
    choice = states["TranslateJobs"]["ItemProcessor"]["States"]["JobWanted"]
    assert baseline["wanted.$"] == "$.stage.baseline_wanted"
    assert choice["Type"] == "Choice"
    assert choice["Choices"] == [{"Variable": "$.variant.wanted", "BooleanEquals": True, "Next": "JobStart"}]
    assert choice["Default"] == "NoJob"
    assert not any("$.task.evaluate" in text or "$.parallel_data.has_data" in text for text in _walk_strings(baseline))


def test_every_stage_field_the_machine_reads_is_in_the_stage_model(definition: dict[str, Any]) -> None:
    fields = set(StageResult.model_fields)
    read = {match.group(1) for text in _walk_strings(definition) for match in re.finditer(r"\$\.stage\.(\w+)", text)}
    assert "baseline_wanted" in read
    assert read <= fields, read - fields
