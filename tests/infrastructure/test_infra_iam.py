"""IAM per principal: one role per function, explicit actions on named resources, nothing else."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from amts import config

from amts_local.awscalls import STATE_MACHINE_PRINCIPAL, TRANSLATE_ROLE_PRINCIPAL, function_principal
from amts_local.iam import Principal, StackModel, stack_model
from amts_local.iam.allowlist import NO_RESOURCE_LEVEL
from amts_local.iam.resolve import Resolver
from amts_local.runtime import LocalNames
from stacks.access import function_access
from stacks.workflow import ASL_FILE

NAMES = LocalNames()
ACCOUNT, REGION = NAMES.account, NAMES.region
# Actions AWS offers no resource-level permission for: the only ones allowed on "*". Written out here, apart from the
# least-privilege proof's reviewed list, so that widening that list cannot quietly widen this check too.
STAR_ACTIONS = {
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
    "translate:StartTextTranslationJob",
    "translate:DescribeTextTranslationJob",
}


@pytest.fixture(scope="module")
def model(template: dict[str, Any]) -> StackModel:
    """The template's IAM with the local runtime's names for its resources."""
    return stack_model(template, NAMES)


@pytest.fixture(scope="module")
def roles(model: StackModel) -> dict[str, Principal]:
    return dict(model.principals)


def _actions(principal: Principal) -> set[str]:
    return {action for statement in principal.statements for action in statement.actions}


def test_principals_are_one_role_per_function_plus_workflow_and_translate(roles: dict[str, Principal]) -> None:
    expected = {function_principal(spec.function_id) for spec in config.FUNCTIONS} | {
        STATE_MACHINE_PRINCIPAL,
        TRANSLATE_ROLE_PRINCIPAL,
    }
    assert set(roles) == expected
    for name, role in roles.items():
        service = {
            STATE_MACHINE_PRINCIPAL: "states.amazonaws.com",
            TRANSLATE_ROLE_PRINCIPAL: "translate.amazonaws.com",
        }.get(name, "lambda.amazonaws.com")
        assert [p for s in role.trust for p in s.principals] == [f"Service:{service}"], name


def test_no_role_has_a_managed_policy(template: dict[str, Any]) -> None:
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::IAM::Role":
            assert "ManagedPolicyArns" not in resource["Properties"], logical_id


def test_wildcard_resources_only_for_actions_without_resource_level_permissions(roles: dict[str, Principal]) -> None:
    for name, role in roles.items():
        for statement in role.statements:
            if "*" in statement.resources:
                assert set(statement.actions) <= STAR_ACTIONS, (name, statement.actions)
            assert not any(action.endswith("*") for action in statement.actions), (name, statement.actions)
            assert statement.not_actions == (), name
            assert statement.not_resources == (), name


def test_the_proofs_reviewed_list_of_star_actions_is_this_one() -> None:
    # Either list widened alone fails here: the least-privilege proof and this check accept the same "*" grants
    assert set(NO_RESOURCE_LEVEL) == STAR_ACTIONS


def test_translate_data_access_role_trusts_translate_for_this_account_only(
    template: dict[str, Any], roles: dict[str, Principal]
) -> None:
    role_id = roles[TRANSLATE_ROLE_PRINCIPAL].role_logical_id
    (trust,) = template["Resources"][role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Principal"] == {"Service": "translate.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    (parsed,) = roles[TRANSLATE_ROLE_PRINCIPAL].trust
    assert parsed.conditions["ArnLike"]["aws:SourceArn"] == (f"arn:aws:translate:{REGION}:{ACCOUNT}:*",)


def test_translate_reads_only_job_input_and_writes_only_job_output(
    model: StackModel, roles: dict[str, Principal]
) -> None:
    work = model.buckets["work"]
    job_in = f"{work}/{config.JOB_INPUT_PREFIX}run-1/en-zh/chapter.html"
    job_out = f"{work}/{config.JOB_OUTPUT_PREFIX}run-1/en-zh/{ACCOUNT}-TranslateText-abc/zh.chapter.html"
    role = TRANSLATE_ROLE_PRINCIPAL
    assert model.may(role, "s3:GetObject", job_in)
    assert model.may(role, "s3:PutObject", job_out)
    assert not model.may(role, "s3:PutObject", job_in)
    assert not model.may(role, "s3:GetObject", f"{work}/{config.PARALLEL_DATA_PREFIX}en-zh.csv")
    assert model.may(role, "s3:ListBucket", work, (("s3:prefix", config.JOB_INPUT_PREFIX + "r/"),))
    assert not model.may(role, "s3:ListBucket", work, (("s3:prefix", config.STATE_PREFIX),))
    for other in ("input", "output"):
        assert not model.may(role, "s3:GetObject", f"{model.buckets[other]}/{config.SOURCE_PREFIX}en/x.md")
    assert _actions(roles[TRANSLATE_ROLE_PRINCIPAL]) == {"s3:GetObject", "s3:PutObject", "s3:ListBucket"}


def test_only_the_state_machine_may_pass_the_translate_role_and_only_to_translate(
    model: StackModel, roles: dict[str, Principal]
) -> None:
    holders = {name for name, role in roles.items() if "iam:PassRole" in _actions(role)}
    assert holders == {STATE_MACHINE_PRINCIPAL}
    to_translate = (("iam:PassedToService", "translate.amazonaws.com"),)
    assert model.may(STATE_MACHINE_PRINCIPAL, "iam:PassRole", NAMES.translate_role_arn, to_translate)
    to_ec2 = (("iam:PassedToService", "ec2.amazonaws.com"),)
    assert not model.may(STATE_MACHINE_PRINCIPAL, "iam:PassRole", NAMES.translate_role_arn, to_ec2)
    function_role = roles[function_principal("Starter")].role_arn
    assert not model.may(STATE_MACHINE_PRINCIPAL, "iam:PassRole", function_role, to_translate)


def test_state_machine_invokes_exactly_the_workflow_functions(
    template: dict[str, Any], model: StackModel, roles: dict[str, Principal]
) -> None:
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        (spec,) = [s for s in config.FUNCTIONS if s.handler == resource["Properties"]["Handler"]]
        arn = NAMES.function_arn(spec.function_id)
        invokable = model.may(STATE_MACHINE_PRINCIPAL, "lambda:InvokeFunction", arn)
        assert invokable == (spec.asl_placeholder is not None), spec.function_id
        assert not model.may(STATE_MACHINE_PRINCIPAL, "lambda:InvokeFunction", f"{arn}:7")  # no versions or aliases
    assert {name for name, role in roles.items() if "lambda:InvokeFunction" in _actions(role)} == {
        STATE_MACHINE_PRINCIPAL
    }


def test_state_machine_manages_only_the_configured_parallel_data(model: StackModel) -> None:
    for action in ("translate:CreateParallelData", "translate:UpdateParallelData", "translate:GetParallelData"):
        for name in ("amts-en-zh", "amts-en-es"):
            arn = f"arn:aws:translate:{REGION}:{ACCOUNT}:parallel-data/{name}"
            assert model.may(STATE_MACHINE_PRINCIPAL, action, arn), (action, name)
        other = f"arn:aws:translate:{REGION}:{ACCOUNT}:parallel-data/someone-elses"
        assert not model.may(STATE_MACHINE_PRINCIPAL, action, other)
    assert not model.may(STATE_MACHINE_PRINCIPAL, "translate:DeleteParallelData", "arn:aws:translate:*")
    assert not model.may(STATE_MACHINE_PRINCIPAL, "translate:ImportTerminology", "*")


def test_only_the_starter_starts_executions_of_this_state_machine(
    model: StackModel, roles: dict[str, Principal]
) -> None:
    machine = NAMES.state_machine_arn("pipeline")
    starter = function_principal("Starter")
    assert model.may(starter, "states:StartExecution", machine)
    assert not model.may(starter, "states:StartExecution", machine + "-other")
    assert {name for name, role in roles.items() if "states:StartExecution" in _actions(role)} == {starter}


def test_only_the_state_machine_publishes_notifications(model: StackModel, roles: dict[str, Principal]) -> None:
    (topic,) = model.topics
    assert topic.arn == NAMES.topic_arn()
    assert topic.key_arn is not None
    assert model.may(STATE_MACHINE_PRINCIPAL, "sns:Publish", topic.arn)
    assert model.may(STATE_MACHINE_PRINCIPAL, "kms:GenerateDataKey", topic.key_arn)
    assert {name for name, role in roles.items() if "sns:Publish" in _actions(role)} == {STATE_MACHINE_PRINCIPAL}


@pytest.mark.parametrize("spec", config.FUNCTIONS, ids=lambda s: s.function_id)
def test_function_s3_access_is_exactly_its_table_entry(spec: config.FunctionSpec, model: StackModel) -> None:
    principal = function_principal(spec.function_id)
    access = function_access()[spec.function_id].buckets
    for bucket in ("input", "work", "output"):
        arn = model.buckets[bucket]
        granted = access.get(bucket)
        for prefix in (
            config.SOURCE_PREFIX,
            config.JOB_INPUT_PREFIX,
            config.JOB_OUTPUT_PREFIX,
            config.PARALLEL_DATA_PREFIX,
            config.STATE_PREFIX,
            config.REPORT_PREFIX,
            config.OUTPUT_PREFIX,
        ):
            key = f"{arn}/{prefix}en/chapter_intro/index.md"
            may_read = granted is not None and prefix in granted.read
            may_write = granted is not None and prefix in granted.write
            may_list = granted is not None and prefix in granted.list
            may_read_versions = granted is not None and prefix in granted.read_versions
            assert model.may(principal, "s3:GetObject", key) == may_read, (bucket, prefix)
            assert model.may(principal, "s3:GetObjectVersion", key) == may_read_versions, (bucket, prefix)
            assert model.may(principal, "s3:PutObject", key) == may_write, (bucket, prefix)
            listed = model.may(principal, "s3:ListBucket", arn, (("s3:prefix", f"{prefix}en/"),))
            assert listed == may_list, (bucket, prefix)
        assert not model.may(principal, "s3:DeleteObject", f"{arn}/{config.SOURCE_PREFIX}x.md")


def test_nobody_may_modify_the_input_bucket(model: StackModel) -> None:
    # Inputs are never modified: no principal can write or delete a book object.
    key = f"{model.buckets['input']}/{config.SOURCE_PREFIX}en/index.md"
    for name in model.principals:
        for action in ("s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectAcl"):
            assert not model.may(name, action, key), name


def test_each_function_writes_only_its_own_log_group(template: dict[str, Any], roles: dict[str, Principal]) -> None:
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        props = resource["Properties"]
        (spec,) = [s for s in config.FUNCTIONS if s.handler == props["Handler"]]
        role = roles[function_principal(spec.function_id)]
        group = props["LoggingConfig"]["LogGroup"]["Ref"]
        log_statements = [s for s in role.statements if any(a.startswith("logs:") for a in s.actions)]
        assert len(log_statements) == 1, spec.function_id
        assert log_statements[0].resources == role.log_groups
        (own,) = role.log_groups
        assert f":log-group:{NAMES.prefix}-{group}:" in own
        assert set(log_statements[0].actions) == {"logs:CreateLogStream", "logs:PutLogEvents"}


def test_resolve_understands_the_intrinsics_the_template_uses() -> None:
    template = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {}}}}
    resolver = Resolver(template, NAMES)
    bucket = resolver.attribute("Bucket", "Ref")
    joined = {"Fn::Join": ["", [{"Fn::GetAtt": ["Bucket", "Arn"]}, "/book/*"]]}
    assert resolver.resolve_text(joined) == f"arn:aws:s3:::{bucket}/book/*"
    assert resolver.resolve_text({"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/x"}) == f"arn:aws:s3:::{bucket}/x"
    assert resolver.resolve_text({"Fn::Sub": ["${Name}-${Bucket.Arn}", {"Name": "n"}]}) == f"n-arn:aws:s3:::{bucket}"
    assert resolver.resolve_text({"Ref": "AWS::Region"}) == REGION


def test_reference_translations_outside_the_book_prefix_become_readable_where_the_book_is() -> None:
    table = function_access(["book/zh/", "human/es/"])
    assert table["Score"].buckets["input"].read == (config.SOURCE_PREFIX, "human/es/")
    assert table["Score"].buckets["input"].list == (config.SOURCE_PREFIX, "human/es/")
    assert table["Plan"].buckets["input"].read == ()  # Plan only lists, and only the book
    assert function_access(["book/zh/"]) == function_access()


def test_a_pairs_glossary_outside_the_readable_prefixes_becomes_readable_by_score_only() -> None:
    table = function_access(["book/zh/"], glossary_keys=["glossaries/en-zh.md", "book/extras/terms.csv"])
    assert table["Score"].buckets["input"].read_keys == ("glossaries/en-zh.md",)  # book/ already covers the other
    assert table["Score"].buckets["input"].read == function_access()["Score"].buckets["input"].read
    others = {name: access for name, access in table.items() if name != "Score"}
    assert others == {name: access for name, access in function_access().items() if name != "Score"}


def test_a_single_readable_key_is_granted_exactly_and_listable_as_itself() -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_s3 as s3

    from stacks.access import PrefixAccess, s3_statements

    stack = cdk.Stack(cdk.App(), "Keys")
    bucket = s3.Bucket(stack, "Input")
    statements = s3_statements(
        "In", bucket, PrefixAccess(read=("book/",), list=("book/",), read_keys=("glossaries/en-zh.md",))
    )
    read, listing = (stack.resolve(statement.to_statement_json()) for statement in statements)
    resources = json.dumps(read["Resource"])
    assert '"/book/*"' in resources
    assert '"/glossaries/en-zh.md"' in resources
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["book/*", "glossaries/en-zh.md"]}}


def _asl_task_actions() -> set[str]:
    """The IAM actions the ASL's Task states need, read from their Resource fields."""
    actions: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            resource = node.get("Resource")
            if node.get("Type") == "Task" and isinstance(resource, str):
                sdk = re.fullmatch(r"arn:aws:states:::aws-sdk:(\w+):(\w+)(\.\w+)?", resource)
                integration = re.fullmatch(r"arn:aws:states:::(\w+):(\w+)(\.\w+)?", resource)
                if sdk:
                    actions.add(f"{sdk.group(1)}:{sdk.group(2)[0].upper()}{sdk.group(2)[1:]}")
                elif resource == "arn:aws:states:::lambda:invoke" or resource.startswith("${"):
                    actions.add("lambda:InvokeFunction")
                elif integration:
                    actions.add(f"{integration.group(1)}:{integration.group(2)[0].upper()}{integration.group(2)[1:]}")
                else:
                    raise AssertionError(f"unrecognised Task resource {resource}")
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    # Number placeholders are unquoted (e.g. "MaxConcurrency": ${MaxConcurrency}): any number will do for parsing.
    text = re.sub(r'(?<!")\$\{[A-Za-z0-9_]+\}(?!")', "1", ASL_FILE.read_text(encoding="utf-8"))
    visit(json.loads(text))
    return actions


def test_state_machine_may_do_exactly_what_its_tasks_call(roles: dict[str, Principal]) -> None:
    # Given the Task states of the ASL / When compared with the state machine role
    needed = _asl_task_actions()
    granted = _actions(roles[STATE_MACHINE_PRINCIPAL])
    # Then every task's action is granted...
    assert needed - granted == set()
    # ...and every other grant has a reason: tracing, logging, the topic key, PassRole and the parallel-data file.
    supporting = {a for a in granted if a.split(":")[0] in ("xray", "logs", "kms")}
    supporting |= {"iam:PassRole", "s3:GetObject"}
    assert granted - needed - supporting == set()
