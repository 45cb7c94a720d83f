"""The known S3 key prefixes of the layout, and the "used prefix" of a recorded key.

Known prefixes are the layout constants of ``amts.config`` (every ``*_PREFIX`` and ``*_KEY``), the sub-prefixes the
pipeline modules define under them (``amts_steps.starter.REJECTED_PREFIX`` = ``reports/rejected/``), and, from the
pipeline config, each pair's reference prefix and glossary key when they lie outside the layout (as
``stacks/access.py`` grants them). A new layout constant is picked up without editing
this module. The used prefix of a key is the longest known prefix it starts with; a key outside every known prefix
is its own used prefix, so a wildcard over it is always too wide until its prefix is declared.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable

from amts import config
from amts.pipeline_config import PipelineConfig


def _constants(module: object) -> set[str]:
    return {
        value
        for name, value in vars(module).items()
        if name.isupper() and name.endswith(("_PREFIX", "_KEY")) and isinstance(value, str) and value
    }


def known_prefixes(pipeline: PipelineConfig | None = None, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """Every known prefix (and single key), longest first."""
    layout = _constants(config)
    found = set(layout)
    import amts_steps

    for module_info in pkgutil.iter_modules(amts_steps.__path__):
        module = importlib.import_module(f"amts_steps.{module_info.name}")
        found |= {value for value in _constants(module) if any(value.startswith(p) for p in layout)}
    if pipeline is not None:  # outside the layout only: book/zh/ is part of book/, human/ja/ is a prefix of its own
        for pair in pipeline.language_pairs:
            for value in (pair.reference_prefix, pair.terminology_key):
                if value and not any(value.startswith(p) for p in layout):
                    found.add(value)
    found |= set(extra)
    return tuple(sorted(found, key=lambda p: (-len(p), p)))


def used_prefix(key: str, prefixes: Iterable[str]) -> str:
    """The longest known prefix ``key`` starts with, else ``key`` itself."""
    for prefix in prefixes:  # longest first
        if key.startswith(prefix):
            return prefix
    return key


def literal_part(pattern: str) -> str:
    """The text before the first wildcard (the whole pattern when it has none)."""
    cut = [i for i in (pattern.find("*"), pattern.find("?")) if i >= 0]
    return pattern[: min(cut)] if cut else pattern
