"""Checks for chapter 06's NumPy network: forward pass, loss, backward pass and gradient check.

The network's conventions (the contracts in the notebook): ``params`` holds ``W1, b1, ..., WL, bL``
with ``Wl`` of shape ``(n_{l-1}, n_l)`` and ``bl`` of shape ``(n_l,)``; the hidden layers are
ReLU, each followed by inverted dropout, and the last layer is one sigmoid unit. The forward pass
returns the probabilities and a cache ``{"A": [X, A1, ..., A_{L-1}], "Z": [Z1, ..., ZL],
"masks": [D1, ..., D_{L-1}]}``, the backward pass the gradients of the loss (mean binary
cross-entropy plus chapter 05's ``lambda/(2m)`` times the squared norms of the weight matrices)
with the masks held fixed.

Every expected value is computed inside the check that uses it (NumPy in float64, or a Keras
model with the same weights); the backward pass is compared with the grader's own central
differences. ``gradient_check`` receives a grader-side loss, :class:`RecordedLoss`, which the
sandbox calls by reference (``__grading_remote__``): it records which entries each call moved,
so a one-sided difference or a skipped parameter is named from the grader's own record.

Every failure raises :class:`CheckFailed` with a message naming the likely misconception.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np

from autograder.checks import CheckFailed, fail, require
from autograder.checks._common import call_student_as, quiet
from course.runtime import import_keras

TOLERANCE = dict(rtol=1e-6, atol=1e-8)  # float64 arithmetic, summed in a different order
GRADIENT_TOLERANCE = dict(rtol=1e-4, atol=1e-7)  # against central differences with eps 1e-6


# ---------------------------------------------------------------------------- inputs
def network_case(seed: int, variant: int = 0) -> dict[str, Any]:
    """A tiny network and data: ``X`` (m, n_x), labels ``y`` (m,), ``params``, a rate and a factor.

    The position ``variant`` picks the layer sizes, the rate and the factor; the seed the numbers.
    """
    rng = np.random.default_rng(4000 + seed)
    sizes = [[2, 5, 1], [2, 4, 3, 1], [3, 6, 4, 1], [2, 3, 1]][variant % 4]
    m = [7, 9, 6, 8][variant % 4]
    params = {}
    for layer in range(1, len(sizes)):
        params[f"W{layer}"] = rng.normal(0, 0.9, size=(sizes[layer - 1], sizes[layer]))
        params[f"b{layer}"] = rng.normal(0, 0.3, size=sizes[layer])
    return {"X": rng.normal(size=(m, sizes[0])), "y": (rng.random(m) < 0.5).astype(np.float64),
            "params": params, "rate": [0.5, 0.3, 0.25, 0.4][variant % 4],
            "lambd": [0.7, 1.5, 0.4, 2.0][variant % 4], "mask_seed": int(rng.integers(2**31))}


def _copy(params: dict) -> dict:
    return {name: np.array(value, dtype=np.float64) for name, value in params.items()}


def _same(before: dict, after: dict) -> bool:
    return all(np.array_equal(before[k], np.asarray(after[k])) for k in before)


RESTORE_ULPS = 8  # an entry moved by +eps, -2 eps, +eps comes back within a few units in the last place


def _displaced(value: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Where ``value`` differs from ``base`` by more than rounding (arithmetic restoring is fine)."""
    return np.abs(value - base) > RESTORE_ULPS * np.spacing(np.abs(base))


def _call(fn: Callable, where: str, *args: Any, **kwargs: Any) -> Any:
    """Call student code as chapter 06's other checks do, with its NumPy warnings kept out of the cell."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call_student_as(fn, where, *args, **kwargs)


def _array(value: Any, what: str) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except Exception:  # noqa: BLE001 - a student's value may raise anything on conversion
        fail(f"{what} should be a NumPy array of numbers, got {type(value).__name__}.")
    return array


def _probabilities(value: Any, m: int, where: str) -> np.ndarray:
    """The forward pass's first output as (m,) float64: shape (m,) or (m, 1) is accepted."""
    probs = _array(value, f"{where}: the probabilities")
    if probs.shape not in ((m,), (m, 1)):
        fail(f"{where}: the probabilities have shape {probs.shape}; expected ({m},), one probability of "
             "class 1 per sample (row of X).")
    probs = probs.ravel()
    if not np.all(np.isfinite(probs)):
        fail(f"{where}: the probabilities hold NaN or infinite values.")
    if np.any(probs < 0) or np.any(probs > 1):
        fail(f"{where}: the outputs are not probabilities (values from {probs.min():.3g} to {probs.max():.3g}): "
             "the output layer is a sigmoid, 1 / (1 + exp(-z)), on the last layer's z.")
    return probs


def _cache(value: Any, n_hidden: int, where: str) -> dict[str, list[np.ndarray]]:
    if not isinstance(value, dict) or not {"A", "Z", "masks"} <= set(value):
        keys = sorted(value) if isinstance(value, dict) else type(value).__name__
        fail(f"{where}: the cache should be a dict holding the keys 'A', 'Z' and 'masks' (the contract's "
             f"convention), got {keys}.")
    cache = {}
    for key, length in (("A", n_hidden + 1), ("Z", n_hidden + 1), ("masks", n_hidden)):
        items = value[key]
        if not isinstance(items, (list, tuple)) or len(items) != length:
            got = len(items) if isinstance(items, (list, tuple)) else type(items).__name__
            fail(f"{where}: cache['{key}'] should be a list of {length} arrays for a network with {n_hidden} "
                 f"hidden layer(s), got {got}.")
        cache[key] = [_array(item, f"{where}: cache['{key}'][{i}]") for i, item in enumerate(items)]
    return cache


# ---------------------------------------------------------------------------- network_forward
def _forward_result(network_forward: Callable, X: np.ndarray, params: dict, where: str, *args: Any,
                    **kwargs: Any) -> tuple[np.ndarray, dict[str, list[np.ndarray]]]:
    before_X, before = X.copy(), _copy(params)
    result = _call(network_forward, where, X, _copy(params), *args, **kwargs)
    require(np.array_equal(X, before_X) and _same(before, params), f"{where} modified its inputs.")
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        fail(f"{where} should return a pair (probs, cache), got {type(result).__name__}.")
    n_hidden = len(params) // 2 - 1
    return _probabilities(result[0], X.shape[0], where), _cache(result[1], n_hidden, where)


def check_network_forward(network_forward: Callable, X: np.ndarray, params: dict, rate: float = 0.5,
                          seed: int = 0) -> None:
    """Without dropout (rate 0, and inference mode with a positive rate): the probabilities of a ReLU
    network with a sigmoid output computed here in float64, a cache holding X, every Z and the hidden
    outputs, masks of ones. With dropout (training, ``rate``): 0/1 masks of the hidden layers' shapes,
    the same masks for the same generator state, and the output recomputed here from those masks."""
    X = np.asarray(X, dtype=np.float64)
    params = _copy(params)
    n_layers = len(params) // 2

    def expected(masks: Sequence[np.ndarray], scale: float) -> tuple[np.ndarray, list, list]:
        a, activations, pre_activations = X, [X], []
        for layer in range(1, n_layers + 1):
            z = a @ params[f"W{layer}"] + params[f"b{layer}"]
            pre_activations.append(z)
            if layer < n_layers:
                a = np.maximum(z, 0) * masks[layer - 1] * scale
                activations.append(a)
        return 1 / (1 + np.exp(-z[:, 0])), activations, pre_activations

    ones = [np.ones((X.shape[0], params[f"W{layer}"].shape[1])) for layer in range(1, n_layers)]
    plain, activations, pre_activations = expected(ones, 1.0)
    for mode, args in (("rate=0.0", (0.0, np.random.default_rng(seed), True)),
                       (f"rate={rate}, training=False", (rate, np.random.default_rng(seed), False))):
        where = f"network_forward(X, params, {mode})"
        probs, cache = _forward_result(network_forward, X, params, where, *args)
        if not np.allclose(probs, plain, **TOLERANCE):
            a = X
            for layer in range(1, n_layers + 1):  # the same network without ReLU: a frequent slip
                a = a @ params[f"W{layer}"] + params[f"b{layer}"]
            if np.allclose(probs, 1 / (1 + np.exp(-a[:, 0])), **TOLERANCE):
                fail(f"{where}: the output is that of the network without ReLU: apply ReLU (np.maximum(z, 0)) to "
                     "every hidden layer's z.")
            if "training=False" in mode:
                fail(f"{where}: in inference mode nothing is dropped and nothing is rescaled, so the output must "
                     "equal the one with rate 0; it does not (largest difference "
                     f"{np.max(np.abs(probs - plain)):.3g}). Pass training on to dropout_forward.")
            fail(f"{where}: the probabilities differ from a ReLU network with a sigmoid output and these weights "
                 f"(largest difference {np.max(np.abs(probs - plain)):.3g}). Each layer computes a @ W + b, with W "
                 "of shape (inputs, units).")
        for key, wanted in (("Z", pre_activations), ("A", activations)):
            for i, (got, want) in enumerate(zip(cache[key], wanted)):
                if got.shape != want.shape or not np.allclose(got, want, **TOLERANCE):
                    what = "X itself" if key == "A" and i == 0 else (
                        f"hidden layer {i}'s output after ReLU and dropout" if key == "A" else f"layer {i + 1}'s z")
                    fail(f"{where}: cache['{key}'][{i}] should be {what} (shape {want.shape}), got an array of shape "
                         f"{got.shape}{'' if got.shape != want.shape else ' with other values'}.")
        for i, (got, want) in enumerate(zip(cache["masks"], ones)):
            require(got.shape == want.shape and np.all(got == 1),
                    f"{where}: cache['masks'][{i}] should be all ones of shape {want.shape} when nothing is dropped.")

    where = f"network_forward(X, params, rate={rate}, rng=np.random.default_rng({seed}))"
    probs, cache = _forward_result(network_forward, X, params, where, rate, np.random.default_rng(seed))
    masks = cache["masks"]
    for i, (mask, shape) in enumerate(zip(masks, (o.shape for o in ones))):
        if mask.shape != shape or not np.all(np.isin(mask, (0.0, 1.0))):
            fail(f"{where}: cache['masks'][{i}] should be the 0/1 mask of hidden layer {i + 1} (shape {shape}), got "
                 f"shape {mask.shape} with values such as {np.unique(mask)[:4].tolist()}.")
    if all(np.all(mask == 1) for mask in masks) and np.allclose(probs, plain, **TOLERANCE):
        fail(f"{where}: nothing was dropped in training mode with rate {rate}: call your dropout_forward on every "
             "hidden layer's ReLU output, with the rate, rng and training flag received.")
    with_masks, activations, _ = expected(masks, 1 / (1 - rate))
    if not np.allclose(probs, with_masks, **TOLERANCE):
        unscaled, _, _ = expected(masks, 1.0)
        if np.allclose(probs, unscaled, **TOLERANCE):
            fail(f"{where}: the kept outputs are not divided by 1 - rate: inverted dropout scales them during "
                 "training (your dropout_forward does it).")
        fail(f"{where}: the output is not the one of the network with the masks in the cache applied to the hidden "
             "layers' ReLU outputs (largest difference "
             f"{np.max(np.abs(probs - with_masks)):.3g}). Apply dropout after each hidden ReLU only (not to X nor to "
             "the output), and store the masks that dropout_forward returned.")
    for i, (got, want) in enumerate(zip(cache["A"], activations)):
        require(got.shape == want.shape and np.allclose(got, want, **TOLERANCE),
                f"{where}: cache['A'][{i}] should be the layer's output after dropout (the input of the next layer).")
    again, cache_again = _forward_result(network_forward, X, params, where, rate, np.random.default_rng(seed))
    require(np.array_equal(again, probs) and all(np.array_equal(a, b) for a, b in zip(cache_again["masks"], masks)),
            f"{where} gave different masks for the same generator state: draw the masks only from rng "
            "(through dropout_forward).")


MASK_SIGMAS = 7.0  # a kept fraction beyond 7 standard deviations: below 1e-11 for a correct mask
MASK_ROWS, MASK_UNITS = 400, 64


def check_network_forward_masks(network_forward: Callable, rate: float = 0.3, seed: int = 0) -> None:
    """The masks come from the rate and the generator: on a large batch each hidden layer keeps a
    fraction ``1 - rate`` of its units (within a binomial band of MASK_SIGMAS standard deviations),
    the generator advances, and another generator state gives other masks."""
    where = f"network_forward(X, params, rate={rate}, rng, training=True)"
    rng = np.random.default_rng(7000 + seed)
    params = {"W1": rng.normal(size=(2, MASK_UNITS)), "b1": np.zeros(MASK_UNITS),
              "W2": rng.normal(size=(MASK_UNITS, MASK_UNITS)) / 8, "b2": np.zeros(MASK_UNITS),
              "W3": rng.normal(size=(MASK_UNITS, 1)) / 8, "b3": np.zeros(1)}
    X = rng.normal(size=(MASK_ROWS, 2))
    generator = np.random.default_rng(int(rng.integers(2**31)))
    state = generator.bit_generator.state
    _, first = _forward_result(network_forward, X, params, where, rate, generator)
    require(generator.bit_generator.state != state,
            f"{where} did not draw from rng: the masks must come from the generator it receives.")
    size = MASK_ROWS * MASK_UNITS
    band = MASK_SIGMAS * np.sqrt(rate * (1 - rate) / size)
    for i, mask in enumerate(first["masks"]):
        kept = float(np.mean(mask))
        if abs(kept - rate) <= band < abs(kept - (1 - rate)):
            fail(f"{where}: layer {i + 1} keeps a fraction {kept:.3f} of its units, about the rate: rate is the "
                 f"fraction dropped, so each unit is kept with probability 1 - rate = {1 - rate:.2f}.")
        require(abs(kept - (1 - rate)) <= band,
                f"{where}: layer {i + 1} keeps a fraction {kept:.3f} of its {size} units; with rate {rate} each unit "
                f"is kept with probability {1 - rate:.2f}, independently.")
    other = np.random.default_rng(int(rng.integers(2**31)))
    _, second = _forward_result(network_forward, X, params, where, rate, other)
    require(not all(np.array_equal(a, b) for a, b in zip(first["masks"], second["masks"])),
            f"{where} gave the same masks for two different generators: draw them from rng, not from a generator "
            "of your own.")


def check_network_forward_on_random_inputs(network_forward: Callable, seeds: Sequence[int] = range(3)) -> None:
    """Random tiny networks (one or two hidden layers), each with and without dropout."""
    for n, seed in enumerate(seeds):
        case = network_case(seed, variant=n)
        check_network_forward(network_forward, case["X"], case["params"], rate=case["rate"], seed=case["mask_seed"])


def check_network_forward_matches_keras(network_forward: Callable, seed: int = 0) -> None:
    """The probabilities equal a Keras model (Dense ReLU layers, a Dense sigmoid unit) holding the same
    weights, in inference mode and with rate 0."""
    case = network_case(seed, variant=1)
    X, params = case["X"].astype(np.float32), case["params"]
    keras = import_keras()
    n_layers = len(params) // 2
    with quiet():
        model = keras.Sequential([keras.Input(shape=(X.shape[1],))] + [
            keras.layers.Dense(params[f"W{layer}"].shape[1], activation="relu" if layer < n_layers else "sigmoid")
            for layer in range(1, n_layers + 1)])
        model.set_weights([params[f"{kind}{layer}"].astype(np.float32)
                           for layer in range(1, n_layers + 1) for kind in ("W", "b")])
        keras_probs = np.asarray(model(X)).astype(np.float64).ravel()
    for args, mode in (((0.0, np.random.default_rng(seed)), "rate=0.0"),
                       ((case["rate"], np.random.default_rng(seed), False), f"rate={case['rate']}, training=False")):
        where = f"network_forward(X, params, {mode})"
        probs, _ = _forward_result(network_forward, X.astype(np.float64), params, where, *args)
        require(np.allclose(probs, keras_probs, rtol=1e-4, atol=1e-5),
                f"{where} differs from a Keras model with Dense(relu) hidden layers, a Dense(1, sigmoid) output and "
                f"the same weights (largest difference {np.max(np.abs(probs - keras_probs)):.3g}).")


# ---------------------------------------------------------------------------- network_loss
def check_network_loss(network_loss: Callable, probs: np.ndarray, y: np.ndarray, params: dict, lambd: float) -> None:
    """The mean binary cross-entropy plus ``lambd / (2m)`` times the summed squared entries of the weight
    matrices (the biases are not penalized), as a float."""
    probs, y, params = np.asarray(probs, dtype=np.float64), np.asarray(y, dtype=np.float64), _copy(params)
    m = y.shape[0]
    where = f"network_loss(probs, y, params, lambd={lambd})"
    before = (probs.copy(), y.copy(), _copy(params))
    value = _call(network_loss, where, probs.copy(), y.copy(), _copy(params), lambd)
    require(np.array_equal(probs, before[0]) and np.array_equal(y, before[1]), f"{where} modified its inputs.")
    if isinstance(value, np.ndarray) and value.size != 1:
        fail(f"{where} should return one number (a float), got an array of shape {value.shape}: average the "
             "cross-entropy over the samples.")
    try:
        value = float(value)
    except Exception:  # noqa: BLE001 - a student's value may raise anything on conversion
        fail(f"{where} should return a float, got {type(value).__name__}.")
    entropy = -np.mean(y * np.log(probs) + (1 - y) * np.log(1 - probs))
    squares = sum(float(np.sum(params[k] ** 2)) for k in params if k.startswith("W"))
    all_squares = sum(float(np.sum(v ** 2)) for v in params.values())
    expected = entropy + lambd / (2 * m) * squares
    if np.isclose(value, expected, **TOLERANCE):
        return
    mistakes = [(entropy, "has no L2 term: add lambd / (2 * m) times the sum of the squared weights"),
                (entropy + lambd / m * squares, "uses lambd / m for the L2 term; chapter 05's convention is "
                                                "lambd / (2 * m) times the squared norms"),
                (entropy + lambd / 2 * squares, "forgets the 1/m of the L2 term: lambd / (2 * m), m the number "
                                                "of samples"),
                (entropy + lambd * squares, "uses lambd times the squared norms; the convention is lambd / (2 * m)"),
                (entropy + lambd / (2 * m) * all_squares, "penalizes the biases too: the L2 term sums the weight "
                                                          "matrices W1, ..., WL only"),
                (m * entropy + lambd / (2 * m) * squares, "sums the cross-entropy over the samples instead of "
                                                          "averaging it"),
                (-entropy + lambd / (2 * m) * squares, "has the cross-entropy's sign wrong: it is -mean(y log p + "
                                                       "(1 - y) log(1 - p)), a positive number")]
    for wrong, message in mistakes:
        if np.isclose(value, wrong, **TOLERANCE):
            fail(f"{where} = {value:.6g} {message} (expected {expected:.6g}).")
    fail(f"{where} = {value:.6g}, expected {expected:.6g}: the mean binary cross-entropy of probs against y "
         f"({entropy:.6g}) plus the L2 term ({lambd / (2 * m) * squares:.6g}).")


def check_network_loss_on_random_inputs(network_loss: Callable, seeds: Sequence[int] = range(4)) -> None:
    """Random probabilities, labels and tiny networks; lambda 0 included."""
    for n, seed in enumerate(seeds):
        case = network_case(seed, variant=n)
        rng = np.random.default_rng(500 + seed)
        probs = rng.uniform(0.02, 0.98, size=case["y"].shape)
        y = case["y"] if n % 2 else list(case["y"])
        check_network_loss(network_loss, probs, np.asarray(y), case["params"], 0.0 if n == 2 else case["lambd"])


# ---------------------------------------------------------------------------- network_backward
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

    eps = 1e-6
    numeric = {}
    for name in params:
        numeric[name] = np.zeros_like(params[name])
        for index in np.ndindex(params[name].shape):
            plus, minus = _copy(params), _copy(params)
            plus[name][index] += eps
            minus[name][index] -= eps
            numeric[name][index] = (loss(plus, lambd) - loss(minus, lambd)) / (2 * eps)

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


# ---------------------------------------------------------------------------- gradient_check
class RecordedLoss:
    """A grader-side loss ``f(params) = sum_k sum_i (w/2) (theta - t)^2 + v sin(theta) + c theta^3`` over
    every entry of every array of ``params``, with known gradient. It records, for each call, the entries
    that differ from ``base`` (the point of the check), so the check can say how the student probed it."""

    # Called by reference from the grading sandbox: the calls run (and are recorded) here.
    __grading_remote__: ClassVar[tuple[str, ...]] = ("__call__",)

    def __init__(self, base: dict, curvature: float = 1.0, cubic: float = 0.0, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.base = _copy(base)
        self.centre = {k: v + rng.uniform(-1.0, 1.0, size=v.shape) / curvature for k, v in self.base.items()}
        self.curvature, self.cubic = curvature, cubic
        self.wave = {k: rng.uniform(0.5, 1.5, size=v.shape) for k, v in self.base.items()}
        self.moved: list[list[tuple[str, tuple, float]]] = []  # per call: (name, index, step) of moved entries
        self.bad_input: str = ""

    def __repr__(self) -> str:
        return f"RecordedLoss(a loss of {sum(v.size for v in self.base.values())} parameters)"

    def gradient(self) -> dict:
        return {k: self.curvature * (v - self.centre[k]) + self.wave[k] * np.cos(v) + 3 * self.cubic * v ** 2
                for k, v in self.base.items()}

    def __call__(self, params: Any) -> float:
        if not isinstance(params, dict) or set(params) != set(self.base):
            keys = sorted(params) if isinstance(params, dict) else ""
            self.bad_input = f"the loss was called with {type(params).__name__} {keys}, not a dict like params"
            raise ValueError(self.bad_input)
        values = {}
        for k, v in params.items():
            v = np.asarray(v, dtype=np.float64)
            if v.shape != self.base[k].shape:
                self.bad_input = f"the loss was called with params['{k}'] of shape {v.shape}, not {self.base[k].shape}"
                raise ValueError(self.bad_input)
            values[k] = v
        self.moved.append([(k, index, float(values[k][index] - self.base[k][index]))
                           for k in values for index in zip(*np.nonzero(_displaced(values[k], self.base[k])))])
        return float(sum(np.sum(self.curvature / 2 * (v - self.centre[k]) ** 2 + self.wave[k] * np.sin(v)
                                + self.cubic * v ** 3) for k, v in values.items()))


def _params_for_check(seed: int) -> dict:
    rng = np.random.default_rng(6000 + seed)
    return {"W1": rng.normal(size=(3, 2)), "b1": rng.normal(size=2), "W2": rng.normal(size=(2, 1)),
            "b2": rng.normal(size=1)}


def _run_gradient_check(gradient_check: Callable, loss: RecordedLoss, grads: dict, eps: float) -> float:
    params = _copy(loss.base)
    where = f"gradient_check(loss, params, grads, eps={eps:g})"
    sent_grads = _copy(grads)
    try:
        value = _call(gradient_check, where, loss, params, sent_grads, eps)
    except CheckFailed:
        if loss.bad_input:
            fail(f"{where}: {loss.bad_input}. Call loss with a dict like params in which one entry is moved.")
        raise
    require(not any(_displaced(np.asarray(params[k], dtype=np.float64), loss.base[k]).any() for k in loss.base),
            f"{where} left params changed: put every entry you move back (or move a copy).")
    require(_same(grads, sent_grads), f"{where} modified grads.")
    try:
        value = float(value)
    except Exception:  # noqa: BLE001 - a student's value may raise anything on conversion
        fail(f"{where} should return the relative error as a float, got {type(value).__name__}.")
    require(np.isfinite(value), f"{where} returned {value}.")
    return value


def _probing_message(loss: RecordedLoss, eps: float) -> str | None:
    """What the record of the loss's calls says about how the entries were moved (None: as expected)."""
    sizes = sum(v.size for v in loss.base.values())
    if any(len(moved) > 1 for moved in loss.moved):
        return ("moved several entries at once in one call of the loss: move one entry at a time, so each "
                "difference measures one partial derivative")
    steps: dict[tuple[str, tuple], set[float]] = {}
    for moved in loss.moved:
        for name, index, step in moved:
            steps.setdefault((name, index), set()).add(round(step / eps, 3))
    missing = sizes - len(steps)
    if missing:
        return (f"never moved {missing} of the {sizes} parameter entries: the check covers every entry of every "
                "parameter (weights and biases)")
    if any(signs == {1.0} or signs == {-1.0} for signs in steps.values()):
        return ("moved each entry in one direction only: a one-sided difference (L(theta + eps) - L(theta)) / eps "
                "has an error proportional to eps; use the central difference with theta + eps and theta - eps")
    if any(signs != {1.0, -1.0} for signs in steps.values()):
        return f"moved the entries by other steps than +eps and -eps (eps={eps:g}, the argument received)"
    return None


def check_gradient_check(gradient_check: Callable, seed: int = 0) -> None:
    """With the exact gradient of a smooth loss the relative error is tiny (below 1e-7), and with a gradient
    off by a known amount it equals ||a - n|| / (||a|| + ||n||) computed here."""
    base = _params_for_check(seed)
    loss = RecordedLoss(base, seed=seed)
    exact = loss.gradient()
    value = _run_gradient_check(gradient_check, loss, exact, 1e-6)
    if value > 1e-7:
        probing = _probing_message(loss, 1e-6)
        if probing:
            fail(f"gradient_check with the exact gradient gave a relative error of {value:.3g}; it {probing}.")
        if abs(value - 1 / 3) < 1e-3:
            fail(f"gradient_check with the exact gradient gave {value:.4g}, about 1/3: the numerical gradient is twice "
                 "too large. The central difference divides by 2 * eps, the distance between theta - eps and "
                 "theta + eps.")
        fail(f"gradient_check with the exact gradient of a smooth loss gave a relative error of {value:.3g}; "
             "expected below 1e-7.")
    rng = np.random.default_rng(7000 + seed)
    off = {k: v + rng.normal(0, 0.3, size=v.shape) for k, v in exact.items()}
    flat = np.concatenate([v.ravel() for v in exact.values()])
    flat_off = np.concatenate([v.ravel() for v in off.values()])
    difference = np.linalg.norm(flat_off - flat)
    expected = difference / (np.linalg.norm(flat_off) + np.linalg.norm(flat))
    loss = RecordedLoss(base, seed=seed)
    value = _run_gradient_check(gradient_check, loss, off, 1e-6)
    if np.isclose(value, expected, rtol=1e-4, atol=0):
        return
    probing = _probing_message(loss, 1e-6)
    if probing:
        fail(f"gradient_check {probing}.")
    for wrong, message in ((difference, "returns ||a - n|| without dividing by ||a|| + ||n||: the relative error "
                                        "divides by the sum of the two norms, so that it does not depend on the "
                                        "gradient's scale"),
                           (difference ** 2, "returns the squared distance ||a - n||^2 without the denominator"),
                           (difference / np.linalg.norm(flat_off), "divides by ||a|| only; the denominator is "
                                                                     "||a|| + ||n||"),
                           (difference / np.linalg.norm(flat), "divides by ||n|| only; the denominator is "
                                                                 "||a|| + ||n||"),
                           (difference / np.linalg.norm(flat_off + flat), "divides by ||a + n||; the denominator is "
                                                                          "||a|| + ||n||, the sum of the two norms")):
        if np.isclose(value, wrong, rtol=1e-4):
            fail(f"gradient_check {message} (got {value:.5g}, expected {expected:.5g}).")
    fail(f"gradient_check with a gradient off by a known amount gave {value:.5g}; the relative error "
         f"||a - n|| / (||a|| + ||n||) over all the entries of all the parameters is {expected:.5g}.")


def check_gradient_check_central(gradient_check: Callable, seed: int = 0) -> None:
    """A loss with large curvature: the central difference is exact on it (error below 1e-7), a one-sided
    difference is off by eps times the curvature. With a cubic term and a large eps, the relative error
    equals the central difference's own error computed here with that eps (so eps is the one received)."""
    base = _params_for_check(seed)
    loss = RecordedLoss(base, curvature=1e4, seed=seed)
    value = _run_gradient_check(gradient_check, loss, loss.gradient(), 1e-4)
    if value > 1e-7:
        probing = _probing_message(loss, 1e-4)
        if probing:
            fail(f"gradient_check on a loss with large curvature (eps=1e-4) gave a relative error of {value:.3g} "
                 f"with the exact gradient; it {probing}.")
        fail(f"gradient_check on a loss with large curvature (eps=1e-4) gave a relative error of {value:.3g} with "
             "the exact gradient; the central difference gives below 1e-7 there.")
    eps = 1e-2
    loss = RecordedLoss(base, cubic=2.0, seed=seed)
    exact = loss.gradient()
    value = _run_gradient_check(gradient_check, loss, exact, eps)
    numeric = []
    for name in base:
        for index in np.ndindex(base[name].shape):
            plus, minus = _copy(base), _copy(base)
            plus[name][index] += eps
            minus[name][index] -= eps
            numeric.append((loss(plus) - loss(minus)) / (2 * eps))
    loss.moved.clear()
    flat = np.concatenate([v.ravel() for v in exact.values()])
    numeric = np.array(numeric)
    expected = np.linalg.norm(flat - numeric) / (np.linalg.norm(flat) + np.linalg.norm(numeric))
    if np.isclose(value, expected, rtol=1e-3):
        return
    if value < expected / 10:
        fail(f"gradient_check(..., eps={eps:g}) gave {value:.3g}, but central differences with a step of {eps:g} "
             f"give {expected:.3g} on this loss: the function does not use the eps it receives.")
    fail(f"gradient_check(..., eps={eps:g}) gave {value:.3g} on a loss with a cubic term; central differences with "
         f"that step give {expected:.3g}.")
