"""The least-privilege checker itself, on a small hand-written template in the shape CDK synthesizes.

Given statements written with Ref / Fn::GetAtt / Fn::Join and an s3:prefix condition, when calls are checked,
then allowed calls pass, calls outside a grant are reported, and grants no call used are listed.
"""

from __future__ import annotations

from typing import Any

from amts import config
from amts.local.awscalls import STATE_MACHINE_PRINCIPAL, TRANSLATE_ROLE_PRINCIPAL, CallRecord, function_principal
from amts.local.policy import check_calls, principal_policies
from amts.local.runtime import LocalNames

NAMES = LocalNames()
STAGE = function_principal("Stage")


def _template() -> dict[str, Any]:
    input_arn = {"Fn::GetAtt": ["InputBucket", "Arn"]}
    return {
        "Resources": {
            "InputBucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
            "WorkBucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
            "StageRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": []}}},
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
                "Properties": {
                    "Roles": [{"Ref": "StageRole"}],
                    "PolicyDocument": {
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": "s3:GetObject",
                                "Resource": {"Fn::Join": ["", [input_arn, "/book/*"]]},
                            },
                            {
                                "Effect": "Allow",
                                "Action": "s3:ListBucket",
                                "Resource": input_arn,
                                "Condition": {"StringLike": {"s3:prefix": ["book/*"]}},
                            },
                            {
                                "Effect": "Allow",
                                "Action": ["s3:PutObject", "s3:DeleteObject"],
                                "Resource": {
                                    "Fn::Join": [
                                        "",
                                        ["arn:", {"Ref": "AWS::Partition"}, ":s3:::", {"Ref": "WorkBucket"}, "/jobs/*"],
                                    ]
                                },
                            },
                        ]
                    },
                },
            },
            "MachineRole": {"Type": "AWS::IAM::Role", "Properties": {}},
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
                                "Resource": [
                                    {"Fn::GetAtt": ["StageFn", "Arn"]},
                                    {"Fn::Join": ["", [{"Fn::GetAtt": ["StageFn", "Arn"]}, ":*"]]},
                                ],
                            },
                            {"Effect": "Allow", "Action": "sns:Publish", "Resource": {"Ref": "Topic"}},
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
            "TranslateRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Statement": [{"Effect": "Allow", "Principal": {"Service": "translate.amazonaws.com"}}]
                    },
                    "Policies": [
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
                },
            },
        }
    }


def _call(principal: str, action: str, resource: str, **conditions: str) -> CallRecord:
    context = tuple((key.replace("__", ":"), value) for key, value in conditions.items())
    return CallRecord(principal, action.split(":")[0], action, resource, "Test", context)


def test_allowed_calls_pass_and_others_are_reported() -> None:
    policies = principal_policies(_template(), NAMES)
    assert set(policies) == {STAGE, STATE_MACHINE_PRINCIPAL, TRANSLATE_ROLE_PRINCIPAL}
    input_bucket, work = f"arn:aws:s3:::{NAMES.input_bucket}", f"arn:aws:s3:::{NAMES.work_bucket}"
    calls = [
        _call(STAGE, "s3:GetObject", f"{input_bucket}/book/en/a.md"),
        _call(STAGE, "s3:ListBucket", input_bucket, s3__prefix="book/en/"),
        _call(STAGE, "s3:PutObject", f"{work}/jobs/input/r/a.html"),
        _call(STATE_MACHINE_PRINCIPAL, "lambda:InvokeFunction", NAMES.function_arn("Stage")),
        _call(STATE_MACHINE_PRINCIPAL, "sns:Publish", NAMES.topic_arn()),
        _call(
            STATE_MACHINE_PRINCIPAL,
            "iam:PassRole",
            NAMES.translate_role_arn,
            iam__PassedToService="translate.amazonaws.com",
        ),
        _call(TRANSLATE_ROLE_PRINCIPAL, "s3:GetObject", f"{work}/jobs/input/r/a.html"),
        # not allowed: outside the prefix, a listing outside the condition, an unknown principal's call ignored
        _call(STAGE, "s3:GetObject", f"{input_bucket}/secrets/a.md"),
        _call(STAGE, "s3:ListBucket", input_bucket, s3__prefix="state/"),
        _call(TRANSLATE_ROLE_PRINCIPAL, "s3:PutObject", f"{work}/jobs/output/x"),
        _call("local-user", "s3:PutObject", f"{input_bucket}/book/en/a.md"),
    ]
    report = check_calls(calls, policies)
    denied = {(v.call.principal, v.call.action, v.call.resource) for v in report.violations}
    assert denied == {
        (STAGE, "s3:GetObject", f"{input_bucket}/secrets/a.md"),
        (STAGE, "s3:ListBucket", input_bucket),
        (TRANSLATE_ROLE_PRINCIPAL, "s3:PutObject", f"{work}/jobs/output/x"),
    }
    assert report.checked_calls == 10
    unused = {(u.principal, u.action) for u in report.unused}
    # Stage never deleted; the state machine never used the qualified-ARN form of the invoke grant
    assert (STAGE, "s3:DeleteObject") in unused
    assert (STATE_MACHINE_PRINCIPAL, "lambda:InvokeFunction") in unused
    assert (STAGE, "s3:GetObject") not in unused
    assert "DENIED" in report.summary()
