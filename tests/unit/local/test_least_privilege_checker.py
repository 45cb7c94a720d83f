"""The least-privilege proof itself (``amts_local.iam``), on small hand-written templates in the shape CDK synthesizes.

Each test builds a template with Ref / Fn::GetAtt / Fn::Join / Fn::Sub, replays a few calls and checks what the
evaluator decides and what the breadth check reports.
"""

from __future__ import annotations

import copy
from typing import Any

from amts import config

from amts_local.awscalls import STATE_MACHINE_PRINCIPAL, TRANSLATE_ROLE_PRINCIPAL, CallRecord, function_principal
from amts_local.iam import prove, replay, stack_model
from amts_local.iam.breadth import identity_breadth
from amts_local.iam.exposure import resource_policy_breadth, trust_breadth
from amts_local.runtime import LocalNames

NAMES = LocalNames()
STAGE = function_principal("Stage")
INPUT, WORK = f"arn:aws:s3:::{NAMES.input_bucket}", f"arn:aws:s3:::{NAMES.work_bucket}"
INPUT_ARN = {"Fn::GetAtt": ["InputBucket", "Arn"]}
LAYOUT = ("reports/rejected/", "jobs/input/", "reports/", "book/", "jobs/")
TLS = {"aws__SecureTransport": "true"}


def _objects(prefix: str) -> dict[str, Any]:
    return {"Fn::Join": ["", [INPUT_ARN, f"/{prefix}"]]}


def _trust(service: str, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    """A trust statement letting ``service`` assume the role (on ``condition``, when one is given)."""
    statement: dict[str, Any] = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": service}}
    if condition is not None:
        statement["Condition"] = condition
    return statement


def _role(trust: dict[str, Any], **properties: Any) -> dict[str, Any]:
    return {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [trust]}, **properties}}


def _template(*stage: dict[str, Any], bucket_policy: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Stage (a function), the state machine and Translate's role, as CDK writes them; ``stage``: Stage's statements."""
    translate_trust = _trust(
        "translate.amazonaws.com",
        {
            "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
            "ArnLike": {
                "aws:SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:translate:${AWS::Region}:${AWS::AccountId}:*"}
            },
        },
    )
    resources: dict[str, Any] = {
        "InputBucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
        "WorkBucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
        "StageRole": _role(_trust("lambda.amazonaws.com")),
        "StageFn": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Handler": "amts_handlers.stage.handler",
                "Role": {"Fn::GetAtt": ["StageRole", "Arn"]},
                "Environment": {
                    "Variables": {
                        config.ENV_INPUT_BUCKET: {"Ref": "InputBucket"},
                        config.ENV_WORK_BUCKET: {"Ref": "WorkBucket"},
                        config.ENV_TOPIC_ARN: {"Ref": "Topic"},
                    }
                },
            },
        },
        "StagePolicy": {
            "Type": "AWS::IAM::Policy",
            "Properties": {"Roles": [{"Ref": "StageRole"}], "PolicyDocument": {"Statement": list(stage)}},
        },
        "MachineRole": _role(_trust("states.amazonaws.com")),
        "Machine": {
            "Type": "AWS::StepFunctions::StateMachine",
            "Properties": {"RoleArn": {"Fn::GetAtt": ["MachineRole", "Arn"]}},
        },
        "MachinePolicy": {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "Roles": [{"Ref": "MachineRole"}],
                "PolicyDocument": {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "lambda:InvokeFunction",
                            "Resource": {"Fn::GetAtt": ["StageFn", "Arn"]},
                        },
                        {
                            "Effect": "Allow",
                            "Action": "iam:PassRole",
                            "Resource": {"Fn::GetAtt": ["TranslateRole", "Arn"]},
                            "Condition": {"StringEquals": {"iam:PassedToService": "translate.amazonaws.com"}},
                        },
                    ]
                },
            },
        },
        "TranslateRole": _role(
            translate_trust,
            Policies=[
                {
                    "PolicyDocument": {
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": "s3:GetObject",
                                "Resource": {"Fn::Sub": "${WorkBucket.Arn}/jobs/input/*"},
                            }
                        ]
                    }
                }
            ],
        ),
    }
    if bucket_policy is not None:
        resources["InputPolicy"] = {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {"Bucket": {"Ref": "InputBucket"}, "PolicyDocument": {"Statement": bucket_policy}},
        }
    return {"Resources": resources}


READ_BOOK = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": _objects("book/*")}
LIST_BOOK = {
    "Effect": "Allow",
    "Action": "s3:ListBucket",
    "Resource": INPUT_ARN,
    "Condition": {"StringLike": {"s3:prefix": ["book/*"]}},
}
TLS_ONLY = {
    "Effect": "Deny",
    "Principal": {"AWS": "*"},
    "Action": "s3:*",
    "Resource": [INPUT_ARN, _objects("*")],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


def _call(principal: str, action: str, resource: str, **context: str) -> CallRecord:
    pairs = tuple((key.replace("__", ":"), value) for key, value in {**TLS, **context}.items())
    return CallRecord(principal, action.split(":")[0], action, resource, "Test", pairs)


def _denied(template: dict[str, Any], *calls: CallRecord) -> set[tuple[str, str, str]]:
    report = replay(calls, stack_model(template, NAMES))
    return {(v.call.principal, v.call.action, v.call.resource) for v in report.violations}


def _findings(template: dict[str, Any], *calls: CallRecord) -> set[tuple[str, str, str]]:
    model = stack_model(template, NAMES)
    report = identity_breadth(model, replay(calls, model), LAYOUT, entries=())
    report.extend(trust_breadth(model))
    report.extend(resource_policy_breadth(model, entries=()))
    return {(f.principal, f.check, f.action) for f in report.findings}


def test_allowed_calls_pass_and_calls_outside_a_grant_are_denied() -> None:
    """Given Stage may read and list book/, when it reads and lists inside and outside book/, then only the calls
    outside are denied, and the local user's calls are not checked."""
    template = _template(READ_BOOK, LIST_BOOK)
    denied = _denied(
        template,
        _call(STAGE, "s3:GetObject", f"{INPUT}/book/en/a.md"),
        _call(STAGE, "s3:ListBucket", INPUT, s3__prefix="book/en/"),
        _call(STAGE, "s3:GetObject", f"{INPUT}/secrets/a.md"),
        _call(STAGE, "s3:ListBucket", INPUT, s3__prefix="state/"),
        _call(TRANSLATE_ROLE_PRINCIPAL, "s3:PutObject", f"{WORK}/jobs/output/x"),
        _call("local-user", "s3:PutObject", f"{INPUT}/book/en/a.md"),
    )
    assert denied == {
        (STAGE, "s3:GetObject", f"{INPUT}/secrets/a.md"),
        (STAGE, "s3:ListBucket", INPUT),
        (TRANSLATE_ROLE_PRINCIPAL, "s3:PutObject", f"{WORK}/jobs/output/x"),
    }


def test_not_resource_and_not_action_grant_everything_else_and_are_reported() -> None:
    """Given a NotResource and a NotAction statement, when calls hit and miss them, then the evaluator grants the
    complement, and the breadth check reports both statements."""
    not_resource = {"Effect": "Allow", "Action": "s3:PutObject", "NotResource": _objects("book/*")}
    not_action = {"Effect": "Allow", "NotAction": ["iam:*", "s3:*"], "Resource": "*"}
    template = _template(not_resource, not_action)
    calls = (
        _call(STAGE, "s3:PutObject", f"{INPUT}/reports/x.json"),
        _call(STAGE, "s3:PutObject", f"{INPUT}/book/en/a.md"),
        _call(STAGE, "sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:q"),
        _call(STAGE, "iam:PassRole", "arn:aws:iam::123456789012:role/x"),
    )
    assert _denied(template, *calls) == {
        (STAGE, "s3:PutObject", f"{INPUT}/book/en/a.md"),
        (STAGE, "iam:PassRole", "arn:aws:iam::123456789012:role/x"),
    }
    checks = {check for principal, check, _ in _findings(template, *calls) if principal == STAGE}
    assert {"not-resource", "not-action"} <= checks


def test_a_bucket_policy_deny_on_plain_http_wins_over_an_identity_allow() -> None:
    """Given the TLS-only bucket policy, when Stage reads over TLS and over plain HTTP, then only the plain-HTTP read
    is denied, and the Deny to everyone is not reported as a grant."""
    template = _template(READ_BOOK, bucket_policy=[TLS_ONLY])
    key = f"{INPUT}/book/en/a.md"
    assert _denied(template, _call(STAGE, "s3:GetObject", key)) == set()
    assert _denied(template, _call(STAGE, "s3:GetObject", key, aws__SecureTransport="false")) == {
        (STAGE, "s3:GetObject", key)
    }
    assert not any(check == "public" for _, check, _ in _findings(template, _call(STAGE, "s3:GetObject", key)))


def test_a_bucket_policy_allow_suffices_in_one_account_and_an_allow_to_anyone_is_reported() -> None:
    """Given no identity grant but a bucket policy allowing Stage's role (and one allowing anyone), when Stage reads,
    then the read is allowed by the resource policy alone, and the Allow to anyone is reported."""
    role_arn = stack_model(_template(), NAMES).principals[STAGE].role_arn
    to_stage = {
        "Effect": "Allow",
        "Principal": {"AWS": role_arn},
        "Action": "s3:GetObject",
        "Resource": _objects("book/*"),
    }
    to_anyone = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": _objects("public/*")}
    template = _template(bucket_policy=[to_stage, to_anyone])
    read = _call(STAGE, "s3:GetObject", f"{INPUT}/book/en/a.md")
    assert _denied(template, read) == set()
    assert ("*", "public", "s3:GetObject") in _findings(template, read)


def test_trust_policies_admit_only_translate_from_this_account() -> None:
    """Given Translate's role trusting translate.amazonaws.com with aws:SourceAccount/aws:SourceArn, when Translate
    from this account, Translate from another account and Lambda ask to assume it, then only the first may."""
    model = stack_model(_template(), NAMES)
    own = (
        ("aws:SourceAccount", NAMES.account),
        ("aws:SourceArn", f"arn:aws:translate:us-east-1:{NAMES.account}:job/1"),
    )
    other = (("aws:SourceAccount", "999999999999"), ("aws:SourceArn", "arn:aws:translate:us-east-1:999999999999:job/1"))
    assert model.assume(TRANSLATE_ROLE_PRINCIPAL, "translate.amazonaws.com", own).allowed
    assert not model.assume(TRANSLATE_ROLE_PRINCIPAL, "translate.amazonaws.com", other).allowed
    assert not model.assume(TRANSLATE_ROLE_PRINCIPAL, "lambda.amazonaws.com", own).allowed
    assert not any(check == "trust" for _, check, _ in _findings(_template()))


def test_a_trust_policy_without_its_conditions_or_with_another_principal_is_reported() -> None:
    """Given Translate's trust without conditions and Stage's role also trusting any AWS principal, then the breadth
    check reports both trust policies."""
    template = _template()
    roles = template["Resources"]
    roles["TranslateRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0].pop("Condition")
    roles["StageRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] = {"AWS": "*"}
    findings = _findings(template)
    assert (TRANSLATE_ROLE_PRINCIPAL, "trust", "sts:AssumeRole") in findings
    assert (STAGE, "trust", "sts:AssumeRole") in findings


def test_set_operators_if_exists_null_and_numeric_conditions() -> None:
    """Given conditions with ForAllValues/ForAnyValue, IfExists, Null, a numeric bound and a negated operator in a
    Deny, when calls carry or lack the keys, then each is decided as IAM does (a missing key fails a condition, except
    for IfExists, ForAllValues and negated operators)."""
    tags = {
        "Effect": "Allow",
        "Action": "s3:PutObjectTagging",
        "Resource": _objects("book/*"),
        "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["run", "pair"]}},
    }
    any_tag = {
        "Effect": "Allow",
        "Action": "s3:GetObjectTagging",
        "Resource": _objects("book/*"),
        "Condition": {"ForAnyValue:StringLike": {"aws:TagKeys": ["amts-*"]}},
    }
    optional = {
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": INPUT_ARN,
        "Condition": {"StringLikeIfExists": {"s3:prefix": ["book/*"]}, "NumericLessThanEquals": {"s3:max-keys": "100"}},
    }
    unencrypted = {
        "Effect": "Deny",
        "Action": "s3:PutObject",
        "Resource": _objects("*"),
        "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}},
    }
    write = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": _objects("book/*")}
    present = {
        "Effect": "Allow",
        "Action": "s3:ListBucketVersions",
        "Resource": INPUT_ARN,
        "Condition": {"Null": {"s3:prefix": "false"}},
    }
    template = _template(tags, any_tag, optional, present, unencrypted, write)
    key = f"{INPUT}/book/en/a.md"
    model = stack_model(template, NAMES)

    def allowed(action: str, resource: str, *context: tuple[str, str]) -> bool:
        return model.may(STAGE, action, resource, context)

    assert allowed("s3:PutObjectTagging", key, ("aws:TagKeys", "run"), ("aws:TagKeys", "pair"))
    assert allowed("s3:PutObjectTagging", key)  # ForAllValues over no keys is true
    assert not allowed("s3:PutObjectTagging", key, ("aws:TagKeys", "run"), ("aws:TagKeys", "owner"))
    assert allowed("s3:GetObjectTagging", key, ("aws:TagKeys", "x"), ("aws:TagKeys", "amts-run"))
    assert not allowed("s3:GetObjectTagging", key)  # ForAnyValue over no keys is false
    assert allowed("s3:ListBucket", INPUT, ("s3:max-keys", "100"))  # no s3:prefix: IfExists passes
    assert not allowed("s3:ListBucket", INPUT, ("s3:prefix", "state/"), ("s3:max-keys", "10"))
    assert not allowed("s3:ListBucket", INPUT, ("s3:prefix", "book/"), ("s3:max-keys", "1000"))
    assert not allowed("s3:ListBucket", INPUT, ("s3:prefix", "book/"))  # a numeric bound on a missing key fails
    assert allowed("s3:PutObject", key, ("s3:x-amz-server-side-encryption", "AES256"))
    assert not allowed("s3:PutObject", key)  # a negated operator on a missing key holds: the Deny applies
    assert allowed("s3:ListBucketVersions", INPUT, ("s3:prefix", "book/"))
    assert not allowed("s3:ListBucketVersions", INPUT)
    # And the optional prefix condition is reported: a listing without s3:prefix may list the whole bucket
    checks = _findings(template, _call(STAGE, "s3:ListBucket", INPUT, s3__prefix="book/en/"))
    assert (STAGE, "list-prefix", "s3:ListBucket") in checks


def test_a_grant_wider_than_the_prefixes_its_calls_used_is_reported() -> None:
    """Given Stage may read bucket/*, write reports/* and list with s3:prefix '*', when its calls used only book/,
    reports/rejected/ and book/ listings, then all three grants are reported as too wide."""
    read_all = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": _objects("*")}
    write_reports = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": _objects("reports/*")}
    list_all = {**LIST_BOOK, "Condition": {"StringLike": {"s3:prefix": ["*"]}}}
    template = _template(read_all, write_reports, list_all)
    calls = (
        _call(STAGE, "s3:GetObject", f"{INPUT}/book/en/a.md"),
        _call(STAGE, "s3:PutObject", f"{INPUT}/reports/rejected/2026/x.json"),
        _call(STAGE, "s3:ListBucket", INPUT, s3__prefix="book/en/"),
    )
    findings = _findings(template, *calls)
    assert {
        (STAGE, "wide-resource", "s3:GetObject"),
        (STAGE, "wide-resource", "s3:PutObject"),
        (STAGE, "list-prefix", "s3:ListBucket"),
    } <= findings
    # And the same grants narrowed to the used prefixes are not
    narrow = _template(READ_BOOK, {**write_reports, "Resource": _objects("reports/rejected/*")}, LIST_BOOK)
    assert {f for f in _findings(narrow, *calls) if f[0] == STAGE} == set()


def test_unused_actions_wildcards_and_an_unscoped_pass_role_are_reported() -> None:
    """Given Stage with an action no call used, a wildcard action and iam:PassRole on '*' without a condition, then
    each is reported; the state machine's scoped PassRole is not."""
    unused = {"Effect": "Allow", "Action": ["s3:GetObject", "s3:DeleteObject"], "Resource": _objects("book/*")}
    wildcard = {"Effect": "Allow", "Action": "sqs:*", "Resource": "arn:aws:sqs:us-east-1:123456789012:q"}
    pass_any = {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
    template = _template(unused, wildcard, pass_any)
    findings = _findings(template, _call(STAGE, "s3:GetObject", f"{INPUT}/book/en/a.md"))
    assert {
        (STAGE, "unused", "s3:DeleteObject"),
        (STAGE, "wildcard-action", "sqs:*"),
        (STAGE, "pass-role", "iam:PassRole"),
    } <= findings
    assert not any(p == STATE_MACHINE_PRINCIPAL and check == "pass-role" for p, check, _ in findings)


def test_a_kms_key_policy_must_delegate_to_iam_for_an_identity_grant_to_count() -> None:
    """Given a key whose policy allows only CloudWatch, then the state machine's identity grant on the key does not
    let it encrypt; once the key policy delegates to the account, it does."""
    template = _template()
    key_policy: dict[str, Any] = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
            }
        ]
    }
    template["Resources"]["Key"] = {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": key_policy}}
    grant = {"Effect": "Allow", "Action": "kms:GenerateDataKey", "Resource": {"Fn::GetAtt": ["Key", "Arn"]}}
    template["Resources"]["MachinePolicy"]["Properties"]["PolicyDocument"]["Statement"].append(grant)
    key_arn = stack_model(template, NAMES).resource_policies[0].arns[0]
    assert not stack_model(template, NAMES).may(STATE_MACHINE_PRINCIPAL, "kms:GenerateDataKey", key_arn)
    delegated = copy.deepcopy(template)
    root = {
        "Effect": "Allow",
        "Principal": {"AWS": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:root"}},
        "Action": "kms:*",
        "Resource": "*",
    }
    delegated["Resources"]["Key"]["Properties"]["KeyPolicy"]["Statement"].append(root)
    assert stack_model(delegated, NAMES).may(STATE_MACHINE_PRINCIPAL, "kms:GenerateDataKey", key_arn)


def test_the_whole_proof_names_what_it_found() -> None:
    """Given a template with one denied call and one unused grant, when proved, then it fails and its summary names
    the denied call and the over-broad grant."""
    template = _template(READ_BOOK, {"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": _objects("book/*")})
    proof = prove(
        template,
        [_call(STAGE, "s3:GetObject", f"{INPUT}/book/en/a.md"), _call(STAGE, "s3:PutObject", f"{INPUT}/book/en/a.md")],
        names=NAMES,
    )
    assert not proof.passed
    assert "DENIED function:Stage: s3:PutObject" in proof.summary()
    assert "OVER-BROAD function:Stage: [unused] s3:DeleteObject" in proof.summary()
