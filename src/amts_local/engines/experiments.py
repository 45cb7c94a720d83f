"""Experiment engines backed by the Translate stand-in's engines (the offline stand-in for Amazon Translate).

With parallel data the chain is the one a stand-in ACT job runs: the translation memory built from the pairs
(exact, then fuzzy, whole segment then sentence by sentence), then Apertium where it has the language pair,
then the marked pseudo-translation. Without parallel data the memory is absent. Every condition records
how many segments (or sentences) each engine produced, so a score is never mistaken for real MT quality.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from amts.evaluate.experiments import Engine, ParallelPair
from amts.translate.markup import Unit
from amts.translate.parallel_data import ParallelRow

from amts_local.engines.chain import ApertiumEngine, EngineChain, TranslationMemoryEngine, standin_chain, unit_text

_DETAIL = re.compile(r"\s*\((exact|fuzzy)[^)]*\)")


class StandInBackend:
    """Callable for :class:`Engine`: runs the stand-in's engine chain and counts which engine did what."""

    def __init__(self, *, fuzzy_threshold: float = 0.85, apertium: ApertiumEngine | None = None) -> None:
        self.fuzzy_threshold = fuzzy_threshold
        self.apertium = apertium if apertium is not None else ApertiumEngine()
        self.last_usage: Counter[str] = Counter()

    def chain(self, src: str, tgt: str, parallel_pairs: Sequence[ParallelPair] | None) -> EngineChain:
        """The stand-in's chain; the pairs, when there are any, are its translation memory."""
        memory = None
        if parallel_pairs:
            rows = [ParallelRow(pair.src, (pair.tgt,)) for pair in parallel_pairs]
            memory = TranslationMemoryEngine(rows, src, [tgt], fuzzy_threshold=self.fuzzy_threshold)
        return standin_chain(src, tgt, memory=memory, apertium=self.apertium)

    def chain_names(self, src: str, tgt: str, *, with_memory: bool) -> list[str]:
        """The engines' names, in the order ``chain`` asks them (an empty memory stands in for the real one)."""
        memory = TranslationMemoryEngine([], src, [tgt]) if with_memory else None
        return [engine.name for engine in standin_chain(src, tgt, memory=memory, apertium=self.apertium).engines]

    def __call__(
        self, texts: Sequence[str], src: str, tgt: str, parallel_pairs: Sequence[ParallelPair] | None
    ) -> list[str]:
        chain = self.chain(src, tgt, parallel_pairs)
        translations, _ = chain.translate([Unit([text]) for text in texts], src, tgt)
        self.last_usage = Counter(_DETAIL.sub(r" (\1)", label) for t in translations for label in t.engines)
        return [unit_text(t.parts) for t in translations]


def standin_engine(src: str, tgt: str, *, fuzzy_threshold: float = 0.85) -> Engine:
    """The stand-in engine for one direction, named after its chain (translation-memory > apertium > pseudo)."""
    backend = StandInBackend(fuzzy_threshold=fuzzy_threshold)
    chain = " > ".join(backend.chain_names(src, tgt, with_memory=True))
    return Engine(
        name=f"AMTS Translate stand-in ({chain}; without ACT the memory is left out)",
        translate_segments=backend,
        description="offline stand-in for Amazon Translate: the parallel data as a translation memory stands in "
        "for Active Custom Translation; Apertium where Debian has the pair; otherwise a marked pseudo-translation",
        usage=lambda: dict(backend.last_usage),
    )
