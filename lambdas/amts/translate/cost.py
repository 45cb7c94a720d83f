"""What a Translate job costs: billed characters under the standard and the ACT price, and the budget guard.

The prices are configurable defaults, UNVERIFIED against the AWS price page; the billing rule (which characters
count) is ``amts.translate.markup.billed_characters``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from amts.errors import AmtsError
from amts.translate.markup import billed_characters

UNVERIFIED_PRICING_NOTE = (
    "prices are configurable defaults from third-party sources ($15 per million characters standard, $60 ACT), "
    "UNVERIFIED against aws.amazon.com/translate/pricing"
)


class BudgetExceededError(AmtsError):
    """A job's estimated cost is over the configured budget; it was not started."""


@dataclass(frozen=True)
class Pricing:
    """USD per million billed characters. Defaults are UNVERIFIED third-party figures; override from config."""

    standard_per_million: float = 15.0
    act_per_million: float = 60.0
    note: str = UNVERIFIED_PRICING_NOTE


def usd(amount: float) -> str:
    """Dollars as people write them: cents for ordinary amounts, more digits for the tiny ones."""
    if amount == 0 or (abs(amount) >= 0.01 and round(amount, 2) == round(amount, 6)):
        return f"${amount:,.2f}"
    return f"${amount:,.6f}".rstrip("0")


@dataclass(frozen=True)
class CostEstimate:
    """Characters billed under each pricing model for a job (every target language bills the source again)."""

    source_characters: int
    target_languages: tuple[str, ...]
    uses_parallel_data: bool
    pricing: Pricing = field(default_factory=Pricing)

    @property
    def billed_characters(self) -> int:
        return self.source_characters * len(self.target_languages)

    @property
    def standard_usd(self) -> float:
        return self.billed_characters * self.pricing.standard_per_million / 1_000_000

    @property
    def act_usd(self) -> float:
        return self.billed_characters * self.pricing.act_per_million / 1_000_000

    @property
    def usd(self) -> float:
        """The cost under the model this job is billed at (ACT when it uses parallel data)."""
        return self.act_usd if self.uses_parallel_data else self.standard_usd

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_characters": self.source_characters,
            "target_languages": list(self.target_languages),
            "billed_characters": self.billed_characters,
            "standard_usd": round(self.standard_usd, 6),
            "act_usd": round(self.act_usd, 6),
            "pricing_model": "act" if self.uses_parallel_data else "standard",
            "usd": round(self.usd, 6),
            "pricing_note": self.pricing.note,
        }

    def render(self) -> str:
        return (
            f"{self.source_characters:,} source characters x {len(self.target_languages)} target language(s) "
            f"({', '.join(self.target_languages)}) = {self.billed_characters:,} billed characters\n"
            f"  standard: ${self.standard_usd:,.4f}   ACT (parallel data): ${self.act_usd:,.4f}\n"
            f"  note: {self.pricing.note}\n"
        )


def estimate_cost(
    documents: Mapping[str, str] | Sequence[str],
    target_languages: Sequence[str],
    *,
    content_type: str = "text/html",
    uses_parallel_data: bool = False,
    pricing: Pricing | None = None,
) -> CostEstimate:
    """Estimate a job over ``documents`` (texts) using the billing rule of ``amts.translate.markup``."""
    texts = documents.values() if isinstance(documents, Mapping) else documents
    characters = sum(billed_characters(text, content_type) for text in texts)
    return CostEstimate(characters, tuple(target_languages), uses_parallel_data, pricing or Pricing())


def check_budget(estimate: CostEstimate, budget_usd: float | None) -> None:
    """The budget guard: refuse, with a clear message, a job whose estimate is over ``budget_usd``."""
    if budget_usd is not None and estimate.usd > budget_usd:
        model = "ACT" if estimate.uses_parallel_data else "standard"
        raise BudgetExceededError(
            f"estimated cost ${estimate.usd:,.2f} ({estimate.billed_characters:,} characters at the {model} price) "
            f"is over the budget of ${budget_usd:,.2f}; the job was not started (raise the budget or translate "
            f"less; {estimate.pricing.note})"
        )


__all__ = [
    "UNVERIFIED_PRICING_NOTE",
    "BudgetExceededError",
    "CostEstimate",
    "Pricing",
    "check_budget",
    "estimate_cost",
    "usd",
]
