"""Is a difference between two conditions more than chance? sacreBLEU's paired bootstrap, with the Δ's interval.

sacreBLEU's ``paired_bs`` (``sacrebleu.significance.PairedTest(test_type="bs")``, after Koehn 2004 and the Moses
script) resamples the segments with replacement 1,000 times, scores the baseline and the system on the *same*
resampled segments, and reports a p-value and each system's 95% interval. It does not report an interval for the
difference itself, which is what a reader of "Δ +0.3" needs, so this module runs the very same resampling (same
statistics, same seed, same index matrix) and keeps the per-resample differences: the interval is their 2.5th and
97.5th percentiles (sacreBLEU's ``estimate_ci`` convention), and the p-value is sacreBLEU's. A test checks the
p-value and the system's mean and interval against ``PairedTest`` on the same data.

Segments are matched across the two conditions by the reference segments they were paired with, so only segments
both conditions scored are resampled.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np

from amts.evaluate.metrics import one_line, scorer
from amts.evaluate.models import DeltaInterval, MetricName
from amts.evaluate.pairing import SegmentPair

RESAMPLES = 1000  # sacreBLEU's default for paired_bs
DEFAULT_SEED = 12345  # sacreBLEU's default (SACREBLEU_SEED)


def bootstrap_seed() -> int | None:
    """sacreBLEU's seed: ``SACREBLEU_SEED`` when set (``none``: unseeded), else 12345."""
    value = os.environ.get("SACREBLEU_SEED", str(DEFAULT_SEED))
    return None if value.lower() == "none" else int(value)


def paired_delta(
    baseline: Sequence[str],
    system: Sequence[str],
    references: Sequence[str],
    *,
    metric: MetricName,
    tokenize: str,
    scope: str,
    baseline_name: str,
    system_name: str,
    resamples: int = RESAMPLES,
    seed: int | None = None,
) -> DeltaInterval:
    """system − baseline on ``metric`` with its paired bootstrap 95% interval and sacreBLEU's p-value."""
    if not (len(baseline) == len(system) == len(references)) or not references:
        raise ValueError(f"need equal, non-empty lists: {len(baseline)}, {len(system)}, {len(references)}")
    sacre = scorer(metric, tokenize)
    refs = [[one_line(text) for text in references]]
    base_stats = sacre._extract_corpus_statistics([one_line(t) for t in baseline], refs)
    sys_stats = sacre._extract_corpus_statistics([one_line(t) for t in system], refs)
    base_score = float(sacre._aggregate_and_compute(base_stats).score)
    sys_score = float(sacre._aggregate_and_compute(sys_stats).score)
    rng = np.random.default_rng(seed if seed is not None else bootstrap_seed())
    indices = rng.choice(len(references), size=(resamples, len(references)), replace=True)
    base_np = np.array(base_stats, dtype="float32")
    sys_np = np.array(sys_stats, dtype="float32")
    base_scores = np.array([sacre._compute_score_from_stats(s.sum(0)).score for s in base_np[indices]])
    sys_scores = np.array([sacre._compute_score_from_stats(s.sum(0)).score for s in sys_np[indices]])
    differences = np.sort(sys_scores - base_scores)
    tail = resamples // 40  # sacreBLEU's estimate_ci: the 2.5th and 97.5th percentiles
    # sacreBLEU's p-value: how often a centred resampled |difference| exceeds the observed one.
    absolute = np.abs(sys_scores - base_scores)
    centred = absolute - absolute.mean()
    p_value = (int(np.sum(centred > abs(sys_score - base_score))) + 1) / (resamples + 1)
    return DeltaInterval(
        scope=scope,
        metric=metric,
        baseline=baseline_name,
        system=system_name,
        delta=round(sys_score - base_score, 4),
        low=round(float(differences[tail]), 4),
        high=round(float(differences[resamples - tail - 1]), 4),
        p_value=round(p_value, 4),
        segments=len(references),
        resamples=resamples,
        seed=seed if seed is not None else bootstrap_seed(),
    )


def matched_pairs(
    baseline: Sequence[SegmentPair], system: Sequence[SegmentPair]
) -> tuple[list[str], list[str], list[str]]:
    """The baseline's and the system's hypotheses and the references, for the reference segments both scored."""
    by_ref = {pair.ref_ids: pair for pair in system}
    base_hyps: list[str] = []
    sys_hyps: list[str] = []
    refs: list[str] = []
    for pair in baseline:
        other = by_ref.get(pair.ref_ids)
        if other is None:
            continue
        base_hyps.append(pair.hyp)
        sys_hyps.append(other.hyp)
        refs.append(pair.ref)
    return base_hyps, sys_hyps, refs


def section_deltas(
    sections: Mapping[str, Mapping[str, Sequence[SegmentPair]]],
    comparisons: Sequence[tuple[str, str]],
    *,
    metrics: Sequence[MetricName],
    tokenize: str,
    total_scope: str = "All sections",
) -> list[DeltaInterval]:
    """For each (baseline, system) pair of conditions: one interval per section and metric, and one over every
    section (segments matched within each section, since segment ids repeat across documents)."""
    found: list[DeltaInterval] = []
    for baseline_name, system_name in comparisons:
        every: tuple[list[str], list[str], list[str]] = ([], [], [])
        for scope, by_condition in sections.items():
            if baseline_name not in by_condition or system_name not in by_condition:
                continue
            matched = matched_pairs(by_condition[baseline_name], by_condition[system_name])
            for collected, part in zip(every, matched, strict=True):
                collected.extend(part)
            found += _deltas(matched, scope, baseline_name, system_name, metrics=metrics, tokenize=tokenize)
        found += _deltas(every, total_scope, baseline_name, system_name, metrics=metrics, tokenize=tokenize)
    return found


def _deltas(
    matched: tuple[list[str], list[str], list[str]],
    scope: str,
    baseline_name: str,
    system_name: str,
    *,
    metrics: Sequence[MetricName],
    tokenize: str,
) -> list[DeltaInterval]:
    base_hyps, sys_hyps, refs = matched
    if not refs:
        return []
    return [
        paired_delta(
            base_hyps,
            sys_hyps,
            refs,
            metric=name,
            tokenize=tokenize,
            scope=scope,
            baseline_name=baseline_name,
            system_name=system_name,
        )
        for name in metrics
    ]
