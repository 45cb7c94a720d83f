"""The whole least-privilege proof for one template and one set of recorded calls.

Three questions, each of which a broken template must fail:

1. is every recorded call allowed? (``replay``: the template is not too narrow for what the code does);
2. is every grant needed? (``breadth`` and ``exposure``: not wider than the calls plus the reviewed allow-list);
3. can AWS do what it does on the stack's behalf? (``services``: documented rules a local run cannot record).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from amts import config
from amts.pipeline_config import PipelineConfig, load_pipeline_config_from_env

from amts_local.awscalls import CallRecord
from amts_local.iam.allowlist import ALLOWLIST, AllowEntry
from amts_local.iam.breadth import BreadthReport, identity_breadth
from amts_local.iam.exposure import resource_policy_breadth, trust_breadth
from amts_local.iam.layout import known_prefixes
from amts_local.iam.replay import ReplayReport, Violation, replay
from amts_local.iam.services import service_failures
from amts_local.iam.template import StackModel, stack_model
from amts_local.runtime import LocalNames


@dataclass
class Proof:
    model: StackModel
    replay: ReplayReport
    breadth: BreadthReport
    service_failures: dict[str, list[str]]

    @property
    def violations(self) -> list[Violation]:
        return self.replay.violations

    @property
    def passed(self) -> bool:
        return not self.violations and not self.breadth.findings and not self.service_failures

    def summary(self) -> str:
        lines = [self.replay.summary()]
        lines += [f"OVER-BROAD {finding}" for finding in self.breadth.findings]
        lines += [
            f"SERVICE {name}: {problem}" for name, problems in self.service_failures.items() for problem in problems
        ]
        return "\n".join(lines)


def template_pipeline(template: Mapping[str, Any]) -> PipelineConfig | None:
    """The pipeline config the stack hands its functions (``AMTS_PIPELINE_CONFIG``), if any function has it."""
    for resource in template.get("Resources", {}).values():
        variables = resource.get("Properties", {}).get("Environment", {}).get("Variables", {})
        if isinstance(variables.get(config.ENV_PIPELINE_CONFIG), str):
            return load_pipeline_config_from_env(variables)
    return None


def prove(
    template: Mapping[str, Any],
    calls: Iterable[CallRecord],
    *,
    names: LocalNames | None = None,
    bindings: Mapping[str, str] | None = None,
    entries: Sequence[AllowEntry] = ALLOWLIST,
    prefixes: Sequence[str] | None = None,
) -> Proof:
    """Replay ``calls`` against ``template``, judge every grant's breadth and run the service-behaviour checks."""
    model = stack_model(template, names, bindings)
    layout = prefixes if prefixes is not None else known_prefixes(template_pipeline(template))
    replayed = replay(calls, model)
    breadth = identity_breadth(model, replayed, layout, entries=entries)
    breadth.extend(trust_breadth(model))
    breadth.extend(resource_policy_breadth(model, entries=entries))
    return Proof(model, replayed, breadth, service_failures(model))
