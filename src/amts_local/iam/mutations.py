"""Edits of a synthesized template that the proof must catch: widenings (the breadth check must report them) and
narrowings (the replay of the recorded calls or a service-behaviour check must fail).

The edits are generated from the template itself: statements are found by what they grant (an S3 object prefix, a
``s3:ListBucket`` condition, ``iam:PassRole``, the event source mapping's queue, the topic's key), never by logical
id, so the mutations follow the stack as it changes. Each is applied to a deep copy.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from amts_local.awscalls import TRANSLATE_ROLE_PRINCIPAL, CallRecord
from amts_local.iam import edits
from amts_local.iam.edits import Edit, Template
from amts_local.iam.model import Statement
from amts_local.iam.template import StackModel

Kind = Literal["widening", "narrowing"]


@dataclass(frozen=True)
class Mutation:
    name: str
    kind: Kind
    edit: Edit = field(repr=False)

    def apply(self, template: Template) -> Template:
        mutated = copy.deepcopy(template)
        self.edit(mutated)
        return mutated


@dataclass(frozen=True)
class Outcome:
    mutation: Mutation
    caught_by: tuple[str, ...]  # "breadth:<check>" for widenings; "replay" or "service:<check>" for narrowings

    @property
    def caught(self) -> bool:
        return bool(self.caught_by)


class _Generator:
    def __init__(self, template: Template, model: StackModel) -> None:
        self.template, self.model = template, model
        self.found: list[Mutation] = []

    def add(self, name: str, kind: Kind, edit: Edit) -> None:
        self.found.append(Mutation(name, kind, edit))

    def statements(self, principal: str | None = None) -> Iterator[tuple[str, Statement]]:
        for name in sorted(self.model.principals):
            if principal in (None, name):
                yield from ((name, s) for s in self.model.principals[name].statements if s.effect == "Allow")

    def first(self, test: Callable[[str, Statement], bool]) -> tuple[str, Statement] | None:
        return next(((name, s) for name, s in self.statements() if test(name, s)), None)

    def granting(self, action: str) -> tuple[str, Statement] | None:
        return self.first(lambda _, s: action in s.actions)

    def policy(self, kind: str, governed: str) -> str | None:
        return next((p.source for p in self.model.resource_policies if p.kind == kind and p.governs(governed)), None)

    def object_grant(self, name: str) -> Statement | None:
        """The principal's first statement on an S3 object prefix (``bucket/<prefix>*``)."""
        for _, statement in self.statements(name):
            tails = [edits.object_tail(r) for r in edits.listed(edits.raw(self.template, statement)["Resource"])]
            if any(tail not in (None, "/*") for tail in tails):
                return statement
        return None

    # ---------------------------------------------------------------------------------------------- widenings
    def identity_widenings(self) -> None:
        for name in sorted(self.model.principals):
            grant = self.object_grant(name)
            if grant is not None:
                self.add(
                    f"{name}: {grant.label} object ARN -> bucket/*",
                    "widening",
                    edits.change(grant, edits.retail(lambda _: "/*")),
                )
        writer = self.first(lambda n, s: n.startswith("function:") and "s3:PutObject" in s.actions)
        if writer is not None:
            self.add(
                f"{writer[0]}: write prefix cut to its first letter",
                "widening",
                edits.change(writer[1], edits.retail(lambda tail: tail[:2] + "*")),
            )
            self.add(
                f"{writer[0]}: Resource -> NotResource",
                "widening",
                edits.change(writer[1], edits.rename_key("Resource", "NotResource")),
            )
        for action in ("lambda:InvokeFunction", "states:StartExecution", "sns:Publish"):
            hit = self.granting(action)
            if hit is not None:
                self.add(
                    f"{hit[0]}: {action} resource -> *",
                    "widening",
                    edits.change(hit[1], edits.set_key("Resource", "*")),
                )
        for action, wildcard in (
            ("s3:GetObject", "s3:*"),
            ("sqs:ReceiveMessage", "sqs:*"),
            ("lambda:InvokeFunction", "lambda:*"),
        ):
            hit = self.granting(action)
            if hit is not None:
                self.add(
                    f"{hit[0]}: {action} -> {wildcard}",
                    "widening",
                    edits.change(hit[1], edits.set_key("Action", wildcard)),
                )
        listers: dict[str, Statement] = {}
        for name, statement in self.statements():
            if "s3:ListBucket" in statement.actions and statement.conditions:
                listers.setdefault(name, statement)
        for name, statement in listers.items():
            anything = {"StringLike": {"s3:prefix": ["*"]}}
            self.add(
                f"{name}: {statement.label} s3:prefix -> *",
                "widening",
                edits.change(statement, edits.set_key("Condition", anything)),
            )
        ordered = list(listers.items())
        if len(ordered) > 2:
            self.add(
                f"{ordered[1][0]}: s3:prefix condition removed",
                "widening",
                edits.change(ordered[1][1], edits.pop_key("Condition")),
            )
            self.add(
                f"{ordered[2][0]}: s3:prefix condition made optional (IfExists)",
                "widening",
                edits.change(ordered[2][1], edits.optional_list_prefix),
            )
        pass_role = self.granting("iam:PassRole")
        if pass_role is not None:
            self.add(
                f"{pass_role[0]}: iam:PassRole resource -> *",
                "widening",
                edits.change(pass_role[1], edits.set_key("Resource", "*")),
            )
            self.add(
                f"{pass_role[0]}: iam:PassRole without iam:PassedToService",
                "widening",
                edits.change(pass_role[1], edits.pop_key("Condition")),
            )
        self.extra_actions()

    def extra_actions(self) -> None:
        for granted, extra in (
            ("logs:PutLogEvents", "logs:DeleteLogGroup"),
            ("translate:CreateParallelData", "translate:DeleteParallelData"),
        ):
            hit = self.granting(granted)
            if hit is not None:
                self.add(f"{hit[0]}: extra {extra}", "widening", edits.change(hit[1], edits.add_actions(extra)))
        reader = self.first(lambda n, s: n == TRANSLATE_ROLE_PRINCIPAL and "s3:GetObject" in s.actions)
        if reader is not None:
            self.add(
                f"{reader[0]}: Action -> NotAction iam:*",
                "widening",
                edits.change(reader[1], edits.rename_key("Action", "NotAction", "iam:*")),
            )
        function = next((n for n in sorted(self.model.principals) if n.startswith("function:")), None)
        if function is not None:
            policy = next(s.source for _, s in self.statements(function))
            table = edits.join(
                "arn:",
                {"Ref": "AWS::Partition"},
                ":dynamodb:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                ":table/*",
            )
            self.add(
                f"{function}: extra dynamodb:PutItem on table/*",
                "widening",
                edits.append(policy, {"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": table}),
            )
            role = self.model.principals[function].role_logical_id
            managed = ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]
            self.add(
                f"{function}: managed policy attached", "widening", edits.update_role(role, ManagedPolicyArns=managed)
            )
            trust = edits.on_document(role, 0, edits.set_key("Principal", {"AWS": "*"}), key="AssumeRolePolicyDocument")
            self.add(f"{function}: trusts any AWS principal", "widening", trust)

    def trust_mutations(self) -> None:
        translate = self.model.principals.get(TRANSLATE_ROLE_PRINCIPAL)
        if translate is None:
            return
        role, key = translate.role_logical_id, "AssumeRolePolicyDocument"
        two = {"Service": ["translate.amazonaws.com", "lambda.amazonaws.com"]}
        any_arn = {
            "ArnLike": {"aws:SourceArn": "arn:aws:translate:*:*:*"},
            "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
        }
        other_account = {"StringEquals": {"aws:SourceAccount": "999999999999"}}
        cases: tuple[tuple[str, Kind, edits.Change], ...] = (
            ("trusts lambda.amazonaws.com too", "widening", edits.set_key("Principal", two)),
            ("trust without confused-deputy conditions", "widening", edits.pop_key("Condition")),
            ("aws:SourceArn widened to any account", "widening", edits.set_key("Condition", any_arn)),
            ("trusted only from another account", "narrowing", edits.set_key("Condition", other_account)),
        )
        for name, kind, how in cases:
            self.add(f"{TRANSLATE_ROLE_PRINCIPAL}: {name}", kind, edits.on_document(role, 0, how, key=key))
        self.add(f"{TRANSLATE_ROLE_PRINCIPAL}: trust dropped", "narrowing", edits.empty_trust(role))

    def resource_policy_mutations(self) -> None:
        bucket_policy = self.policy("s3", self.model.buckets["input"])
        if bucket_policy is not None:
            arn = edits.listed(edits.document(self.template, bucket_policy)["Statement"][0]["Resource"])[0]
            public = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": edits.join(arn, "/*")}
            deny = {
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "s3:GetObject",
                "Resource": edits.join(arn, "/book/*"),
            }
            self.add("input bucket policy: Allow * s3:GetObject", "widening", edits.append(bucket_policy, public))
            self.add(
                "input bucket policy: Deny * s3:GetObject on book/", "narrowing", edits.append(bucket_policy, deny)
            )
        queue_policy = next((self.policy("sqs", d.target_arns[0]) for d in self.model.rule_deliveries), None)
        if queue_policy is not None:
            statements = edits.document(self.template, queue_policy)["Statement"]
            public = {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "sqs:SendMessage",
                "Resource": statements[0]["Resource"],
            }
            self.add("upload queue policy: Allow * sqs:SendMessage", "widening", edits.append(queue_policy, public))
            events = _index(statements, {"Service": "events.amazonaws.com"})
            if events is not None:
                self.add(
                    "upload queue policy: EventBridge grant without aws:SourceArn",
                    "widening",
                    edits.on_document(queue_policy, events, edits.pop_key("Condition")),
                )
                self.add(
                    "upload queue policy: EventBridge grant dropped",
                    "narrowing",
                    edits.drop_from_document(queue_policy, events),
                )
        for topic in self.model.topics:
            key_policy = self.policy("kms", topic.key_arn or "")
            alarms = (
                _index(edits.document(self.template, key_policy)["Statement"], {"Service": "cloudwatch.amazonaws.com"})
                if key_policy
                else None
            )
            if key_policy is not None and alarms is not None:
                self.add(
                    "topic key policy: CloudWatch grant -> kms:*",
                    "widening",
                    edits.on_document(key_policy, alarms, edits.set_key("Action", "kms:*")),
                )
                self.add(
                    "topic key policy: CloudWatch grant dropped",
                    "narrowing",
                    edits.drop_from_document(key_policy, alarms),
                )

    # --------------------------------------------------------------------------------------------- narrowings
    def narrowings(self) -> None:
        kms = self.granting("kms:GenerateDataKey")
        if kms is not None:
            self.add(
                f"{kms[0]}: kms:GenerateDataKey dropped",
                "narrowing",
                edits.change(kms[1], edits.drop_actions("kms:GenerateDataKey")),
            )
        for mapping in self.model.event_source_mappings[:1]:
            principal, queue = mapping.principal, mapping.queue_arn
            poll = self.first(lambda n, s: n == principal and queue in s.resources)  # noqa: B023 (used at once)
            if poll is not None:
                dropped = edits.drop_actions("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
                self.add(
                    f"{poll[0]}: the event source mapping's SQS actions dropped",
                    "narrowing",
                    edits.change(poll[1], dropped),
                )
        reader = self.first(lambda n, s: n == TRANSLATE_ROLE_PRINCIPAL and "s3:GetObject" in s.actions)
        if reader is not None:
            self.add(f"{reader[0]}: read of job input dropped", "narrowing", edits.remove(reader[1]))
        writer = self.first(
            lambda n, s: n.startswith("function:") and "s3:PutObject" in s.actions and len(s.resources) > 1
        )
        if writer is not None:
            self.add(
                f"{writer[0]}: write prefix {writer[1].resources[-1]} dropped",
                "narrowing",
                edits.change(writer[1], edits.drop_last_resource),
            )
        invoke = self.granting("lambda:InvokeFunction")
        if invoke is not None and len(invoke[1].resources) > 1:
            function = invoke[1].resources[-1].rsplit(":", 1)[-1]
            self.add(
                f"{invoke[0]}: lambda:InvokeFunction on {function} dropped",
                "narrowing",
                edits.change(invoke[1], edits.drop_last_resource),
            )
        for action in ("iam:PassRole", "states:StartExecution"):
            hit = self.granting(action)
            if hit is not None:
                self.add(f"{hit[0]}: {action} dropped", "narrowing", edits.remove(hit[1]))
        lister = self.first(lambda _, s: "s3:ListBucket" in s.actions and len(_list_prefixes(s)) > 1)
        if lister is not None:
            self.add(
                f"{lister[0]}: s3:prefix {_list_prefixes(lister[1])[0]} dropped",
                "narrowing",
                edits.change(lister[1], edits.drop_first_list_prefix),
            )


def _index(statements: list[dict[str, Any]], principal: dict[str, Any]) -> int | None:
    return next((i for i, s in enumerate(statements) if s.get("Principal") == principal), None)


def _list_prefixes(statement: Statement) -> tuple[str, ...]:
    return statement.conditions.get("StringLike", {}).get("s3:prefix", ())


def generate(template: Template, model: StackModel) -> list[Mutation]:
    """Every mutation this template offers (a kind of edit is skipped when the template has nothing to edit)."""
    generator = _Generator(template, model)
    generator.identity_widenings()
    generator.trust_mutations()
    generator.resource_policy_mutations()
    generator.narrowings()
    return generator.found


def run_mutations(template: Template, calls: Sequence[CallRecord], **options: Any) -> list[Outcome]:
    """Prove each mutated template with the same calls. A widening is caught by a breadth finding the unmodified
    template does not have; a narrowing by a denied call or a failed service-behaviour check."""
    from amts_local.iam.proof import prove

    baseline = prove(template, calls, **options)
    known = {(f.principal, f.check, f.action, f.resource) for f in baseline.breadth.findings}
    outcomes = []
    for mutation in generate(template, baseline.model):
        proof = prove(mutation.apply(template), calls, **options)
        if mutation.kind == "widening":
            new = [f for f in proof.breadth.findings if (f.principal, f.check, f.action, f.resource) not in known]
            caught = tuple(sorted({f"breadth:{finding.check}" for finding in new}))
        else:
            caught = (("replay",) if proof.violations else ()) + tuple(f"service:{n}" for n in proof.service_failures)
        outcomes.append(Outcome(mutation, caught))
    return outcomes
