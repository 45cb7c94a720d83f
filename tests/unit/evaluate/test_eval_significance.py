"""The paired bootstrap: the Δ's interval, and sacreBLEU's own p-value on the same resamples."""

from __future__ import annotations

import pytest
from amts.evaluate.pairing import SegmentPair
from amts.evaluate.significance import paired_delta, section_deltas
from sacrebleu.metrics.bleu import BLEU
from sacrebleu.significance import PairedTest

REFERENCES = [
    "the cat sat on the mat today",
    "weight decay keeps the weights small",
    "a larger learning rate moves faster",
    "we add a penalty to the loss",
    "the model generalizes better with it",
    "gradient descent follows the slope down",
    "tensors hold the data of the model",
    "the optimizer updates every parameter",
]
BASELINE = [
    "a cat sits on a mat",
    "decay of weights keeps them little",
    "bigger learning rate moves fast",
    "we put a penalty on loss",
    "model generalizes well",
    "descent follows the slope",
    "tensors have the model data",
    "optimizer updates parameters",
]
SYSTEM = [*REFERENCES[:5], *BASELINE[5:]]


def test_the_p_value_and_scores_are_sacrebleus_paired_bs() -> None:
    # Given a system better than its baseline on five of eight segments
    delta = paired_delta(
        BASELINE, SYSTEM, REFERENCES, metric="BLEU", tokenize="13a", scope="s", baseline_name="b", system_name="s"
    )
    # When sacreBLEU's own paired bootstrap runs on the same data with the same seed
    _signatures, scores = PairedTest(
        [("baseline", BASELINE), ("system", SYSTEM)], {"BLEU": BLEU()}, [REFERENCES], test_type="bs", n_samples=1000
    )()
    # Then the p-value and the difference of corpus scores agree, and the interval holds the difference
    result = scores["BLEU"]
    assert delta.p_value == pytest.approx(result[1].p_value, abs=1e-4)
    assert delta.delta == pytest.approx(result[1].score - result[0].score, abs=1e-3)
    assert delta.low <= delta.delta <= delta.high
    assert delta.significant == (delta.low > 0 or delta.high < 0)


def test_identical_systems_are_not_significant() -> None:
    delta = paired_delta(
        BASELINE, BASELINE, REFERENCES, metric="chrF", tokenize="13a", scope="s", baseline_name="b", system_name="b"
    )
    assert (delta.delta, delta.low, delta.high) == (0.0, 0.0, 0.0)
    assert not delta.significant


def test_sections_are_matched_on_their_own_segments_and_pooled() -> None:
    def pairs(hyps: list[str]) -> list[SegmentPair]:
        return [
            SegmentPair(h, r, (f"s{i}",), (f"s{i}",)) for i, (h, r) in enumerate(zip(hyps, REFERENCES, strict=True))
        ]

    # Given two sections whose segment ids repeat (s0 … s7 in each)
    sections = {
        "one.md": {"b": pairs(BASELINE), "s": pairs(SYSTEM)},
        "two.md": {"b": pairs(BASELINE), "s": pairs(SYSTEM)},
    }
    deltas = section_deltas(sections, [("b", "s")], metrics=["BLEU"], tokenize="13a")
    # Then one interval per section and one over both, which resamples all sixteen segment pairs
    assert [(d.scope, d.segments) for d in deltas] == [("one.md", 8), ("two.md", 8), ("All sections", 16)]
