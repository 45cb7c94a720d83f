"""Small d2lbook-style samples written for these tests (not corpus text)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from amts.book import Document, parse, prose, segments
from amts.evaluate.experiments import BookDocument, Engine, ParallelPair, PoolPair, build_pair_pool, run_experiments
from amts.evaluate.models import (
    CostLine,
    CostReport,
    EngineInfo,
    Granularity,
    RunReport,
    SyncDocumentWorkload,
    SyncWorkloadReport,
    TermConsistencyReport,
    TermIssue,
)
from amts.evaluate.scoring import score_documents
from amts.languages import LanguagePair

EN_SECTION = """# Counting Words
:label:`sec_counting`

We count the words in a text with a dictionary. The method $f(x)$ is simple.

```{.python .input}
counts = {}
```

![A bar chart of word counts.](../img/counts.svg)
:label:`fig_counts`

:begin_tab:`pytorch`
PyTorch keeps the counts in a tensor.
:end_tab:

:begin_tab:`jax`
JAX keeps the counts in an array.
:end_tab:

* First item about tokens.
* Second item about `vocab`.

$$y = x^2$$
"""

ZH_SECTION = """# 统计单词
:label:`sec_counting`

我们用字典统计文本中的单词。方法$f(x)$很简单。

```{.python .input}
counts = {}
```

![单词计数的条形图。](../img/counts.svg)
:label:`fig_counts`

:begin_tab:`pytorch`
PyTorch把计数保存在张量中。
:end_tab:

:begin_tab:`paddle`
飞桨把计数保存在张量中。
:end_tab:

* 关于词元的第一项。
* 关于`vocab`的第二项。

$$y = x^2$$
"""

# A machine translation of EN_SECTION: same structure, some words differ from the reference.
ZH_HYPOTHESIS = """# 计数单词
:label:`sec_counting`

我们使用字典统计文本里的单词。方法$f(x)$是简单的。

```{.python .input}
counts = {}
```

![单词计数条形图。](../img/counts.svg)
:label:`fig_counts`

:begin_tab:`pytorch`
PyTorch将计数保存在张量里。
:end_tab:

:begin_tab:`jax`
JAX将计数保存在数组里。
:end_tab:

* 关于词元的第一个项目。
* 关于`vocab`的第二个项目。

$$y = x^2$$
"""


# Another chapter: it shares one sentence ("First item about tokens.") with the evaluated section.
EN_OTHER = """# Reading Files

We read a file line by line. First item about tokens.

* Lines become tokens.
"""
ZH_OTHER = """# 读取文件

我们逐行读取文件。关于词元的第一项。

* 行变成词元。
"""

_SENTENCE_END = re.compile(r"(?<=[.。!?！？])\s*")


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def fake_extract(
    src_doc: Document, tgt_doc: Document, src_lang: str, tgt_lang: str, granularity: Granularity
) -> list[tuple[str, str]]:
    """Pairs by segment id (same structure in these samples), split into sentences when asked."""
    tgt_by_id = {s.id: prose(s) for s in segments(tgt_doc)}
    pairs: list[tuple[str, str]] = []
    for segment in segments(src_doc):
        if segment.id not in tgt_by_id:
            continue
        src_text, tgt_text = prose(segment), tgt_by_id[segment.id]
        if granularity == "paragraph":
            pairs.append((src_text, tgt_text))
            continue
        src_sents, tgt_sents = _sentences(src_text), _sentences(tgt_text)
        if len(src_sents) == len(tgt_sents):
            pairs.extend(zip(src_sents, tgt_sents, strict=True))
    return pairs


class FakeTranslationMemory:
    """Exact-match translation memory: whole segment, else sentence by sentence, else the source unchanged.

    ``known`` pairs play the part of what a generic engine already translates well without parallel data.
    """

    def __init__(self, known: Sequence[ParallelPair] = ()) -> None:
        self.calls: list[tuple[int, str, str, int | None]] = []
        self.known = list(known)

    def __call__(
        self, texts: Sequence[str], src: str, tgt: str, parallel_pairs: Sequence[ParallelPair] | None
    ) -> list[str]:
        self.calls.append((len(texts), src, tgt, None if parallel_pairs is None else len(parallel_pairs)))
        memory = {p.src: p.tgt for p in self.known} if src == "en" else {p.tgt: p.src for p in self.known}
        memory.update({p.src: p.tgt for p in parallel_pairs or ()})
        joiner = "" if tgt == "zh" else " "
        out = []
        for text in texts:
            if text in memory:
                out.append(memory[text])
            else:
                out.append(joiner.join(memory.get(s, s) for s in _sentences(text)))
        return out


GENERIC_ENGINE_KNOWS = [
    ParallelPair("Counting Words", "统计单词"),
    ParallelPair("Reading Files", "读取文件"),
    ParallelPair("Lines become tokens.", "行变成词元。"),
    ParallelPair("First item about tokens.", "关于词元的第一项。"),
]


def sample_book() -> list[BookDocument]:
    return [
        BookDocument(
            "chapter_a/one.md",
            "chapter_a",
            {"en": parse(EN_SECTION, path="en/chapter_a/one.md"), "zh": parse(ZH_SECTION, path="zh/chapter_a/one.md")},
        ),
        BookDocument(
            "chapter_b/two.md",
            "chapter_b",
            {"en": parse(EN_OTHER, path="en/chapter_b/two.md"), "zh": parse(ZH_OTHER, path="zh/chapter_b/two.md")},
        ),
    ]


def sample_pools(book: Sequence[BookDocument]) -> dict[Granularity, list[PoolPair]]:
    return {g: build_pair_pool(book, "en", "zh", g, extract=fake_extract) for g in ("paragraph", "sentence")}


def sample_run_report(*, allow_leakage: bool = True) -> RunReport:
    """A report with every section filled, built from the samples with the fake engine."""
    book = sample_book()
    pools = sample_pools(book)
    experiments = [
        run_experiments(
            book,
            ["chapter_a/one.md", "chapter_b/two.md"],
            LanguagePair.parse(direction),
            Engine("fake-tm", FakeTranslationMemory(known=GENERIC_ENGINE_KNOWS)),
            pools,
            allow_leakage=allow_leakage,
        )
        for direction in ("en-zh", "zh-en")
    ]
    scores = score_documents(
        parse(ZH_HYPOTHESIS, path="out/zh/chapter_a/one.md"),
        parse(ZH_SECTION, path="zh/chapter_a/one.md"),
        tgt_lang="zh",
    )
    return RunReport(
        run_id="run-0001",
        generated_at="2026-01-01T00:00:00+00:00",
        book="sample",
        language_pairs=["en-zh", "zh-en"],
        engines=[EngineInfo(name="fake-tm", description="exact-match translation memory (tests)")],
        scores=[scores],
        experiments=experiments,
        cost=CostReport(
            lines=[
                CostLine(label="standard translation", characters=120_000, usd_per_million_characters=15.0),
                CostLine(label="ACT translation", characters=80_000, usd_per_million_characters=60.0),
            ],
            pricing_note="list prices assumed; check the Amazon Translate pricing page",
        ),
        terminology=TermConsistencyReport(
            glossary="TERMINOLOGY.zh-en.md",
            terms_checked=3,
            occurrences=9,
            issues=[TermIssue(term="tensor", expected="张量", found="数组", path="zh/a.md", segment_id="s0004")],
        ),
        sync=SyncWorkloadReport(
            documents=[
                SyncDocumentWorkload(path="a.md", segments_total=10, unchanged=6, machine_translated=3, needs_review=3),
                SyncDocumentWorkload(path="b.md", segments_total=4, reused_from_memory=2, human_edits_kept=2),
            ]
        ),
    )
