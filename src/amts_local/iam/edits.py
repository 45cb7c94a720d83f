"""Edits of a raw CloudFormation template, addressed by the statements the model read from it.

Each function returns an ``Edit``: a function that changes a template (a deep copy) in place. Statements are found in
the raw template by the ``source`` and ``index`` the model recorded, so an edit changes exactly the grant the
generator chose.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from amts_local.iam.model import Statement

Template = dict[str, Any]
Raw = dict[str, Any]
Edit = Callable[[Template], None]
Change = Callable[[Raw], None]


def listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def document(template: Template, logical: str, key: str | None = None) -> Raw:
    """The policy document of a policy, resource policy, key (``KeyPolicy``) or role (``key``)."""
    props = template["Resources"][logical]["Properties"]
    found: Raw = props[key] if key is not None else (props.get("PolicyDocument") or props.get("KeyPolicy") or {})
    found["Statement"] = listed(found.get("Statement", []))
    return found


def raw(template: Template, statement: Statement) -> Raw:
    found: Raw = document(template, statement.source)["Statement"][statement.index]
    return found


def change(statement: Statement, how: Change) -> Edit:
    def edit(template: Template) -> None:
        how(raw(template, statement))

    return edit


def remove(statement: Statement) -> Edit:
    def edit(template: Template) -> None:
        del document(template, statement.source)["Statement"][statement.index]

    return edit


def append(logical: str, statement: Raw) -> Edit:
    def edit(template: Template) -> None:
        document(template, logical)["Statement"].append(statement)

    return edit


def on_document(logical: str, index: int, how: Change, *, key: str | None = None) -> Edit:
    def edit(template: Template) -> None:
        how(document(template, logical, key)["Statement"][index])

    return edit


def drop_from_document(logical: str, index: int) -> Edit:
    def edit(template: Template) -> None:
        del document(template, logical)["Statement"][index]

    return edit


def set_key(key: str, value: Any) -> Change:
    def how(statement: Raw) -> None:
        statement[key] = value

    return how


def pop_key(key: str) -> Change:
    def how(statement: Raw) -> None:
        statement.pop(key, None)

    return how


def rename_key(old: str, new: str, value: Any = None) -> Change:
    """``Resource`` -> ``NotResource`` (keeping the value), or ``Action`` -> ``NotAction: value``."""

    def how(statement: Raw) -> None:
        previous = statement.pop(old)
        statement[new] = previous if value is None else value

    return how


def add_actions(*actions: str) -> Change:
    def how(statement: Raw) -> None:
        statement["Action"] = [*listed(statement["Action"]), *actions]

    return how


def drop_actions(*actions: str) -> Change:
    def how(statement: Raw) -> None:
        statement["Action"] = [a for a in listed(statement["Action"]) if a not in actions]

    return how


def drop_last_resource(statement: Raw) -> None:
    statement["Resource"] = listed(statement["Resource"])[:-1]


def drop_first_list_prefix(statement: Raw) -> None:
    like = statement["Condition"]["StringLike"]
    like["s3:prefix"] = listed(like["s3:prefix"])[1:]


def optional_list_prefix(statement: Raw) -> None:
    statement["Condition"] = {"StringLikeIfExists": statement["Condition"]["StringLike"]}


def object_tail(resource: Any) -> str | None:
    """The ``/<prefix>*`` tail of a ``Fn::Join`` object ARN, as CDK writes ``bucket.arn_for_objects``."""
    if isinstance(resource, dict) and "Fn::Join" in resource:
        tail = resource["Fn::Join"][1][-1]
        if isinstance(tail, str) and tail.startswith("/"):
            return tail
    return None


def retail(new_tail: Callable[[str], str]) -> Change:
    """Rewrite the key part of every object ARN of a statement (``/book/*`` -> ``new_tail("/book/*")``)."""

    def how(statement: Raw) -> None:
        for resource in listed(statement["Resource"]):
            tail = object_tail(resource)
            if tail is not None:
                resource["Fn::Join"][1][-1] = new_tail(tail)

    return how


def join(*parts: Any) -> Raw:
    return {"Fn::Join": ["", list(parts)]}


def update_role(logical: str, **properties: Any) -> Edit:
    def edit(template: Template) -> None:
        template["Resources"][logical]["Properties"].update(properties)

    return edit


def empty_trust(logical: str) -> Edit:
    def edit(template: Template) -> None:
        document(template, logical, "AssumeRolePolicyDocument")["Statement"] = []

    return edit
