"""Checks of chapter 06's ``network_backward``: the gradients of the loss with the
masks held fixed, against the grader's own central differences.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from autograder.checks import fail, require
from autograder.checks._common import numerical_gradient
from autograder.checks.numpy_network._common import (
    GRADIENT_TOLERANCE,
    _array,
    _call,
    _copy,
    _same,
    network_case,
)


def check_network_backward(network_backward: Callable, seed: int = 0, variant: int = 0, dropout: bool = True,
                           lambd: float | None = None) -> None:
    """The gradients equal the grader's central differences (float64, eps 1e-6) of the loss with respect to
    every parameter, with the dropout masks held fixed (drawn here; all ones with ``dropout=False``)."""
    case = network_case(seed, variant)
    X, y, params = case["X"], case["y"], case["params"]
    rate = case["rate"] if dropout else 0.0
    lambd = case["lambd"] if lambd is None else lambd
    n_layers, m = len(params) // 2, X.shape[0]
    mask_rng = np.random.default_rng(case["mask_seed"])
    masks = [(mask_rng.random((m, params[f"W{layer}"].shape[1])) >= rate).astype(np.float64)
             for layer in range(1, n_layers)]
    if dropout:  # at least one kept and one dropped unit in each mask, so both cases are tested
        for mask in masks:
            mask.flat[0], mask.flat[-1] = 1.0, 0.0

    def forward(p: dict) -> tuple[np.ndarray, dict]:
        a, activations, pre_activations = X, [X], []
        for layer in range(1, n_layers + 1):
            z = a @ p[f"W{layer}"] + p[f"b{layer}"]
            pre_activations.append(z)
            if layer < n_layers:
                a = np.maximum(z, 0) * masks[layer - 1] / (1 - rate)
                activations.append(a)
        return 1 / (1 + np.exp(-z[:, 0])), {"A": activations, "Z": pre_activations, "masks": masks}

    def loss(p: dict, factor: float) -> float:
        z = forward(p)[1]["Z"][-1][:, 0]
        entropy = np.mean(np.logaddexp(0.0, z) - y * z)  # the cross-entropy of sigmoid(z), without 1 - p's rounding
        return float(entropy + factor / (2 * m) * sum(np.sum(p[k] ** 2) for k in p if k.startswith("W")))

    numeric = {name: numerical_gradient(lambda v, name=name: loss({**_copy(params), name: v}, lambd), params[name],
                                        1e-6) for name in params}

    cache = forward(params)[1]
    sent_cache = {key: [v.copy() for v in values] for key, values in cache.items()}
    where = (f"network_backward(y, params, cache, lambd={lambd}, rate={rate}) on a network of sizes "
             f"{[X.shape[1]] + [params[f'W{layer}'].shape[1] for layer in range(1, n_layers + 1)]}")
    sent_params = _copy(params)
    grads = _call(network_backward, where, y.copy(), sent_params, sent_cache, lambd, rate)
    require(_same(params, sent_params) and all(np.array_equal(a, b) for key in cache
                                          for a, b in zip(cache[key], sent_cache[key])),
            f"{where} modified params or the cache it received.")
    if not isinstance(grads, dict) or set(grads) != set(params):
        keys = sorted(grads) if isinstance(grads, dict) else type(grads).__name__
        fail(f"{where} should return a dict with the keys of params {sorted(params)}, got {keys}.")
    got = {}
    for name in params:
        got[name] = _array(grads[name], f"{where}: grads['{name}']")
        if got[name].shape != params[name].shape:
            fail(f"{where}: grads['{name}'] has shape {got[name].shape}; each gradient has its parameter's shape "
                 f"{params[name].shape} (sum the bias gradients over the samples).")
    wrong = [name for name in params if not np.allclose(got[name], numeric[name], **GRADIENT_TOLERANCE)]
    if not wrong:
        return
    weights = [name for name in params if name.startswith("W")]
    # the difference on the weights, as a multiple of W (zero where W is right): the L2 slips
    residual = {name: got[name] - numeric[name] for name in weights}
    l2_gradient = {name: lambd / m * params[name] for name in weights}
    biases_right = all(name.startswith("W") for name in wrong)
    if lambd and biases_right:
        for factor, message in ((-1.0, "has no L2 term: the penalty lambd / (2m) ||W||^2 adds (lambd / m) W to "
                                       "each weight gradient"),
                                (m - 1.0, "adds lambd * W instead of (lambd / m) * W: the L2 gradient has the 1/m "
                                          "of the penalty lambd / (2m) ||W||^2"),
                                (1.0, "adds the L2 gradient twice"),
                                (-0.5, "adds (lambd / (2m)) W: the derivative of lambd / (2m) ||W||^2 is "
                                       "(lambd / m) W")):
            if all(np.allclose(residual[name], factor * l2_gradient[name], **GRADIENT_TOLERANCE) for name in weights):
                fail(f"{where} {message}.")
    last = [f"W{n_layers}", f"b{n_layers}"]
    if set(wrong).isdisjoint(last):
        if dropout:
            fail(f"{where}: the gradients of the last layer are right but those of {', '.join(wrong)} are not. "
                 "Going back through a hidden layer, the gradient must pass through the same dropout mask and "
                 "1/(1 - rate) scaling as the forward pass (your dropout_backward with cache['masks']), then "
                 "through ReLU's derivative (1 where z > 0, else 0).")
        fail(f"{where}: the gradients of the last layer are right but those of {', '.join(wrong)} are not: check "
             "the step back through a hidden layer (dA = dZ @ W.T, then ReLU's derivative, 1 where z > 0).")
    name = wrong[0]
    fail(f"{where}: grads['{name}'] differs from the numerical gradient (largest difference "
         f"{np.max(np.abs(got[name] - numeric[name])):.3g}). For a sigmoid output with the mean cross-entropy, "
         "the gradient with respect to the last z is (probs - y) / m; dW = A_prev.T @ dZ, db = dZ summed over the "
         "samples.")


def check_network_backward_on_random_inputs(network_backward: Callable, seeds: Sequence[int] = range(4)) -> None:
    """Random tiny networks: with dropout and without, with lambda and without."""
    for n, seed in enumerate(seeds):
        check_network_backward(network_backward, seed, variant=n, dropout=n % 2 == 0, lambd=0.0 if n == 3 else None)
