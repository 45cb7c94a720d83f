"""Fixtures of the sync tests: a recording translator and the aligners to run against."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from amts.book import Document, segments
from amts.sync.engine import SegmentLinks


@dataclass
class RecordingTranslator:
    """Deterministic stand-in MT that records every text it is sent."""

    name: str = "recording"
    sent: list[str] = field(default_factory=list)

    def __call__(self, texts: list[str], source_lang: str, target_lang: str) -> list[str]:
        self.sent.extend(texts)
        return [f"〔机翻〕{text}" for text in texts]


def positional_aligner(src: Document, tgt: Document, src_lang: str, tgt_lang: str) -> tuple[SegmentLinks, float]:
    """Test double for the document aligner: the samples' segments correspond one to one, in order, except
    for target-only tab content (zh ``paddle`` tabs), which it leaves unpaired like the real aligner."""
    source = list(segments(src))
    target = [s for s in segments(tgt) if not (s.tab and "paddle" in s.tab)]
    return [((a.id,), (b.id,)) for a, b in zip(source, target, strict=False)], 0.9


def _aligners() -> list[object]:
    params: list[object] = [pytest.param(positional_aligner, id="positional")]
    if getattr(importlib.import_module("amts.align"), "align_documents", None) is not None:
        params.append(pytest.param(None, id="amts.align"))
    return params


@pytest.fixture(params=_aligners())
def aligner(request: pytest.FixtureRequest) -> Callable[..., tuple[SegmentLinks, float]] | None:
    """Each controlled-edit test runs with the test double and, once it exists, with the real aligner."""
    value: Callable[..., tuple[SegmentLinks, float]] | None = request.param
    return value


@pytest.fixture
def translator() -> RecordingTranslator:
    return RecordingTranslator()
