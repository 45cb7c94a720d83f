"""The BuildParallelData step: align the book with its human translation and write Translate's CSV.

Every chapter present in both the source folder and the pair's reference folder is aligned sentence by
sentence (``amts.align.extract_pairs``) and the pairs are filtered and written by
``amts.translate.parallel_data.build_parallel_data``. The file is named by its content hash, so an unchanged
book gives the same S3 URI and the state machine skips the update. In an evaluation-only run the chapters
being evaluated are held out, so the ACT job never sees the reference it is scored against; they are still
aligned, only to count the pairs the leakage guard left out (``held_out_pairs``, the report's "excluded").
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from amts.align import extract_pairs as align_extract_pairs
from amts.book import parse
from amts.errors import AmtsError, InputError
from amts.translate.parallel_data import build_parallel_data
from amts_aws.s3 import list_markdown, put_bytes, read_text, s3_uri

from amts_steps import layout
from amts_steps.pair_models import ParallelDataResult, ParallelDataStep

PairExtractor = Callable[..., Any]


def build_pair_parallel_data(
    step: ParallelDataStep,
    *,
    s3_client: Any,
    input_bucket: str,
    work_bucket: str,
    extract_pairs: PairExtractor | None = None,
) -> ParallelDataResult:
    task, pair = step.task, step.task.pair
    source_prefix = layout.book_key(pair.source, "")
    sources = set(list_markdown(s3_client, input_bucket, source_prefix))
    references = set(list_markdown(s3_client, input_bucket, pair.reference_prefix))
    held_out = set(task.chapters or sources) if not task.publish else set()
    chapters = sorted((sources & references) - held_out)
    extract = extract_pairs or align_extract_pairs

    def aligned_rows(paths: list[str]) -> tuple[list[tuple[str, str]], int]:
        rows: list[tuple[str, str]] = []
        aligned = 0
        for path in paths:
            src_text = read_text(s3_client, input_bucket, source_prefix + path)
            tgt_text = read_text(s3_client, input_bucket, pair.reference_prefix + path)
            if src_text is None or tgt_text is None:
                continue
            try:
                pair_set = extract(
                    parse(src_text, path=f"{pair.source}/{path}"),
                    parse(tgt_text, path=f"{pair.target}/{path}"),
                    src_lang=pair.source,
                    tgt_lang=pair.target,
                    granularity="sentence",
                )
            except AmtsError:  # a chapter that does not align is left out, the others still count
                continue
            aligned += 1
            rows.extend((item.src, item.tgt) for item in pair_set.pairs)
        return rows, aligned

    def records(rows: list[tuple[str, str]]) -> tuple[bytes, int]:
        try:
            data, stats = build_parallel_data(rows, pair.source, pair.target, "CSV")
        except InputError:  # every pair was filtered out (too long, code only, ...)
            return b"", 0
        return data, stats.written_records

    # The report's "excluded" figure: what the held-out chapters would have added, counted the same way.
    held_out_rows, _ = aligned_rows(sorted((sources & references) & held_out))
    held_out_pairs = records(held_out_rows)[1] if held_out_rows else 0
    empty = ParallelDataResult(has_data=False, name=pair.parallel_data_name, held_out_pairs=held_out_pairs)
    rows, aligned = aligned_rows(chapters)
    data, written = records(rows) if rows else (b"", 0)
    if not written:  # no chapter, no pair, or every pair filtered out: run without ACT
        return empty
    content_hash = hashlib.sha256(data).hexdigest()
    key = layout.parallel_data_key(task.pair_name, content_hash)
    put_bytes(s3_client, work_bucket, key, data, "text/csv; charset=utf-8")
    return ParallelDataResult(
        has_data=True,
        name=pair.parallel_data_name,
        s3_uri=s3_uri(work_bucket, key),
        content_hash=content_hash,
        pair_count=written,
        chapters_aligned=aligned,
        client_token=content_hash[:64],
        held_out_pairs=held_out_pairs,
    )
