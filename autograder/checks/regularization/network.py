"""Checks of ``build_regularized_network``: its layers and regularizers, and one training step
against the contract's network rebuilt from the same weights.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograder.checks import CheckFailed, fail
from autograder.checks._common import quiet
from autograder.checks.regularization._common import _close
from course.runtime import import_keras

# The builder returns a Keras model; in trusted grading it arrives as its description
# (autograder.scoring.keras_models.ReturnedModel), in a kernel as the model itself. Both take the same
# route: parsed against a whitelist into a ModelSpec, which the checks compare and rebuild.
BUILDER = "build_regularized_network"
BUILDER_ACTIVATIONS = ("relu", "tanh", "elu", "sigmoid")
STEP_BATCH = 16
STEP_LEARNING_RATE = 0.1


def _model_spec(value: Any, where: str):
    from autograder.scoring import keras_models

    if isinstance(value, keras_models.ReturnedModel):
        returned = value
    elif keras_models.is_keras_model(value):
        returned = keras_models.returned_from_model(value)
    else:
        shown = repr(value) if type(value).__name__ == "Unsupported" else type(value).__name__
        fail(f"{where} should return a Keras model (keras.Sequential or a functional keras.Model), got {shown}.")
    try:
        return keras_models.parse(returned)
    except keras_models.ModelRefused as error:
        fail(f"{where}: {error}.")


def _given(kernel_regularizer: Any):
    """The regularizer a check passes in, as a RegularizerSpec (None for None)."""
    from autograder.scoring import keras_models

    if kernel_regularizer is None:
        return None
    keras = import_keras()
    return keras_models.regularizer_from_config(keras.saving.serialize_keras_object(kernel_regularizer),
                                                "the check's regularizer")


def _build(build: Callable, kernel_regularizer: Any, hidden_sizes: Sequence[int], input_dim: int,
           n_classes: int, activation: str):
    given = _given(kernel_regularizer)
    where = (f"{BUILDER}({given.describe() if given else None}, {list(hidden_sizes)}, input_dim={input_dim}, "
             f"n_classes={n_classes}, activation={activation!r})")
    try:
        with quiet():
            result = build(kernel_regularizer, hidden_sizes, input_dim=input_dim, n_classes=n_classes,
                           activation=activation)
    except NotImplementedError:
        fail(f"{BUILDER} is not implemented yet: it still raises NotImplementedError.")
    except CheckFailed:
        raise
    except Exception as error:  # noqa: BLE001 - any crash of student code is the student's failure
        hint = (" (a layer got an input of the wrong size: is one layer object used at two positions?)"
                if "incompatible" in str(error) else "")
        fail(f"{where} raised {type(error).__name__}: {error}{hint}")
    return _model_spec(result, where), given, where


def _check_extra_penalties(layer: Any, name: str) -> None:
    for key in ("bias_regularizer", "activity_regularizer"):
        if getattr(layer, key) is not None:
            fail(f"{name} has a {key} ({getattr(layer, key).describe()}): the contract penalizes the kernels "
                 "only (kernel_regularizer=), not the biases or the outputs.")
    if not layer.use_bias:
        fail(f"{name} has no bias (use_bias=False); the contract's Dense layers keep their biases.")


def check_regularized_network(build: Callable, kernel_regularizer: Any, hidden_sizes: Sequence[int],
                              input_dim: int, n_classes: int, activation: str = "relu") -> None:
    """The built model's layers: an input of ``input_dim`` features, one Dense layer per hidden size with
    ``activation`` and the regularizer passed in (its class and factors), then a Dense softmax output
    of ``n_classes`` units without a regularizer; biases and outputs not penalized."""
    spec, given, where = _build(build, kernel_regularizer, hidden_sizes, input_dim, n_classes, activation)
    if spec.input_dim != input_dim:
        fail(f"{where} takes inputs of {spec.input_dim} features, expected input_dim = {input_dim}.")
    expected = len(hidden_sizes) + 1
    if len(spec.layers) != expected:
        fail(f"{where} has {len(spec.layers)} Dense layers, expected {len(hidden_sizes)} hidden + 1 output = "
             f"{expected}: one hidden layer per entry of hidden_sizes, in order, then the output layer.")
    for number, (layer, units) in enumerate(zip(spec.layers[:-1], hidden_sizes), start=1):
        name = f"{where}: hidden layer {number}"
        if layer.units != units:
            fail(f"{name} has {layer.units} units, expected {units} (hidden_sizes gives the hidden layers' "
                 "sizes, in order).")
        if layer.activation != activation:
            hint = ": is the activation hard-coded instead of taken from the argument?" \
                if layer.activation in BUILDER_ACTIVATIONS else "."
            fail(f"{name} uses the activation {layer.activation!r}, expected the activation argument "
                 f"{activation!r}{hint}")
        found = layer.kernel_regularizer
        if given is None and found is not None:
            fail(f"{name} has a kernel_regularizer ({found.describe()}) although the regularizer passed in is "
                 "None: use the argument as it is (None means no penalty), do not substitute a default.")
        if given is not None and found is None:
            fail(f"{name} has no kernel_regularizer: every hidden Dense layer takes the regularizer passed in "
                 "(the argument the partial fixes once for all of them).")
        if given is not None and not given.same_as(found):
            fail(f"{name} has the regularizer {found.describe()}, but the one passed in is {given.describe()}: "
                 "pass the regularizer object you are given, do not create a new one with a fixed factor.")
        _check_extra_penalties(layer, name)
    output, name = spec.layers[-1], f"{where}: the output layer"
    if output.units != n_classes:
        fail(f"{name} has {output.units} units, expected n_classes = {n_classes} (one probability per class).")
    if output.activation != "softmax":
        hint = (" (the hidden layers' activation: the output layer does not take the partial's activation)"
                if output.activation == activation else "")
        fail(f"{name} uses the activation {output.activation!r}{hint}; it is a softmax over the classes.")
    if output.kernel_regularizer is not None:
        same = given is not None and given.same_as(output.kernel_regularizer)
        fail(f"{name} carries {'the regularizer passed in' if same else 'a kernel_regularizer'} "
             f"({output.kernel_regularizer.describe()}); the contract penalizes the hidden layers only: build the "
             "output with keras.layers.Dense, not with the regularized partial.")
    _check_extra_penalties(output, name)


def _penalty_of(given: Any, kernels: Sequence[np.ndarray]) -> float:
    if given is None:
        return 0.0
    return float(sum(given.l1 * np.abs(k.astype(np.float64)).sum() + given.l2 * (k.astype(np.float64) ** 2).sum()
                     for k in kernels))


def _unpenalized(spec: Any) -> Any:
    from dataclasses import replace

    return replace(spec, layers=tuple(replace(layer, kernel_regularizer=None, bias_regularizer=None,
                                              activity_regularizer=None) for layer in spec.layers))


def _cross_entropy(model: Any, x: np.ndarray, y: np.ndarray) -> float:
    probabilities = np.asarray(model(x), dtype=np.float64)
    return float(-np.mean(np.log(np.clip(probabilities[np.arange(len(y)), y], 1e-7, 1.0))))


def check_regularized_network_training_step(build: Callable, kernel_regularizer: Any, hidden_sizes: Sequence[int],
                                            input_dim: int, n_classes: int, activation: str = "relu",
                                            seed: int = 0) -> None:
    """One SGD step of the built network against the contract's network built here with the same weights:
    the same loss (cross-entropy plus the hidden kernels' penalty) and the same weights afterwards."""
    from autograder.scoring import keras_models

    spec, given, where = _build(build, kernel_regularizer, hidden_sizes, input_dim, n_classes, activation)
    sizes = [layer.units for layer in spec.layers]
    if spec.input_dim != input_dim or sizes != list(hidden_sizes) + [n_classes]:
        fail(f"{where} has layers of {sizes} units on {spec.input_dim} inputs, expected {list(hidden_sizes)} "
             f"hidden + {n_classes} output units on {input_dim} inputs: the training step cannot be compared.")
    contract = keras_models.ModelSpec(
        "Sequential", input_dim,
        tuple(keras_models.DenseSpec(units, activation, True, given) for units in hidden_sizes)
        + (keras_models.DenseSpec(n_classes, "softmax"),), spec.weights)
    keras = import_keras()
    rng = np.random.default_rng(2400 + seed)
    x = rng.normal(size=(STEP_BATCH, input_dim)).astype(np.float32)
    y = rng.integers(0, n_classes, size=STEP_BATCH)
    losses, after = [], []
    with quiet():
        for described in (spec, contract):
            model = keras_models.build(described, keras)
            model.compile(optimizer=keras.optimizers.SGD(STEP_LEARNING_RATE), loss="sparse_categorical_crossentropy",
                          run_eagerly=True)
            losses.append(float(np.ravel(model.train_on_batch(x, y))[0]))
            after.append([np.asarray(w, dtype=np.float64) for w in model.get_weights()])
    kernels = [arrays[0] for arrays in spec.weights]
    hidden_penalty, output_penalty = _penalty_of(given, kernels[:-1]), _penalty_of(given, kernels[-1:])
    yours, expected = losses
    if not _close(yours, expected, 1e-4):
        with quiet():  # the losses without the penalties, to say what differs
            your_ce, cross_entropy = [_cross_entropy(keras_models.build(_unpenalized(described), keras), x, y)
                                      for described in (spec, contract)]
        your_penalty = yours - your_ce
        if not _close(your_ce, cross_entropy, 1e-4):
            fail(f"{where}: from the same weights your network's cross-entropy is {your_ce:.6g}, the contract's "
                 f"{cross_entropy:.6g}: the network computes other outputs (is an activation not the contract's?).")
        if hidden_penalty > 1e-6 and abs(your_penalty) <= 1e-5 * max(1.0, yours):
            fail(f"{where}: one training step's loss is the plain cross-entropy ({yours:.6g}); the penalty of the "
                 f"hidden kernels ({hidden_penalty:.6g}) is missing, so training does not regularize: pass the "
                 "regularizer to every hidden Dense layer.")
        if output_penalty > 1e-6 and _close(yours, expected + output_penalty, 1e-4):
            fail(f"{where}: one training step's loss includes a penalty on the output kernel "
                 f"({output_penalty:.6g}); the contract penalizes the hidden kernels only.")
        fail(f"{where}: one training step's loss holds a penalty of {your_penalty:.6g}, but the regularizer passed "
             f"in gives {hidden_penalty:.6g} on the hidden kernels: is every hidden layer regularized with the "
             "argument itself (its kind and factor)?")
    for number, (mine, theirs) in enumerate(zip(after[0], after[1])):
        if not np.allclose(mine, theirs, rtol=1e-4, atol=1e-6):
            fail(f"{where}: after one SGD step the weights differ from the contract's network (array {number}): "
                 "the gradient of the loss differs, so a layer's activation or penalty is not the contract's.")


def builder_case(seed: int, position: int) -> dict[str, Any]:
    """Inputs for one call of the builder: the position picks the regularizer's kind and the activation (the
    fifth position makes every layer as wide as the input, so a layer reused twice would still build);
    the seed picks sizes and factors."""
    rng = np.random.default_rng(2200 + seed)
    keras = import_keras()
    kind = ("L2", "L1", "L1L2", None, "L2")[position % 5]
    factors = [float(f) for f in rng.uniform(1e-4, 0.05, size=2)]
    regularizer = None if kind is None else {"L1": lambda: keras.regularizers.L1(factors[0]),
                                             "L2": lambda: keras.regularizers.L2(factors[1]),
                                             "L1L2": lambda: keras.regularizers.L1L2(*factors)}[kind]()
    depth = 1 + position % 3
    if position % 5 == 4:
        width = int(rng.integers(3, 9))
        hidden, input_dim = [width] * 2, width
    else:
        hidden, input_dim = [int(u) for u in rng.integers(2, 13, size=depth)], int(rng.integers(3, 11))
    return {"kernel_regularizer": regularizer, "hidden_sizes": tuple(hidden) if position % 2 else hidden,
            "input_dim": input_dim, "n_classes": int(rng.integers(2, 6)),
            "activation": BUILDER_ACTIVATIONS[position % len(BUILDER_ACTIVATIONS)]}


def check_regularized_network_on_random_inputs(build: Callable, seeds: Sequence[int] = range(5)) -> None:
    """The layers for every kind of regularizer (L1, L2, L1L2, None), several depths and activations."""
    for position, seed in enumerate(seeds):
        check_regularized_network(build, **builder_case(seed, position))


def check_regularized_network_step_on_random_inputs(build: Callable, seeds: Sequence[int] = range(1)) -> None:
    """One training step for new sizes and factors: L1 with tanh first (the visible cell tries L2 with
    relu), then L1L2 with elu. A step costs a few model builds, so the hidden cell takes one."""
    for position, seed in enumerate(seeds, start=1):
        check_regularized_network_training_step(build, **builder_case(seed, position), seed=seed)
