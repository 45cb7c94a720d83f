"""BuildParallelData on moto: chapters in both languages are aligned, the CSV is named by its content."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from amts_steps.pair_models import ParallelDataStep
from amts_steps.parallel_data import build_pair_parallel_data
from amts_steps.plan_models import PairSettings, PairTask

from tests.integration.pipeline.conftest import moto_s3

INPUT, WORK = "amts-pd-input", "amts-pd-work"


@dataclass(frozen=True)
class Pair:
    src: str
    tgt: str


@dataclass
class PairSetLike:
    pairs: list[Pair]


class SentencePairs:
    """An aligner double: pairs the n-th paragraph of each side, and records which chapters it saw."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, src_doc: Any, tgt_doc: Any, *, src_lang: str, tgt_lang: str, granularity: str) -> PairSetLike:
        assert granularity == "sentence"
        self.seen.append(src_doc.path)
        src = [p for p in src_doc.text.split("\n\n") if p.strip()]
        tgt = [p for p in tgt_doc.text.split("\n\n") if p.strip()]
        return PairSetLike([Pair(s.strip(), t.strip()) for s, t in zip(src, tgt, strict=False)])


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with moto_s3(monkeypatch, INPUT, WORK) as client:
        for path, en, zh in [
            ("a.md", "Deep learning is fun.\n\nModels learn.\n", "深度学习很有趣。\n\n模型会学习。\n"),
            ("b.md", "Data matters a lot.\n", "数据很重要。\n"),
        ]:
            client.put_object(Bucket=INPUT, Key=f"book/en/{path}", Body=en.encode())
            client.put_object(Bucket=INPUT, Key=f"book/zh/{path}", Body=zh.encode())
        client.put_object(Bucket=INPUT, Key="book/en/only-en.md", Body=b"Not translated yet.\n")
        yield client


def step(*, publish: bool = True, chapters: list[str] | None = None) -> ParallelDataStep:
    pair = PairSettings(source="en", target="zh", parallel_data_name="amts-en-zh", reference_prefix="book/zh/")
    task = PairTask(
        run_id="run-1",
        pair=pair,
        pair_name="en-zh",
        chapters=chapters,
        chapter_count=len(chapters or ["x"]),
        publish=publish,
        evaluate=not publish,
        job_name="amts-run-1-en-zh",
        client_token="token",
    )
    return ParallelDataStep(task=task)


def test_pairs_from_every_translated_chapter_go_into_a_content_named_csv(s3: Any) -> None:
    aligner = SentencePairs()
    result = build_pair_parallel_data(step(), s3_client=s3, input_bucket=INPUT, work_bucket=WORK, extract_pairs=aligner)
    assert result.has_data
    assert sorted(aligner.seen) == ["en/a.md", "en/b.md"]  # only chapters that exist in both languages
    assert result.pair_count == 3
    assert result.chapters_aligned == 2
    assert result.held_out_pairs == 0  # a publishing run holds nothing out
    assert result.s3_uri == f"s3://{WORK}/parallel-data/en-zh/{result.content_hash[:32]}.csv"  # type: ignore[index]
    body = s3.get_object(Bucket=WORK, Key=result.s3_uri.split(f"{WORK}/", 1)[1])["Body"].read().decode()  # type: ignore[union-attr]
    assert body.splitlines()[0] == "en,zh"
    assert "Deep learning is fun.,深度学习很有趣。" in body
    # the same book gives the same file, so the state machine does not update the parallel data
    again = build_pair_parallel_data(step(), s3_client=s3, input_bucket=INPUT, work_bucket=WORK, extract_pairs=aligner)
    assert again.s3_uri == result.s3_uri
    assert again.client_token == result.client_token


def test_evaluation_only_runs_hold_out_the_evaluated_chapters(s3: Any) -> None:
    aligner = SentencePairs()
    result = build_pair_parallel_data(
        step(publish=False, chapters=["a.md"]),
        s3_client=s3,
        input_bucket=INPUT,
        work_bucket=WORK,
        extract_pairs=aligner,
    )
    # the held-out chapter is aligned only to count what the leakage guard left out; its pairs are not in the file
    assert sorted(aligner.seen) == ["en/a.md", "en/b.md"]
    assert result.pair_count == 1
    assert result.held_out_pairs == 2
    body = s3.get_object(Bucket=WORK, Key=result.s3_uri.split(f"{WORK}/", 1)[1])["Body"].read().decode()  # type: ignore[union-attr]
    assert "Deep learning" not in body


def test_no_human_translation_means_no_parallel_data(s3: Any) -> None:
    aligner = SentencePairs()
    result = build_pair_parallel_data(
        step(publish=False, chapters=["a.md", "b.md"]),
        s3_client=s3,
        input_bucket=INPUT,
        work_bucket=WORK,
        extract_pairs=aligner,
    )
    assert not result.has_data
    assert result.held_out_pairs == 3  # every translated chapter was held out: all their pairs were excluded


def test_the_real_aligner_pairs_sentences_of_a_translated_chapter(s3: Any) -> None:
    en = (
        "# Linear Regression\n\nWe use regression whenever the answer we want is a number. "
        "Common examples include predicting prices.\n\nWe assume that the relationship is linear. "
        "The noise is well behaved.\n"
    )
    zh = (
        "# 线性回归\n\n每当我们想预测一个数值时，就会出现回归问题。常见的例子包括预测价格。\n\n"
        "我们假设这种关系是线性的。噪声表现良好。\n"
    )
    s3.put_object(Bucket=INPUT, Key="book/en/linear.md", Body=en.encode())
    s3.put_object(Bucket=INPUT, Key="book/zh/linear.md", Body=zh.encode())
    task_step = step(publish=False, chapters=["a.md", "b.md"])  # holds out a and b: only linear.md is aligned
    result = build_pair_parallel_data(task_step, s3_client=s3, input_bucket=INPUT, work_bucket=WORK)
    assert result.has_data
    assert result.chapters_aligned == 1
    assert result.pair_count >= 3
    body = s3.get_object(Bucket=WORK, Key=result.s3_uri.split(f"{WORK}/", 1)[1])["Body"].read().decode()  # type: ignore[union-attr]
    assert "我们假设这种关系是线性的。" in body
