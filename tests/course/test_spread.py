"""A figure over seeds and the rule that its effect must exceed the spread."""

from __future__ import annotations

import math

import pytest

from course.spread import (
    Spread,
    clearly_below,
    consistently_positive,
    every_seed,
    figures_of,
    labelled,
    paired_effect,
)


def test_mean_min_max_and_the_quoted_form():
    spread = Spread.of([0.6, 0.5, 0.7])
    assert math.isclose(spread.mean, 0.6) and spread.min == 0.5 and spread.max == 0.7
    assert math.isclose(spread.width, 0.2)
    assert math.isclose(spread.std, math.sqrt(0.02 / 3))  # over the values themselves (ddof=0)
    assert spread.format() == "0.600 (0.500-0.700)"
    assert spread.figures("val") == {"val_mean": spread.mean, "val_min": 0.5, "val_max": 0.7}


def test_a_summary_lists_names_with_their_values_or_spreads():
    spread = Spread.of([0.6, 0.5, 0.7])
    assert f"{spread}" == str(spread) == "0.600 (0.500-0.700)" and f"{spread:.1f}" == "0.6 (0.5-0.7)"
    assert labelled({"L2": spread, "no": Spread.of([1.0])}) == "L2 0.600 (0.500-0.700), no 1.000 (1.000-1.000)"
    assert labelled({"L2": spread, "none": 0.25}, ".2f") == "L2 0.60 (0.50-0.70), none 0.25"
    assert labelled({}) == ""


def test_overlapping_ranges_are_not_an_effect():
    baseline, regularized = Spread.of([0.59, 0.61, 0.63]), Spread.of([0.43, 0.48, 0.60])
    assert regularized.mean < baseline.mean
    assert not clearly_below(regularized, baseline)
    assert clearly_below(Spread.of([0.43, 0.48, 0.53]), baseline)


def test_empty_or_non_finite_values_are_refused():
    with pytest.raises(ValueError, match="at least one"):
        Spread.of([])
    with pytest.raises(ValueError, match="finite"):
        Spread.of([0.5, float("nan")])


def test_every_seed_needs_at_least_one_seed():
    assert every_seed([True, True]) and not every_seed([True, False]) and not every_seed([])


def test_a_paired_effect_holds_when_every_seed_agrees_even_if_the_ranges_overlap():
    baseline, regularized = Spread.of([0.53, 0.66, 0.50]), Spread.of([0.42, 0.50, 0.47])
    assert not clearly_below(regularized, baseline)
    effect = paired_effect(baseline, regularized)
    assert effect.values == pytest.approx((0.11, 0.16, 0.03)) and consistently_positive(effect)
    assert not consistently_positive(paired_effect(baseline, Spread.of([0.42, 0.50, 0.51])))
    with pytest.raises(ValueError, match="same seeds"):
        paired_effect(baseline, Spread.of([0.4]))


def test_figures_of_flattens_several_spreads_in_order():
    named = {"a": Spread.of([1.0, 3.0]), "b_c": Spread.of([2.0])}
    assert list(figures_of(named).items()) == [("a_mean", 2.0), ("a_min", 1.0), ("a_max", 3.0),
                                                ("b_c_mean", 2.0), ("b_c_min", 2.0), ("b_c_max", 2.0)]
