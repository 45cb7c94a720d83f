"""The Vecalign bead text format used by ``amts align``."""

from __future__ import annotations

import pytest
from amts.align.beadio import check_coverage, format_beads, parse_beads
from amts.align.models import Bead
from amts.errors import InputError


def test_format_and_parse_round_trip() -> None:
    beads = [Bead((0,), (0,)), Bead((1, 2), (1,)), Bead((3,), ()), Bead((), (2,))]
    text = format_beads(beads)
    assert text == "[0]:[0]\n[1, 2]:[1]\n[3]:[]\n[]:[2]\n"
    assert [(b.src, b.tgt) for b in parse_beads(text)] == [(b.src, b.tgt) for b in beads]


def test_parse_accepts_a_trailing_score() -> None:
    assert parse_beads("[0]:[0]:0.71\n")[0].tgt == (0,)


def test_parse_names_the_bad_line() -> None:
    with pytest.raises(InputError) as caught:
        parse_beads("[0]:[0]\n0 -> 1\n", path="gold.txt")
    assert "gold.txt:2" in str(caught.value)


def test_coverage_detects_a_missing_index() -> None:
    check_coverage([Bead((0,), (0,)), Bead((1,), ())], 2, 1)
    with pytest.raises(ValueError, match="exactly once"):
        check_coverage([Bead((0,), (0,))], 2, 1)
