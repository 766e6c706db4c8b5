"""Chapter 07's optimizer comparison (claim 15): one network, five Keras optimizers, paired by seed."""

from __future__ import annotations

import pytest

from course import fashion
from course import optimizers as opt
from course.spread import paired_effect


def test_every_optimizer_of_the_comparison_is_keras_at_its_default_rate(keras):
    expected = {"sgd": ("SGD", 0.01, 0.0), "sgd_momentum": ("SGD", 0.01, 0.9), "rmsprop": ("RMSprop", 0.001, None),
                "adam": ("Adam", 0.001, None), "nadam": ("Nadam", 0.001, None)}
    assert set(opt.OPTIMIZERS) == set(expected)
    for name, (kind, rate, momentum) in expected.items():
        optimizer = fashion.make_optimizer(name, fashion.NetworkSpec(optimizer=name).rate)
        assert optimizer.__class__.__name__ == kind
        assert float(optimizer.learning_rate) == pytest.approx(rate)
        if momentum is not None:
            assert optimizer.momentum == momentum and not optimizer.nesterov


def test_adding_optimizers_keeps_the_existing_specs_and_rates():
    # the cached runs of chapters 04-07 are keyed by their spec: adam, sgd and rmsprop are unchanged
    assert {k: fashion.DEFAULT_LEARNING_RATES[k] for k in ("adam", "sgd", "rmsprop")} == \
        {"adam": 1e-3, "sgd": 1e-2, "rmsprop": 1e-3}
    assert fashion.NetworkSpec(optimizer="adam") == fashion.BASELINE


def test_claim_15_in_fast_mode_is_judged_by_the_paired_rule(keras):
    held, figures, summary = opt.adaptive_optimizers_early_loss_claim([0, 1], fast=True)
    comparison = opt.run_optimizer_comparison([0, 1], fast=True)  # cached: the runs the claim used
    assert comparison.seeds == [0, 1] and comparison.size == opt.OPTIM_FAST
    first = {name: comparison.first_epochs(name) for name in opt.OPTIMIZERS}
    beaten = [paired_effect(first["sgd"], first[name]) for name in opt.CLAIM_15_BEATEN_BY]
    assert held == all(effect.min > 0 for effect in beaten)
    assert figures["adam_below_sgd_by_min"] == pytest.approx(beaten[1].min)
    assert figures["first_epochs_val_ce_nadam_mean"] == pytest.approx(first["nadam"].mean)
    # a seed gives every optimizer the same images and initial weights: only the updates differ
    runs = {name: comparison.runs[name][0] for name in opt.OPTIMIZERS}
    assert len({run.seed for run in runs.values()}) == 1 and len({run.size for run in runs.values()}) == 1
    assert "RMSprop" in summary and "SGD + momentum 0.9" in summary


def test_curves_table_and_figure_cover_every_optimizer(keras):
    comparison = opt.run_optimizer_comparison([0, 1], fast=True)
    frame = comparison.curves()
    assert len(frame) == len(opt.OPTIMIZERS) * 2 * opt.OPTIM_FAST.epochs
    assert set(frame["optimizer"]) == set(opt.OPTIMIZERS.values())
    table = comparison.table()
    assert list(table.index) == list(opt.OPTIMIZERS.values()) and table.loc["SGD", "below SGD by (paired)"] == ""
    figure = opt.plot_optimizer_curves(comparison)
    assert [ax.get_title() for ax in figure.axes] == ["training", "validation"]
