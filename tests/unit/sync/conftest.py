"""Fixtures of the sync tests: a recording translator, the aligners to run against, and a sync of texts."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from amts.book import Document, parse, segments
from amts.sync import TranslationMemory, engine, sync_documents
from amts.sync.engine import SegmentLinks, SyncResult

MARKER_PARAGRAPH = re.compile(r"^<!-- amts:review [^\n]* -->\n\n", re.MULTILINE)


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
def use_aligner(aligner: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the engine's default aligner is used (the CLI, book sync): swap in the test double when that is the
    parameter."""
    if aligner is not None:
        monkeypatch.setattr(engine, "default_aligner", aligner)


@pytest.fixture
def translator() -> RecordingTranslator:
    return RecordingTranslator()


def sync_texts(
    old: str, tgt: str, new: str, memory: TranslationMemory, translator: Any, aligner: Any, **kwargs: Any
) -> SyncResult:
    """``sync_documents`` on markdown texts (named old.md, tgt.md and new.md in errors)."""
    return sync_documents(
        parse(old, path="old.md"),
        parse(tgt, path="tgt.md"),
        parse(new, path="new.md"),
        memory,
        translator,
        aligner=aligner,
        **kwargs,
    )


def without_markers(markdown: str) -> str:
    """The output with review-marker paragraphs removed (each is a line plus one blank line)."""
    return MARKER_PARAGRAPH.sub("", markdown)
