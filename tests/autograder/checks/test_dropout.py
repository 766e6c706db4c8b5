"""Chapter 06's dropout checks must accept any correct implementation (the notebook's solution and
others, whatever they draw from rng) and reject each usual mistake with a message that names it
(the chapter's experiments and claims: tests/course/test_dropout.py)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.checks import dropout as checks
from tests.solutions import solution


def _solution(name):
    """The chapter's own implementation, loaded when a test runs (never at collection)."""
    def call(*args, **kwargs):
        return solution("06-dropout", name)(*args, **kwargs)

    call.__name__ = name
    return call


dropout_mask, dropout_forward = _solution("dropout_mask"), _solution("dropout_forward")
dropout_backward, mc_dropout_predict = _solution("dropout_backward"), _solution("mc_dropout_predict")


def _valid(rate):
    if not 0 <= rate < 1:
        raise ValueError(f"bad rate {rate}")


# ---------------------------------------------------------------------------- correct implementations
def mask_uniform(shape, rate, rng):
    _valid(rate)
    return (rng.random(shape) >= rate).astype(float)


def mask_binomial(shape, rate, rng):
    if rate < 0 or rate >= 1:
        raise ValueError("rate")
    return rng.binomial(1, 1 - rate, size=shape)  # int64


def mask_uniform_below_keep(shape, rate, rng):
    _valid(rate)
    return (rng.uniform(0.0, 1.0, size=shape) < 1 - rate).astype(np.int8)


def mask_choice(shape, rate, rng):
    _valid(rate)
    return rng.choice([0.0, 1.0], size=shape, p=[rate, 1 - rate]).astype(np.float32)


def forward_float(a, rate, rng, training=True):
    _valid(rate)
    if not training or rate == 0:
        return a, np.ones_like(a)
    mask = (rng.random(a.shape) >= rate).astype(a.dtype)
    return a * mask / (1 - rate), mask


def forward_binomial_int(a, rate, rng, training=True):
    _valid(rate)
    if training and rate > 0:
        mask = rng.binomial(1, 1 - rate, size=np.shape(a))
        return np.asarray(a, dtype=np.float64) * mask / (1 - rate), mask
    return np.array(a, copy=True), np.ones(np.shape(a), dtype=int)


def forward_where_float32(a, rate, rng, training=True):
    _valid(rate)
    if not training or rate == 0:
        return a.copy(), np.ones(a.shape, np.float32)
    keep = rng.random(a.shape, dtype=np.float32) > np.float32(rate)
    return np.where(keep, a * np.float32(1 / (1 - rate)), 0).astype(np.float32), keep.astype(np.float32)


def backward(dout, mask, rate):
    return dout * mask / (1 - rate)


def backward_where(dout, mask, rate):
    return np.where(np.asarray(mask) != 0, dout / (1.0 - rate), 0.0)


def mc_stack(model, X, n_passes):
    if n_passes < 1:
        raise ValueError("n_passes")
    passes = np.stack([np.asarray(model(X, training=True)) for _ in range(n_passes)])
    return passes.mean(axis=0), passes.std(axis=0)


def mc_running_sums(model, X, n_passes):
    if n_passes < 1:
        raise ValueError("n_passes")
    total = squares = 0.0
    for _ in range(n_passes):
        p = np.asarray(model(X, training=True), dtype=np.float64)
        total, squares = total + p, squares + p * p
    mean = total / n_passes
    return mean, np.sqrt(np.maximum(squares / n_passes - mean ** 2, 0.0))


def mc_tensorflow(model, X, n_passes):
    import tensorflow as tf

    if n_passes < 1:
        raise ValueError("n_passes")
    passes = tf.stack([tf.convert_to_tensor(model(X, training=True)) for _ in range(n_passes)])
    return tf.reduce_mean(passes, axis=0).numpy(), tf.math.reduce_std(passes, axis=0).numpy()


MASK_CHECKS = (checks.check_dropout_mask, checks.check_dropout_mask_keep_fraction,
               checks.check_dropout_mask_independent, checks.check_dropout_mask_uses_only_rng)
FORWARD_CHECKS = (lambda f: checks.check_dropout_forward(f, np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.5]]), 0.25),
                  checks.check_dropout_forward_inverted_scaling, checks.check_dropout_forward_matches_keras,
                  checks.check_dropout_forward_uses_only_rng)
BACKWARD_CHECKS = (lambda f: checks.check_dropout_backward(f, np.ones((2, 3)), np.array([[1, 0, 1], [0, 1, 1]]), 0.4),
                   checks.check_dropout_backward_gradient, checks.check_dropout_backward_on_random_inputs)
MC_CHECKS = (checks.check_mc_dropout_predict, checks.check_mc_dropout_predict_keras,
             checks.check_mc_dropout_predict_passes)


@pytest.mark.parametrize("fn", [mask_uniform, mask_binomial, mask_uniform_below_keep, mask_choice,
                                dropout_mask])
def test_mask_checks_accept_correct_masks(fn):
    for check in MASK_CHECKS:
        check(fn)


@pytest.mark.parametrize("fn", [forward_float, forward_binomial_int, forward_where_float32,
                                dropout_forward])
def test_forward_checks_accept_correct_implementations(keras, fn):
    for check in FORWARD_CHECKS:
        check(fn)


@pytest.mark.parametrize("fn", [backward, backward_where, dropout_backward])
def test_backward_checks_accept_correct_implementations(fn):
    for check in BACKWARD_CHECKS:
        check(fn)


@pytest.mark.parametrize("fn", [mc_stack, mc_running_sums, mc_tensorflow, mc_dropout_predict])
def test_mc_checks_accept_correct_implementations(keras, fn):
    for check in MC_CHECKS:
        check(fn)


def test_checks_leave_the_global_random_state_alone():
    np.random.seed(123)
    random.seed(123)
    expected = (np.random.random(), random.random())
    np.random.seed(123)
    random.seed(123)
    checks.check_dropout_mask_uses_only_rng(mask_uniform)
    assert (np.random.random(), random.random()) == expected


# ---------------------------------------------------------------------------- wrong implementations
def _shape(shape):
    return (shape,) if isinstance(shape, int) else tuple(shape)


def mask_keeps_rate(shape, rate, rng):
    _valid(rate)
    return (rng.random(shape) < rate).astype(float)


def mask_global_numpy(shape, rate, rng):
    _valid(rate)
    return (np.random.rand(*_shape(shape)) >= rate).astype(float)


def mask_python_random(shape, rate, rng):
    _valid(rate)
    n = int(np.prod(_shape(shape)))
    return np.array([random.random() >= rate for _ in range(n)], dtype=float).reshape(_shape(shape))


def mask_per_column(shape, rate, rng):
    _valid(rate)
    shape = _shape(shape)
    return np.broadcast_to((rng.random(shape[-1]) >= rate).astype(float), shape).copy()


def mask_per_row(shape, rate, rng):
    _valid(rate)
    shape = _shape(shape)
    column = (rng.random(shape[0]) >= rate).astype(float).reshape((-1,) + (1,) * (len(shape) - 1))
    return np.broadcast_to(column, shape).copy()


def mask_fixed_count(shape, rate, rng):
    _valid(rate)
    n = int(np.prod(_shape(shape)))
    mask = np.ones(n)
    mask[rng.permutation(n)[:round(rate * n)]] = 0
    return mask.reshape(_shape(shape))


def mask_own_seed(shape, rate, rng):
    _valid(rate)
    return (np.random.default_rng(0).random(shape) >= rate).astype(float)


def mask_unseeded(shape, rate, rng):
    _valid(rate)
    return (np.random.default_rng().random(shape) >= rate).astype(float)


def mask_boolean(shape, rate, rng):
    _valid(rate)
    return rng.random(shape) >= rate


def mask_no_validation(shape, rate, rng):
    return (rng.random(shape) >= rate).astype(float)


@pytest.mark.parametrize("wrong, words", [
    (mask_keeps_rate, "share DROPPED"),
    (mask_global_numpy, "global random state"),
    (mask_python_random, "Python's random"),
    (mask_per_column, "one mask per column"),
    (mask_per_row, "one draw per row"),
    (mask_fixed_count, "fixed number"),
    (mask_own_seed, "fixed seed"),
    (mask_unseeded, "seeded alike"),
    (mask_boolean, "boolean"),
    (mask_no_validation, "ValueError"),
])
def test_mask_checks_name_the_mistake(wrong, words):
    messages = []
    for check in MASK_CHECKS:
        try:
            check(wrong)
        except CheckFailed as error:
            messages.append(str(error))
    assert messages, f"{wrong.__name__} passed every check"
    assert any(words in m for m in messages), messages


def _forward_with(make_out, inference=None, draw=None):
    def forward(a, rate, rng, training=True):
        _valid(rate)
        if not training or rate == 0:
            if inference is not None and rate > 0:
                return inference(a, rate, rng)
            return a.copy(), np.ones(a.shape)
        mask = draw(a.shape, rate, rng) if draw else (rng.random(a.shape) >= rate).astype(float)
        return make_out(a, mask, rate), mask
    return forward


def forward_rate_only_when_training(a, rate, rng, training=True):
    if not training:
        return a.copy(), np.ones(a.shape)
    _valid(rate)
    mask = (rng.random(a.shape) >= rate).astype(float)
    return a * mask / (1 - rate), mask


def forward_in_place(a, rate, rng, training=True):
    _valid(rate)
    if not training or rate == 0:
        return a, np.ones(a.shape)
    mask = (rng.random(a.shape) >= rate).astype(a.dtype)
    a *= mask / (1 - rate)
    return a, mask


@pytest.mark.parametrize("wrong, words", [
    (_forward_with(lambda a, m, r: a * m), "not rescaled"),
    (_forward_with(lambda a, m, r: a * m / r), "divides by rate"),
    (_forward_with(lambda a, m, r: a * m * (1 - r)), "multiplies by the keep probability"),
    (_forward_with(lambda a, m, r: a * m / (1 - r), draw=mask_keeps_rate), "share DROPPED"),
    (_forward_with(lambda a, m, r: a * m / (1 - r),
                   inference=lambda a, r, g: (a * (g.random(a.shape) >= r), np.ones(a.shape))), "dropped"),
    (_forward_with(lambda a, m, r: a * m / (1 - r),
                   inference=lambda a, r, g: (a * (1 - r), np.ones(a.shape))), "a * (1 - rate)"),
    (_forward_with(lambda a, m, r: a * m / (1 - r), draw=mask_per_column), "one mask per column"),
    (_forward_with(lambda a, m, r: a * m / (1 - r), draw=mask_per_row), "one draw per row"),
    (_forward_with(lambda a, m, r: a * m / (1 - r), draw=mask_global_numpy), "global random state"),
    (_forward_with(lambda a, m, r: a * m / (1 - r), draw=mask_python_random), "Python's random"),
    (forward_rate_only_when_training, "whether training or not"),
    (forward_in_place, "in place"),
])
def test_forward_checks_name_the_mistake(keras, wrong, words):
    messages = []
    for check in FORWARD_CHECKS:
        try:
            check(wrong)
        except CheckFailed as error:
            messages.append(str(error))
    assert messages, "a wrong forward pass passed every check"
    assert any(words in m for m in messages), messages


@pytest.mark.parametrize("wrong, words", [
    (lambda dout, mask, rate: dout * mask, "not scaled"),
    (lambda dout, mask, rate: dout / (1 - rate), "mask is missing"),
    (lambda dout, mask, rate: dout * mask / rate if rate else dout * mask, "divides by rate"),
    (lambda dout, mask, rate: dout * mask * (1 - rate), "multiplies by 1 - rate"),
])
def test_backward_checks_name_the_mistake(wrong, words):
    for check in BACKWARD_CHECKS[1:]:
        with pytest.raises(CheckFailed, match=words):
            check(wrong)


def _mc_with(call, reduce_std=lambda p: p.std(axis=0), extra=0):
    def mc(model, X, n_passes):
        if n_passes < 1:
            raise ValueError("n_passes")
        passes = np.stack([np.asarray(call(model, X)) for _ in range(n_passes + extra)])
        return passes.mean(axis=0), reduce_std(passes)
    return mc


def keras_ops_stats(model, X, n_passes):
    from course.runtime import import_keras

    ops = import_keras().ops
    if n_passes < 1:
        raise ValueError("n_passes")
    stacked = ops.stack([model(X, training=True) for _ in range(n_passes)])
    return ops.mean(stacked, axis=0), ops.std(stacked, axis=0)  # tensors, not NumPy arrays


def mc_without_check(model, X, n_passes):
    passes = np.stack([np.asarray(model(X, training=True)) for _ in range(max(n_passes, 1))])
    return passes.mean(axis=0), passes.std(axis=0)


@pytest.mark.parametrize("wrong, words", [
    (_mc_with(lambda m, X: m.predict(X, verbose=0)), "model.predict"),
    (_mc_with(lambda m, X: m(X, training=False)), "training=False"),
    (_mc_with(lambda m, X: m(X)), "training=None"),
    (_mc_with(lambda m, X: m(X, training=True), reduce_std=lambda p: p.std(axis=0, ddof=1)), "ddof=1"),
    (_mc_with(lambda m, X: m(X, training=True), reduce_std=lambda p: p.var(axis=0)), "variance"),
    (_mc_with(lambda m, X: m(X, training=True), extra=1), "one too many"),
    (_mc_with(lambda m, X: m(X, training=True), extra=-1), "one too few"),
    (mc_without_check, "ValueError"),
    (_mc_with(lambda m, X: m(X, training=True).numpy()), "np.asarray"),
    (lambda m, X, n: tuple(keras_ops_stats(m, X, n)), "NumPy arrays"),
])
def test_mc_checks_name_the_mistake(keras, wrong, words):
    messages = []
    for check in MC_CHECKS:
        try:
            check(wrong)
        except CheckFailed as error:
            messages.append(str(error))
    assert messages and any(words in m for m in messages), messages


def test_keras_mc_check_catches_inference_mode_without_the_recording_model(keras):
    with pytest.raises(CheckFailed, match="dropout was off"):
        checks.check_mc_dropout_predict_keras(_mc_with(lambda m, X: m(X, training=False)))


# ---------------------------------------------------------------------------- experiments
def test_the_solutions_dropout_is_inverted_and_seeded():
    a = np.random.default_rng(0).normal(size=(30, 20))
    out, mask = dropout_forward(a, 0.3, np.random.default_rng(1))
    assert np.allclose(out, a * mask / 0.7) and set(np.unique(mask)) <= {0.0, 1.0}
    again, _ = dropout_forward(a, 0.3, np.random.default_rng(1))
    assert np.array_equal(out, again)
    same, ones = dropout_forward(a, 0.3, np.random.default_rng(1), training=False)
    assert np.array_equal(same, a) and np.all(ones == 1)
    assert np.allclose(dropout_backward(np.ones(3), np.array([1, 0, 1]), 0.5), [2, 0, 2])
    for bad in (-0.1, 1.0):
        with pytest.raises(ValueError):
            dropout_mask((2, 2), bad, np.random.default_rng(0))
