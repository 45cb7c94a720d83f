"""sacreBLEU scoring through its object API, with the tokenizer chosen from the target language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from sacrebleu.metrics.bleu import BLEU
from sacrebleu.metrics.chrf import CHRF

from amts.errors import InputError
from amts.evaluate.models import MetricName, MetricScore
from amts.language_profiles import profile
from amts.languages import check_language


@dataclass(frozen=True)
class Tokenization:
    """The sacreBLEU tokenizer for a target language, and why it was chosen when that matters."""

    tgt_lang: str
    tokenize: str
    note: str = ""


@cache
def _tokenizer_available(name: str) -> bool:
    try:
        BLEU(tokenize=name)
    except (RuntimeError, ImportError):
        return False
    return True


def choose_tokenization(tgt_lang: str) -> Tokenization:
    """The tokenizer of the target language's profile (``zh``, MeCab for ja/ko, ``13a``...); when its package is
    missing, the profile's fallback (``char``) with a note that the scores are not comparable with published ones."""
    check_language(tgt_lang, what="target language")
    rules = profile(tgt_lang)
    if not rules.bleu_fallback or _tokenizer_available(rules.bleu_tokenizer):
        return Tokenization(tgt_lang, rules.bleu_tokenizer)
    base = tgt_lang.split("-")[0]
    return Tokenization(
        tgt_lang,
        rules.bleu_fallback,
        note=f"{rules.bleu_tokenizer} is not installed (pip install 'sacrebleu[{base}]'); BLEU uses "
        f"tok:{rules.bleu_fallback} instead, so it is not comparable with published MeCab-tokenized scores",
    )


def scorer(name: MetricName, tokenize: str) -> BLEU | CHRF:
    """The sacreBLEU metric object behind ``name``, configured as every AMTS score is (also the bootstrap's)."""
    if name == "BLEU":
        return BLEU(tokenize=tokenize)
    if name == "chrF":
        return CHRF()
    return CHRF(word_order=2)


def metric_names(*, chrf_plus: bool = False) -> tuple[MetricName, ...]:
    return ("BLEU", "chrF", "chrF++") if chrf_plus else ("BLEU", "chrF")


def score_pairs(
    hypotheses: Sequence[str],
    references: Sequence[str],
    tokenization: Tokenization,
    *,
    metrics: Sequence[MetricName] = ("BLEU", "chrF"),
) -> list[MetricScore]:
    """Corpus-level scores of aligned segment lists (one reference stream); signatures always included."""
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} references")
    if not hypotheses:
        raise InputError("nothing to score: no hypothesis segment paired with a reference segment")
    # sacreBLEU treats a line break as a segment boundary on its command line; keep one segment per line here too.
    hyps = [one_line(text) for text in hypotheses]
    refs = [one_line(text) for text in references]
    results: list[MetricScore] = []
    for name in metrics:
        metric = scorer(name, tokenization.tokenize)
        score = metric.corpus_score(hyps, [refs])
        detail = ""
        if isinstance(metric, BLEU):
            detail = str(score).split(" ", 3)[-1] if str(score).count(" ") >= 3 else ""
        results.append(
            MetricScore(metric=name, score=float(score.score), signature=str(metric.get_signature()), detail=detail)
        )
    return results


def one_line(text: str) -> str:
    return " ".join(text.split())
