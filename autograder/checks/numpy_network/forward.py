"""Checks of chapter 06's ``network_forward``: the probabilities and the cache
computed in float64 with the masks the student returns, the masks' kept share and independence,
and the same weights in a Keras model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograder.checks import fail, require
from autograder.checks._common import quiet
from autograder.checks.numpy_network._common import (
    TOLERANCE,
    _cache,
    _call,
    _copy,
    _probabilities,
    _same,
    network_case,
)
from course.runtime import import_keras


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
