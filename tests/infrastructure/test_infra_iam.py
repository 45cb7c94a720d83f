"""IAM per principal: one role per function, explicit actions on named resources, nothing else."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from amts import config

from stacks.access import function_access
from stacks.policies import (
    DEFAULT_PSEUDO,
    STATE_MACHINE,
    TRANSLATE_DATA_ACCESS,
    Principal,
    allows,
    function_principal,
    principals,
    resolve,
)
from stacks.workflow import ASL_FILE

ACCOUNT = DEFAULT_PSEUDO["AWS::AccountId"]
REGION = DEFAULT_PSEUDO["AWS::Region"]
# Actions AWS offers no resource-level permission for: the only ones allowed on "*".
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
def roles(template: dict[str, Any]) -> dict[str, Principal]:
    return principals(template)


@pytest.fixture(scope="module")
def names(template: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Made-up physical names for every resource, as the local runtime would give its own."""
    out: dict[str, dict[str, str]] = {}
    for logical_id, resource in template["Resources"].items():
        kind = resource["Type"]
        if kind == "AWS::S3::Bucket":
            out[logical_id] = {
                "Ref": f"bucket-{logical_id.lower()}",
                "Arn": f"arn:aws:s3:::bucket-{logical_id.lower()}",
            }
        elif kind == "AWS::Lambda::Function":
            arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{logical_id}"
            out[logical_id] = {"Ref": logical_id, "Arn": arn}
        elif kind == "AWS::StepFunctions::StateMachine":
            arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{logical_id}"
            out[logical_id] = {"Ref": arn, "Arn": arn}
        elif kind == "AWS::SNS::Topic":
            arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:{logical_id}"
            out[logical_id] = {"Ref": arn, "TopicArn": arn}
        else:
            out[logical_id] = {
                "Ref": logical_id,
                "Arn": f"arn:aws:{kind.split('::')[1].lower()}:{REGION}:{ACCOUNT}:{logical_id}",
            }
    return out


def _id(template: dict[str, Any], resource_type: str, prefix: str) -> str:
    (found,) = [k for k, v in template["Resources"].items() if v["Type"] == resource_type and k.startswith(prefix)]
    return found


def _bucket_arn(template: dict[str, Any], names: dict[str, dict[str, str]], which: str) -> str:
    return names[_id(template, "AWS::S3::Bucket", f"Storage{which.capitalize()}Bucket")]["Arn"]


def test_principals_are_one_role_per_function_plus_workflow_and_translate(roles: dict[str, Principal]) -> None:
    expected = {function_principal(spec.function_id) for spec in config.FUNCTIONS} | {
        STATE_MACHINE,
        TRANSLATE_DATA_ACCESS,
    }
    assert set(roles) == expected
    for name, role in roles.items():
        service = {STATE_MACHINE: "states.amazonaws.com", TRANSLATE_DATA_ACCESS: "translate.amazonaws.com"}.get(
            name, "lambda.amazonaws.com"
        )
        assert role.trusted_services == (service,), name


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


def test_translate_data_access_role_trusts_translate_for_this_account_only(template: dict[str, Any]) -> None:
    role_id = _id(template, "AWS::IAM::Role", "TranslateDataAccessRole")
    (trust,) = template["Resources"][role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Principal"] == {"Service": "translate.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    source_arn = resolve(trust["Condition"]["ArnLike"]["aws:SourceArn"], names={})
    assert source_arn == f"arn:aws:translate:{REGION}:{ACCOUNT}:*"


def test_translate_reads_only_job_input_and_writes_only_job_output(
    template: dict[str, Any], roles: dict[str, Principal], names: dict[str, dict[str, str]]
) -> None:
    statements = roles[TRANSLATE_DATA_ACCESS].statements
    work = _bucket_arn(template, names, "work")
    job_in = f"{work}/{config.JOB_INPUT_PREFIX}run-1/en-zh/chapter.html"
    job_out = f"{work}/{config.JOB_OUTPUT_PREFIX}run-1/en-zh/{ACCOUNT}-TranslateText-abc/zh.chapter.html"
    assert allows(statements, "s3:GetObject", job_in, names=names)
    assert allows(statements, "s3:PutObject", job_out, names=names)
    assert not allows(statements, "s3:PutObject", job_in, names=names)
    assert not allows(statements, "s3:GetObject", f"{work}/{config.PARALLEL_DATA_PREFIX}en-zh.csv", names=names)
    assert allows(statements, "s3:ListBucket", work, names=names, context={"s3:prefix": config.JOB_INPUT_PREFIX + "r/"})
    assert not allows(statements, "s3:ListBucket", work, names=names, context={"s3:prefix": config.STATE_PREFIX})
    for other in ("input", "output"):
        arn = _bucket_arn(template, names, other)
        assert not allows(statements, "s3:GetObject", f"{arn}/{config.SOURCE_PREFIX}en/x.md", names=names)
    assert roles[TRANSLATE_DATA_ACCESS].actions == {"s3:GetObject", "s3:PutObject", "s3:ListBucket"}


def test_only_the_state_machine_may_pass_the_translate_role_and_only_to_translate(
    template: dict[str, Any], roles: dict[str, Principal], names: dict[str, dict[str, str]]
) -> None:
    translate_role_arn = names[_id(template, "AWS::IAM::Role", "TranslateDataAccessRole")]["Arn"]
    holders = {name for name, role in roles.items() if "iam:PassRole" in role.actions}
    assert holders == {STATE_MACHINE}
    statements = roles[STATE_MACHINE].statements
    to_translate = {"iam:PassedToService": "translate.amazonaws.com"}
    assert allows(statements, "iam:PassRole", translate_role_arn, names=names, context=to_translate)
    assert not allows(
        statements,
        "iam:PassRole",
        translate_role_arn,
        names=names,
        context={"iam:PassedToService": "ec2.amazonaws.com"},
    )
    function_role = names[_id(template, "AWS::IAM::Role", "FunctionsStarterRole")]["Arn"]
    assert not allows(statements, "iam:PassRole", function_role, names=names, context=to_translate)


def test_state_machine_invokes_exactly_the_workflow_functions(
    template: dict[str, Any], roles: dict[str, Principal], names: dict[str, dict[str, str]]
) -> None:
    statements = roles[STATE_MACHINE].statements
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        handler = resource["Properties"]["Handler"]
        (spec,) = [s for s in config.FUNCTIONS if s.handler == handler]
        arn = names[logical_id]["Arn"]
        assert bool(allows(statements, "lambda:InvokeFunction", arn, names=names)) == (spec.asl_placeholder is not None)
        assert not allows(statements, "lambda:InvokeFunction", f"{arn}:7", names=names)  # no versions or aliases
    assert {name for name, role in roles.items() if "lambda:InvokeFunction" in role.actions} == {STATE_MACHINE}


def test_state_machine_manages_only_the_configured_parallel_data(
    roles: dict[str, Principal], names: dict[str, dict[str, str]]
) -> None:
    statements = roles[STATE_MACHINE].statements
    for action in ("translate:CreateParallelData", "translate:UpdateParallelData", "translate:GetParallelData"):
        for name in ("amts-en-zh", "amts-en-es"):
            arn = f"arn:aws:translate:{REGION}:{ACCOUNT}:parallel-data/{name}"
            assert allows(statements, action, arn, names=names), (action, name)
        other = f"arn:aws:translate:{REGION}:{ACCOUNT}:parallel-data/someone-elses"
        assert not allows(statements, action, other, names=names)
    assert not allows(statements, "translate:DeleteParallelData", "arn:aws:translate:*", names=names)
    assert not allows(statements, "translate:ImportTerminology", "*", names=names)


def test_only_the_starter_starts_executions_of_this_state_machine(
    template: dict[str, Any], roles: dict[str, Principal], names: dict[str, dict[str, str]]
) -> None:
    machine = names[_id(template, "AWS::StepFunctions::StateMachine", "WorkflowStateMachine")]["Arn"]
    starter = roles[function_principal("Starter")].statements
    assert allows(starter, "states:StartExecution", machine, names=names)
    assert not allows(starter, "states:StartExecution", machine + "-other", names=names)
    assert {name for name, role in roles.items() if "states:StartExecution" in role.actions} == {
        function_principal("Starter")
    }


def test_only_the_state_machine_publishes_notifications(
    template: dict[str, Any], roles: dict[str, Principal], names: dict[str, dict[str, str]]
) -> None:
    topic = names[_id(template, "AWS::SNS::Topic", "NotificationsTopic")]["TopicArn"]
    key = names[_id(template, "AWS::KMS::Key", "NotificationsTopicKey")]["Arn"]
    statements = roles[STATE_MACHINE].statements
    assert allows(statements, "sns:Publish", topic, names=names)
    assert allows(statements, "kms:GenerateDataKey", key, names=names)
    assert {name for name, role in roles.items() if "sns:Publish" in role.actions} == {STATE_MACHINE}


@pytest.mark.parametrize("spec", config.FUNCTIONS, ids=lambda s: s.function_id)
def test_function_s3_access_is_exactly_its_table_entry(
    spec: config.FunctionSpec, template: dict[str, Any], roles: dict[str, Principal], names: dict[str, dict[str, str]]
) -> None:
    statements = roles[function_principal(spec.function_id)].statements
    access = function_access()[spec.function_id].buckets
    for bucket in ("input", "work", "output"):
        arn = _bucket_arn(template, names, bucket)
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
            assert bool(allows(statements, "s3:GetObject", key, names=names)) == may_read, (bucket, prefix)
            versions = allows(statements, "s3:GetObjectVersion", key, names=names)
            assert bool(versions) == may_read_versions, (bucket, prefix)
            assert bool(allows(statements, "s3:PutObject", key, names=names)) == may_write, (bucket, prefix)
            listed = allows(statements, "s3:ListBucket", arn, names=names, context={"s3:prefix": f"{prefix}en/"})
            assert bool(listed) == may_list, (bucket, prefix)
        assert not allows(statements, "s3:DeleteObject", f"{arn}/{config.SOURCE_PREFIX}x.md", names=names)


def test_nobody_may_modify_the_input_bucket(
    template: dict[str, Any], roles: dict[str, Principal], names: dict[str, dict[str, str]]
) -> None:
    # Inputs are never modified: no principal can write or delete a book object.
    arn = _bucket_arn(template, names, "input")
    for name, role in roles.items():
        for action in ("s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectAcl"):
            assert not allows(role.statements, action, f"{arn}/{config.SOURCE_PREFIX}en/index.md", names=names), name


def test_each_function_writes_only_its_own_log_group(template: dict[str, Any], roles: dict[str, Principal]) -> None:
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        props = resource["Properties"]
        (spec,) = [s for s in config.FUNCTIONS if s.handler == props["Handler"]]
        group = props["LoggingConfig"]["LogGroup"]["Ref"]
        log_statements = [
            s
            for s in roles[function_principal(spec.function_id)].statements
            if any(a.startswith("logs:") for a in s.actions)
        ]
        assert len(log_statements) == 1, logical_id
        assert log_statements[0].resources == ({"Fn::GetAtt": [group, "Arn"]},)
        assert set(log_statements[0].actions) == {"logs:CreateLogStream", "logs:PutLogEvents"}


def test_resolve_understands_the_intrinsics_the_template_uses() -> None:
    names = {"Bucket": {"Ref": "my-bucket", "Arn": "arn:aws:s3:::my-bucket"}}
    assert resolve({"Fn::Join": ["", [{"Fn::GetAtt": ["Bucket", "Arn"]}, "/book/*"]]}, names=names) == (
        "arn:aws:s3:::my-bucket/book/*"
    )
    assert resolve({"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/x"}, names=names) == "arn:aws:s3:::my-bucket/x"
    assert resolve({"Ref": "AWS::Region"}, names=names) == REGION


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
    granted = roles[STATE_MACHINE].actions
    # Then every task's action is granted...
    assert needed - granted == set()
    # ...and every other grant has a reason: tracing, logging, the topic key, PassRole and the parallel-data file.
    supporting = {a for a in granted if a.split(":")[0] in ("xray", "logs", "kms")}
    supporting |= {"iam:PassRole", "s3:GetObject"}
    assert granted - needed - supporting == set()
