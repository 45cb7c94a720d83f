"""Real drift on a few d2l sections (read from ../shared, never copied): round trip, idempotence, what is sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from amts.book import find_protected, parse, render
from amts.sync import TranslationMemory, sync_documents

SECTIONS = (
    "chapter_computational-performance/hybridize.md",  # light edits in prose and code
    "chapter_computational-performance/multiple-gpus.md",  # tab markers added, zh paddle cells, zh code updated
    "chapter_installation/index.md",  # restructured section
)


@dataclass
class HanTranslator:
    """Fake MT that writes Han characters (so the output still reads as Chinese to the aligner) and records.
    Like Translate with ``translate="no"`` spans, it leaves protected spans (code, math, references) alone."""

    name: str = "han-fake"
    sent: list[str] = field(default_factory=list)

    def __call__(self, texts: list[str], source_lang: str, target_lang: str) -> list[str]:
        self.sent.extend(texts)
        return ["机" + self._hanify(text) for text in texts]

    @staticmethod
    def _hanify(text: str) -> str:
        pieces, position = [], 0
        for span in find_protected(text):
            pieces.append("".join("文" if ch.isalpha() else ch for ch in text[position : span.start]))
            pieces.append(span.text)
            position = span.end
        pieces.append("".join("文" if ch.isalpha() else ch for ch in text[position:]))
        return "".join(pieces)


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("relative", SECTIONS)
def test_real_drift_section_is_synced_idempotently(corpus_dir: Path, relative: str) -> None:
    old, target, new = (
        parse((corpus_dir / part / relative).read_text(encoding="utf-8"), path=f"{part}/{relative}")
        for part in ("origin/en", "origin/zh", "en")
    )
    memory = TranslationMemory(source_lang="en", target_lang="zh")
    first_mt = HanTranslator()

    first = sync_documents(old, target, new, memory, first_mt)

    assert render(parse(first.markdown, path="out.md")) == first.markdown
    assert first.report.skeleton_differences == []
    assert len(first_mt.sent) == first.report.mt_units
    assert 0 < first.report.mt_chars < first.report.source_chars_total
    assert first.report.reused_chars + first.report.mt_chars == first.report.source_chars_total
    # Same inputs again: nothing sent, same bytes. Then the output against its own source: unchanged.
    again_mt = HanTranslator()
    assert sync_documents(old, target, new, memory, again_mt).markdown == first.markdown
    resync_mt = HanTranslator()
    assert sync_documents(new, parse(first.markdown, path="out.md"), new, memory, resync_mt).markdown == first.markdown
    assert again_mt.sent == resync_mt.sent == []
