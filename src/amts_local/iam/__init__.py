"""Least privilege, proven on the synthesized template: the project's one IAM evaluator (local tooling, not bundled).

- ``template``: principals, identity statements, resource and trust policies read from the template, with intrinsics
  resolved against the local runtime's names (``resolve``);
- ``evaluate``: the decision for one request (explicit Deny, identity and resource-based Allow, KMS key policies,
  Action/NotAction, Resource/NotResource, conditions);
- ``replay``: recorded calls (``amts_local.awscalls``) checked one by one;
- ``breadth`` and ``exposure``: grants wider than the calls need (identity; trust and resource policies);
- ``allowlist``: the one reviewed list of what recorded calls cannot justify;
- ``services``: what AWS does on the stack's behalf, checked as documented rules;
- ``proof``: all of it for one template; ``mutations``: edits of a template that the proof must catch.
"""

from amts_local.iam.breadth import BreadthReport, Finding
from amts_local.iam.evaluate import decide
from amts_local.iam.model import Decision, Principal, Request, ResourcePolicy, Statement
from amts_local.iam.proof import Proof, prove
from amts_local.iam.replay import ReplayReport, Violation, replay
from amts_local.iam.template import StackModel, stack_model

__all__ = [
    "BreadthReport",
    "Decision",
    "Finding",
    "Principal",
    "Proof",
    "ReplayReport",
    "Request",
    "ResourcePolicy",
    "StackModel",
    "Statement",
    "Violation",
    "decide",
    "prove",
    "replay",
    "stack_model",
]
