"""Cohen's kappa against hand-computed tables, its edge cases and its symmetries."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cocreate.research.agreement import Agreement, cohen_kappa, landis_koch, per_code


def table(both, only_a, only_b, neither) -> Agreement:
    return Agreement(both=both, only_a=only_a, only_b=only_b, neither=neither)


def test_textbook_example():
    # 50 units: both yes 20, only A 5, only B 10, both no 15.
    # po = 35/50 = 0.70; A says yes 25/50, B 30/50; pe = .5*.6 + .5*.4 = 0.50; kappa = .2/.5 = 0.40
    result = table(20, 5, 10, 15)
    assert result.n == 50
    assert result.observed == pytest.approx(0.70)
    assert result.expected == pytest.approx(0.50)
    assert result.kappa == pytest.approx(0.40)
    assert result.band == "fair"


def test_moderate_example():
    # 10 units: 4 both, 1 only A, 1 only B, 4 neither: po = .8, pe = .5, kappa = .6
    result = cohen_kappa([True] * 5 + [False] * 5, [True] * 4 + [False] + [True] + [False] * 4)
    assert (result.both, result.only_a, result.only_b, result.neither) == (4, 1, 1, 4)
    assert result.kappa == pytest.approx(0.6)
    assert result.band == "moderate"


def test_unbalanced_example():
    # 20 units: 2 both, 3 only A, 1 only B, 14 neither.
    # po = 16/20 = .8; pA = 5/20 = .25, pB = 3/20 = .15; pe = .25*.15 + .75*.85 = .675
    # kappa = (.8 - .675) / (1 - .675) = .125 / .325 = 0.384615…
    result = table(2, 3, 1, 14)
    assert result.expected == pytest.approx(0.675)
    assert result.kappa == pytest.approx(0.125 / 0.325)


def test_perfect_and_opposite_coders():
    assert table(3, 0, 0, 7).kappa == pytest.approx(1.0)
    assert table(3, 0, 0, 7).band == "almost_perfect"
    opposite = table(0, 2, 2, 0)
    assert opposite.kappa == pytest.approx(-1.0) and opposite.band == "poor"


def test_kappa_is_undefined_without_variation_or_units():
    nobody = table(0, 0, 0, 12)
    assert nobody.kappa is None and nobody.undefined_reason == "no_variation"
    assert nobody.observed == 1.0 and nobody.band is None
    everybody = table(5, 0, 0, 0)
    assert everybody.kappa is None and everybody.undefined_reason == "no_variation"
    empty = table(0, 0, 0, 0)
    assert empty.kappa is None and empty.observed is None and empty.undefined_reason == "no_units"


def test_one_coder_without_variation_gives_zero_not_undefined():
    # A says yes everywhere, B half the time: pe = 1*.5 + 0*.5 = .5, po = .5, kappa = 0.
    result = table(2, 2, 0, 0)
    assert result.kappa == pytest.approx(0.0) and result.undefined_reason is None


@pytest.mark.parametrize("kappa,band", [(-0.01, "poor"), (0.0, "slight"), (0.2, "slight"), (0.21, "fair"),
                                        (0.4, "fair"), (0.41, "moderate"), (0.6, "moderate"),
                                        (0.61, "substantial"), (0.8, "substantial"), (0.81, "almost_perfect"),
                                        (1.0, "almost_perfect"), (None, None)])
def test_landis_koch_bands(kappa, band):
    assert landis_koch(kappa) == band


def test_per_code_counts_only_units_both_coded():
    a = {"u1": {"housing"}, "u2": {"housing", "work"}, "u3": set(), "only-a": {"housing"}}
    b = {"u1": {"housing"}, "u2": {"work"}, "u3": {"housing"}, "only-b": {"work"}}
    result = per_code(a, b, ["housing", "work", "unused"])
    assert result["housing"] == table(1, 1, 1, 0)
    assert result["work"] == table(1, 0, 0, 2)
    assert result["work"].kappa == pytest.approx(1.0)
    assert result["unused"] == table(0, 0, 0, 3) and result["unused"].kappa is None


def test_unequal_lengths_are_refused():
    with pytest.raises(ValueError):
        cohen_kappa([True], [True, False])


decisions = st.lists(st.booleans(), min_size=0, max_size=60)


@given(decisions)
def test_a_coder_agrees_with_themself(values):
    result = cohen_kappa(values, values)
    assert result.kappa is None or result.kappa == pytest.approx(1.0)
    assert result.kappa is not None or len(set(values)) <= 1


@given(st.lists(st.tuples(st.booleans(), st.booleans()), max_size=60))
def test_kappa_is_symmetric_and_bounded(pairs):
    a, b = [x for x, _ in pairs], [y for _, y in pairs]
    forward, backward = cohen_kappa(a, b), cohen_kappa(b, a)
    assert (forward.kappa is None) == (backward.kappa is None)
    if forward.kappa is not None:
        assert forward.kappa == pytest.approx(backward.kappa)
        assert -1.0 - 1e-9 <= forward.kappa <= 1.0 + 1e-9
        assert forward.band is not None
