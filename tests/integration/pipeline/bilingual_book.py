"""A small bilingual book on moto S3 and the pair's steps driven as the state machine chains them.

Shared by the tests that run the real steps with the Translate stand-in answering the Translate tasks (no Step
Functions): the run report, the Score handler and the translation memory under concurrent Assembles. The ``book``
fixture (``conftest.py``) loads this book into moto S3 with ``load_book``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from amts_steps.pair_models import (
    AssembleStep,
    JobResult,
    JobsResult,
    ParallelDataResult,
    ReleaseStep,
    StageResult,
    StageStep,
)
from amts_steps.plan_models import PairSettings, PairTask
from amts_steps.release import release_job_input
from amts_steps.stage import stage_pair

from amts_local.standin import TranslateStandIn
from tests.integration.translate.jobs import job_request

INPUT, WORK, OUTPUT = "amts-rr-input", "amts-rr-work", "amts-rr-output"
BUCKETS = {"input_bucket": INPUT, "work_bucket": WORK, "output_bucket": OUTPUT}
ROLE = "arn:aws:iam::123456789012:role/amts-translate"
TERMINOLOGY = "amts-terms-en-zh"
EVALUATED = "chapter_loss/index.md"
OTHER = "chapter_data/index.md"
NEW = "chapter_new/index.md"
SHARED_EN = "Training data should be representative of the deployment."
SHARED_ZH = "训练数据应该代表部署环境。"

BOOK = {
    EVALUATED: (
        "# Loss Functions\n\nThe loss function measures how far a prediction is from the truth.\n\n"
        f"{SHARED_EN}\n\n```{{.python .input}}\nloss = (y_hat - y) ** 2\n```\n\n"
        "We minimize the loss function over the training set.\n",
        "# 损失函数\n\n损失函数衡量预测与真实值的差距。\n\n"
        f"{SHARED_ZH}\n\n```{{.python .input}}\nloss = (y_hat - y) ** 2\n```\n\n"
        "我们在训练集上最小化损失函数。\n",
    ),
    OTHER: (
        "# Data\n\nData comes in many shapes. Tables are common.\n\n"
        f"{SHARED_EN}\n\nLabels are often expensive to collect.\n",
        f"# 数据\n\n数据有多种形态。表格很常见。\n\n{SHARED_ZH}\n\n标签的收集通常代价高昂。\n",
    ),
}
NEW_EN = "# A New Chapter\n\nThis chapter has no translation yet.\n\nIt uses a loss function too.\n"


@dataclass
class Book:
    s3: Any
    translate: TranslateStandIn


def load_book(s3: Any) -> Book:
    """Put the book (two translated chapters and a new one) in the input bucket, and the pair's terminology."""
    for path, (en, zh) in BOOK.items():
        s3.put_object(Bucket=INPUT, Key=f"book/en/{path}", Body=en.encode())
        s3.put_object(Bucket=INPUT, Key=f"book/zh/{path}", Body=zh.encode())
    s3.put_object(Bucket=INPUT, Key=f"book/en/{NEW}", Body=NEW_EN.encode())
    translate = TranslateStandIn(s3, use_apertium=False)
    translate.call(
        "ImportTerminology",
        {
            "Name": TERMINOLOGY,
            "MergeStrategy": "OVERWRITE",
            "TerminologyData": {"File": "en,zh\nloss function,损失函数\n".encode(), "Format": "CSV"},
        },
    )
    return Book(s3, translate)


def pair_task(run_id: str, *, chapters: list[str] | None, publish: bool, evaluate: bool) -> PairTask:
    pair = PairSettings(
        source="en",
        target="zh",
        parallel_data_name="amts-en-zh",
        terminology_name=TERMINOLOGY,
        evaluate=evaluate,
        reference_prefix="book/zh/",
    )
    return PairTask(
        run_id=run_id,
        pair=pair,
        pair_name="en-zh",
        chapters=chapters,
        chapter_count=len(chapters or [EVALUATED, OTHER, NEW]),
        publish=publish,
        evaluate=evaluate,
        job_name=f"amts-{run_id}-en-zh",
        client_token=f"token-{run_id}",
    )


def stage_and_release(step: StageStep, **buckets: Any) -> StageResult:
    """Stage, then (as after the cost guard's approval) Release the staged documents into the job folder."""
    stage = stage_pair(step, **buckets)
    if stage.needs_translation:
        release_job_input(
            ReleaseStep(task=step.task, stage=stage), s3_client=buckets["s3_client"], work_bucket=buckets["work_bucket"]
        )
    return stage


def run_job(book: Book, task: PairTask, *, input_uri: str, output_uri: str, variant: str, pd: list[str]) -> JobResult:
    """One Translate job of the pair (``variant`` act or base), run to completion by the stand-in."""
    options: dict[str, Any] = {"TerminologyNames": [TERMINOLOGY]}
    if pd:
        options["ParallelDataNames"] = pd
    params = job_request(
        f"{task.job_name}-{variant}",
        input_uri,
        output_uri,
        role=ROLE,
        client_token=f"{task.client_token}-{variant}",
        **options,
    )
    job_id = book.translate.call("StartTextTranslationJob", params)["JobId"]
    book.translate.clock.advance(3600)
    props = book.translate.call("DescribeTextTranslationJob", {"JobId": job_id})["TextTranslationJobProperties"]
    assert props["JobStatus"] == "COMPLETED", props
    return JobResult.model_validate(props)


def stage_and_translate(book: Book, run_id: str, chapter: str) -> AssembleStep:
    """A publishing run of one chapter without parallel data, up to Assemble: staged, and translated if it must be."""
    task = pair_task(run_id, chapters=[chapter], publish=True, evaluate=False)
    no_data = ParallelDataResult(has_data=False, name=task.pair.parallel_data_name)
    stage = stage_and_release(StageStep(task=task, parallel_data=no_data), s3_client=book.s3, **BUCKETS)
    if not stage.needs_translation:  # a chapter with a human translation: Assemble keeps it and seeds the memory
        return AssembleStep(task=task, stage=stage)
    job = run_job(book, task, input_uri=stage.input_s3_uri, output_uri=stage.output_s3_uri, variant="act", pd=[])
    return AssembleStep(task=task, stage=stage, jobs=JobsResult(customized=job))
