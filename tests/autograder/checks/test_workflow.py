"""Chapter 07's checks: the workflow checks accept correct answers and name wrong ones (the chapter's
experiment helpers and claims: tests/course/test_workflow.py)."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.checks import workflow as checks
from tests.solutions import solution


# ---------------------------------------------------------------------------- correct answers
def naive_baseline(y_train, y_val, problem_type):
    if problem_type == "classification":
        counts = Counter(list(y_train))
        top = max(counts.values())
        majority = min(label for label, count in counts.items() if count == top)
        return sum(1 for label in y_val if label == majority) / len(y_val)
    if problem_type == "regression":
        mean = sum(float(v) for v in y_train) / len(y_train)
        return sum(abs(float(v) - mean) for v in y_val) / len(y_val)
    raise ValueError(problem_type)


def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    """A loop written differently from the notebook's solution: tracks the threshold explicitly."""
    if len(val_losses) == 0 or patience < 0:
        raise ValueError("bad input")
    threshold = float(val_losses[0]) - min_delta
    best_epoch, since = 1, 0
    for index in range(1, len(val_losses)):
        if float(val_losses[index]) < threshold:
            threshold, best_epoch, since = float(val_losses[index]) - min_delta, index + 1, 0
        else:
            since += 1
            if since >= max(patience, 1):
                return index + 1, best_epoch
    return len(val_losses), best_epoch


def batchnorm_forward(x, gamma, beta, eps=1e-3):
    x = np.asarray(x, dtype=np.float64)
    centered = x - x.sum(axis=0) / len(x)
    variance = (centered ** 2).sum(axis=0) / len(x)
    return gamma * centered / np.sqrt(variance + eps) + beta


def he_normal_std(fan_in):
    return (2 / fan_in) ** 0.5


def glorot_uniform_limit(fan_in, fan_out):
    return float(np.sqrt(6 / (fan_in + fan_out)))


def test_checks_accept_independent_correct_answers(keras):
    checks.check_naive_baseline_on_random_inputs(naive_baseline)
    checks.check_naive_baseline_edge_cases(naive_baseline)
    checks.check_naive_baseline_on_datasets(naive_baseline)
    checks.check_early_stopping_on_random_inputs(early_stopping_epoch)
    checks.check_early_stopping_edge_cases(early_stopping_epoch)
    checks.check_early_stopping_default_min_delta(early_stopping_epoch)
    checks.check_early_stopping_agrees_with_fit(early_stopping_epoch)
    checks.check_batchnorm_on_random_inputs(batchnorm_forward)
    checks.check_batchnorm_statistics(batchnorm_forward)
    checks.check_he_normal_on_random_inputs(he_normal_std)
    checks.check_glorot_uniform_on_random_inputs(glorot_uniform_limit)


def test_checks_accept_the_notebooks_solutions(keras):
    checks.check_naive_baseline_on_random_inputs(solution("07-workflow", "naive_baseline"))
    checks.check_naive_baseline_edge_cases(solution("07-workflow", "naive_baseline"))
    checks.check_early_stopping_on_random_inputs(solution("07-workflow", "early_stopping_epoch"))
    checks.check_early_stopping_edge_cases(solution("07-workflow", "early_stopping_epoch"))


def test_checks_accept_float32_batchnorm(keras):
    def float32_version(x, gamma, beta, eps=1e-3):
        x = np.asarray(x, dtype=np.float32)
        mean = x.mean(axis=0)
        return (gamma * (x - mean) / np.sqrt(((x - mean) ** 2).mean(axis=0) + eps) + beta).astype(np.float32)

    checks.check_batchnorm_on_random_inputs(float32_version)
    checks.check_batchnorm_statistics(float32_version)


def test_keras_oracle_agrees_with_the_notebooks_rule(keras):
    rule = solution("07-workflow", "early_stopping_epoch")
    for seed in range(5):
        checks.check_early_stopping_cases(rule, checks.random_early_stopping_cases(seed, 30))
    # patience 0 stops after epoch 2, but never on an improvement
    checks.check_early_stopping_cases(lambda v, p, d: (2, 1), [([1.0, 1.0, 1.0], 0, 0.0)])
    checks.check_early_stopping_cases(lambda v, p, d: (3, 3), [([1.0, 0.5, 0.25], 0, 0.0)])


# ---------------------------------------------------------------------------- wrong answers
def _simulated(**options):
    return lambda v, p, d=0.0: checks.mistaken_early_stopping([float(x) for x in v], p, d, options)


@pytest.mark.parametrize("options", [{}, dict(late=0), dict(delta_sign=1.0000001), dict(late=1, previous=True)])
def test_the_mistake_simulation_never_gives_the_right_rule(options):
    with pytest.raises(ValueError, match="known early-stopping mistakes"):
        checks.mistaken_early_stopping([1.0, 0.5], 1, 0.0, options)


@pytest.mark.parametrize("options, words", [
    (dict(late=1), "one epoch late"),
    (dict(late=-1), "one epoch early"),
    (dict(best_rule="argmin_all"), "argmin of all losses"),
    (dict(best_rule="argmin_until_stop"), "min_delta"),
    (dict(tie_improves=True), "strictly below"),
    (dict(ignore_delta=True), "ignores min_delta"),
    (dict(previous=True), "previous epoch"),
    (dict(stop_on_improvement=True), "improving epoch"),
])
def test_early_stopping_checks_name_the_mistake(keras, options, words):
    with pytest.raises(CheckFailed, match=words):
        checks.check_early_stopping_on_random_inputs(_simulated(**options))
        checks.check_early_stopping_edge_cases(_simulated(**options))


def test_early_stopping_other_mistakes(keras):
    def zero_based(v, p, d=0.0):
        stop, best = early_stopping_epoch(v, p, d)
        return stop - 1, best - 1

    with pytest.raises(CheckFailed, match="0-based"):
        checks.check_early_stopping_edge_cases(zero_based)
    with pytest.raises(CheckFailed, match="ValueError"):
        checks.check_early_stopping_edge_cases(lambda v, p, d=0.0: early_stopping_epoch(v, abs(p), d)
                                               if len(v) else (0, 0))
    with pytest.raises(CheckFailed, match="pair"):
        checks.check_early_stopping_edge_cases(lambda v, p, d=0.0: early_stopping_epoch(v, p, d)[0])
    with pytest.raises(CheckFailed, match="default"):
        checks.check_early_stopping_default_min_delta(lambda v, p, d=0.25: early_stopping_epoch(v, p, d))


def _majority_from_val(y_train, y_val, problem_type):
    return naive_baseline(y_val, y_val, problem_type)


def _first_seen_tie(y_train, y_val, problem_type):
    if problem_type == "classification":
        label = Counter(list(y_train)).most_common(1)[0][0]
        return float(np.mean(np.asarray(y_val) == label))
    return naive_baseline(y_train, y_val, problem_type)


def _with_regression(rule):
    def fn(y_train, y_val, problem_type):
        if problem_type == "regression":
            return rule(np.asarray(y_train, dtype=float), np.asarray(y_val, dtype=float))
        return naive_baseline(y_train, y_val, problem_type)
    return fn


@pytest.mark.parametrize("wrong, check, words", [
    (_majority_from_val, checks.check_naive_baseline_on_random_inputs, "y_val"),
    (_first_seen_tie, checks.check_naive_baseline_edge_cases, "tie"),
    (_with_regression(lambda t, v: float(np.mean(np.abs(v - np.median(t))))),
     checks.check_naive_baseline_on_random_inputs, "median instead of mean"),
    (_with_regression(lambda t, v: float(np.mean((v - t.mean()) ** 2))),
     checks.check_naive_baseline_on_random_inputs, "mean squared error"),
    (lambda t, v, p: 1 - naive_baseline(t, v, p) if p == "classification" else naive_baseline(t, v, p),
     checks.check_naive_baseline_on_random_inputs, "error rate"),
    (lambda t, v, p: naive_baseline(t, v, "regression" if p != "classification" else p),
     checks.check_naive_baseline_edge_cases, "ValueError"),
])
def test_naive_baseline_checks_name_the_mistake(wrong, check, words):
    with pytest.raises(CheckFailed, match=words):
        check(wrong)


def _bn(variance=lambda x: x.var(axis=0), outside=False, axis=0, returns_cache=False, default_eps=1e-3):
    def fn(x, gamma, beta, eps=default_eps):
        x = np.asarray(x, dtype=np.float64)
        mean = x.mean(axis=axis, keepdims=True)
        var = variance(x) if axis == 0 else x.var(axis=1, keepdims=True)
        scale = np.sqrt(var) + eps if outside else np.sqrt(var + eps)
        out = gamma * (x - mean) / scale + beta
        return (out, (mean, var)) if returns_cache else out
    return fn


@pytest.mark.parametrize("wrong, words", [
    (_bn(variance=lambda x: x.var(axis=0, ddof=1)), "ddof=1"),
    (_bn(outside=True), "eps outside the sqrt"),
    (_bn(axis=1), "axis=1"),
    (_bn(returns_cache=True), "tuple"),
    (_bn(default_eps=1e-5), "default eps"),
    (lambda x, g, b, eps=1e-3: b * (x - x.mean(0)) / np.sqrt(x.var(0) + eps) + g, "swapped"),
])
def test_batchnorm_checks_name_the_mistake(keras, wrong, words):
    with pytest.raises(CheckFailed, match=words):
        checks.check_batchnorm_on_random_inputs(wrong)


def test_batchnorm_in_place_is_rejected(keras):
    def in_place(x, gamma, beta, eps=1e-3):
        x -= x.mean(axis=0)
        x /= np.sqrt(x.var(axis=0) + eps)
        return gamma * x + beta

    with pytest.raises(CheckFailed, match="in place"):
        checks.check_batchnorm_on_random_inputs(in_place)



# ---------------------------------------------------------------------------- batchnorm_backward
def _bn_backward(mean_path=True, variance_path=True, ddof=0, outside=False, param_axis=0, average=False,
                 default_eps=1e-3, in_place=False):
    """A staged backward pass through the batch-norm graph, with one step left out or changed."""
    def fn(dout, x, gamma, eps=default_eps):
        m = len(x)
        mu = x.mean(axis=0)
        centered = x - mu
        var = (centered ** 2).sum(axis=0) / (m - ddof)
        scale = np.sqrt(var) + eps if outside else np.sqrt(var + eps)
        x_hat = centered / scale
        reduce = np.mean if average else np.sum
        dbeta, dgamma = reduce(dout, axis=param_axis), reduce(dout * x_hat, axis=param_axis)
        if in_place:
            dout *= gamma
            d_hat = dout
        else:
            d_hat = dout * gamma
        dscale = -np.sum(d_hat * centered, axis=0) / scale ** 2
        dvar = dscale / (2 * np.sqrt(var)) if outside else dscale / (2 * scale)
        dcentered = d_hat / scale + (dvar * 2 * centered / (m - ddof) if variance_path else 0)
        dmu = -np.sum(dcentered, axis=0)
        dx = dcentered + (dmu / m if mean_path else 0)
        return dx, dgamma, dbeta
    return fn


def test_batchnorm_backward_checks_accept_correct_answers(keras):
    for answer in (_bn_backward(), solution("07-workflow", "batchnorm_backward")):
        checks.check_batchnorm_backward_on_random_inputs(answer)
        checks.check_batchnorm_backward_keras_on_random_inputs(answer)

    def float32_version(dout, x, gamma, eps=1e-3):
        return tuple(np.asarray(g, dtype=np.float32) for g in _bn_backward()(np.asarray(dout, np.float32),
                                                                               np.asarray(x, np.float32),
                                                                               np.asarray(gamma, np.float32), eps))

    checks.check_batchnorm_backward_keras_on_random_inputs(float32_version)


@pytest.mark.parametrize("wrong, words", [
    (_bn_backward(mean_path=False), "misses the mean term"),
    (_bn_backward(variance_path=False), "misses the variance term"),
    (_bn_backward(mean_path=False, variance_path=False), "constants"),
    (_bn_backward(ddof=1), "unbiased variance"),
    (_bn_backward(outside=True), "eps outside the square root"),
    (_bn_backward(param_axis=1), "axis 1"),
    (_bn_backward(average=True), "averages"),
    (_bn_backward(default_eps=1e-5), "default eps"),
    (_bn_backward(in_place=True), "in place"),
    (lambda dout, x, gamma, eps=1e-3: _bn_backward()(dout, x, gamma, eps)[0], "tuple"),
])
def test_batchnorm_backward_checks_name_the_mistake(keras, wrong, words):
    with pytest.raises(CheckFailed, match=words):
        checks.check_batchnorm_backward_on_random_inputs(wrong)


@pytest.mark.parametrize("wrong, words", [
    (_bn_backward(mean_path=False), "misses the mean term"),
    (_bn_backward(ddof=1), "unbiased variance"),
    (_bn_backward(outside=True), "eps outside the square root"),
])
def test_batchnorm_backward_keras_check_alone_names_the_mistake(keras, wrong, words):
    with pytest.raises(CheckFailed, match=words):
        checks.check_batchnorm_backward_keras_on_random_inputs(wrong)

@pytest.mark.parametrize("wrong, words", [
    (lambda f: math.sqrt(1 / f), "LeCun"),
    (lambda f: 2 / f, "variance"),
    (lambda f: math.sqrt(2 / f) / 0.87962566103423978, "truncated normal"),
    (lambda f: math.sqrt(6 / f), "He uniform"),
])
def test_he_checks_name_the_mistake(keras, wrong, words):
    with pytest.raises(CheckFailed, match=words):
        checks.check_he_normal_on_random_inputs(wrong)


@pytest.mark.parametrize("wrong, words", [
    (lambda a, b: math.sqrt(2 / (a + b)), "Glorot normal std instead of uniform limit"),
    (lambda a, b: math.sqrt(6 / b), "fan_out"),
    (lambda a, b: math.sqrt(6 / a), "fan_in only"),
    (lambda a, b: 6 / (a + b), "square root"),
])
def test_glorot_checks_name_the_mistake(keras, wrong, words):
    with pytest.raises(CheckFailed, match=words):
        checks.check_glorot_uniform_on_random_inputs(wrong)


def test_keras_sample_checks_alone_catch_a_wrong_scale(keras):
    with pytest.raises(CheckFailed, match="HeNormal"):
        checks.check_he_normal_matches_keras(lambda f: 1.1 * math.sqrt(2 / f), 400, 300)
    with pytest.raises(CheckFailed, match="GlorotUniform"):
        checks.check_glorot_uniform_matches_keras(lambda a, b: 0.95 * math.sqrt(6 / (a + b)), 400, 300)


# seeds whose own training curve never makes EarlyStopping(patience=2) stop before the last epoch:
# stopping one epoch late gives the callback's answer there
SEEDS_WITHOUT_AN_EARLY_STOP = (10, 13)


@pytest.mark.parametrize("seed", SEEDS_WITHOUT_AN_EARLY_STOP)
def test_the_training_curve_check_catches_stopping_late_on_every_seed(keras, seed):
    """On a curve where training never stops early, stopping one epoch late looks right: the check
    takes the next seed's curve instead, so the mistake fails whatever seed the grading key draws."""
    checks.check_early_stopping_cases(_simulated(late=1), [(checks.training_curve(seed, 16), 2, 0.0)])
    with pytest.raises(CheckFailed, match="one epoch late"):
        checks.check_early_stopping_agrees_with_fit(_simulated(late=1), patience=2, seed=seed)
    checks.check_early_stopping_agrees_with_fit(early_stopping_epoch, patience=2, seed=seed)
