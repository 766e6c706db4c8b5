"""Checks for chapter 05 (weight regularization): penalties, the L2 gradient, weight decay, max-norm,
and the model builder (its layers, and one training step against the contract's network rebuilt
here from the same weights; the model arrives through :mod:`autograder.scoring.keras_models`).

The oracles are Keras (``keras.regularizers.L1/L2/L1L2`` summed over the arrays, when Keras is
loaded; ``keras.constraints.MaxNorm``) and NumPy formulas, computed inside the checks, which
return nothing: no function here gives a graded function's answer (a student's code can import
this module). Inputs come from seeds the test cells pass in (fixed in the notebook, drawn at
grading time: ``autograder.checks.hidden_seeds``): lists of arrays of several shapes, float32
and float64. A wrong result is then compared with the usual mistakes to name the one it matches.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograder.checks import CheckFailed, call_student, fail, require  # noqa: F401
from autograder.checks._common import loaded_keras, quiet
from course.runtime import import_keras

RTOL = 1e-5


# ---------------------------------------------------------------------------- helpers
def _arrays(weights: Any) -> list[np.ndarray]:
    if isinstance(weights, (list, tuple)):
        return [np.asarray(w, dtype=np.float64) for w in weights]
    return [np.asarray(weights, dtype=np.float64)]


def _scalar(value: Any, name: str) -> float:
    try:
        array = np.asarray(value, dtype=np.float64)
    except Exception:  # noqa: BLE001 - a student's value may raise anything on conversion
        fail(f"{name} should return a number, got {type(value).__name__}.")
    if array.size != 1:
        fail(f"{name} should return one number (the total over every array and entry), got an "
             f"array of shape {array.shape}: sum over all entries, not per row or column.")
    return float(array.reshape(()))


def _close(a: float, b: float, rtol: float = RTOL) -> bool:
    return bool(np.isclose(a, b, rtol=rtol, atol=1e-9))


def _copy(value: Any) -> Any:
    return copy.deepcopy(value)


def _require_unchanged(before: Any, after: Any, name: str) -> None:
    for b, a in zip(_arrays(before), _arrays(after)):
        if not np.array_equal(b, a):
            fail(f"{name} modified its input in place; work on a copy (`W = W * ...` instead of "
                 "`W *= ...`).")


def random_weights(seed: int, as_list: bool = True, dtype: str = "float32") -> Any:
    """A seeded list of kernels and biases (or one array) with both signs."""
    rng = np.random.default_rng(seed)
    shapes = [(int(rng.integers(2, 9)), int(rng.integers(2, 9))) for _ in range(2)]
    arrays = [rng.normal(0, 0.5, size=s).astype(dtype) for s in shapes]
    arrays.append(rng.normal(0, 0.5, size=(shapes[-1][1],)).astype(dtype))
    return arrays if as_list else arrays[0]


# ---------------------------------------------------------------------------- penalties
def _diagnose_penalty(name: str, result: float, weights: Any, l1: float, l2: float) -> None:
    arrays = _arrays(weights)
    abs_sum = sum(np.abs(a).sum() for a in arrays)
    signed_sum = sum(a.sum() for a in arrays)
    sq_sum = sum((a ** 2).sum() for a in arrays)
    norms = sum(np.sqrt((a ** 2).sum()) for a in arrays)
    first = arrays[0]
    first_only = l1 * np.abs(first).sum() + l2 * (first ** 2).sum()
    candidates = [
        (l1 * signed_sum + l2 * sq_sum, "the L1 term sums the signed weights; it must sum their "
                                        "absolute values |w| (np.abs)"),
        (l1 * abs_sum + l2 * sq_sum / 2, "a stray factor 1/2 in the L2 term: Keras's L2 is "
                                         "factor * sum(w**2), without 1/2 (that is the lambda/(2m) "
                                         "convention of l2_cost)"),
        (l1 * abs_sum + l2 * norms, "the L2 term uses the norm ||w||; it must use the squared norm, "
                                    "sum(w**2)"),
        (first_only, "only the first array of the list counts; add the penalty of every array"),
        (l2 * abs_sum + l1 * sq_sum, "the l1 and l2 factors are swapped: l1 multiplies sum|w|, l2 "
                                     "multiplies sum(w**2)"),
        (abs_sum + sq_sum, "the factors l1/l2 are missing: multiply by them"),
    ]
    for value, message in candidates:
        if value != 0 and _close(result, value, 1e-4):
            fail(f"{name}: {message}.")


def _check_penalty(name: str, fn: Callable, call: Callable, expected: float, weights: Any,
                   l1: float, l2: float, keras_regularizer: Callable) -> None:
    """The student's penalty against ``expected`` (NumPy); when Keras is loaded, ``expected`` must
    also be what ``keras_regularizer(keras)`` gives, summed over the arrays."""
    before = _copy(weights)
    result = _scalar(call(fn, weights), name)
    _require_unchanged(before, weights, name)
    keras = loaded_keras()
    if keras is not None:
        regularizer = keras_regularizer(keras)
        with quiet():
            from_keras = sum(float(np.asarray(regularizer(keras.ops.convert_to_tensor(a.astype(np.float32)))))
                             for a in _arrays(weights))
        if not _close(from_keras, expected, 1e-4):
            fail(f"internal check error: Keras gives {from_keras}, NumPy {expected}")
    if not _close(result, expected, 1e-4):
        _diagnose_penalty(name, result, weights, l1, l2)
        kind = "a list of arrays" if isinstance(weights, (list, tuple)) else "one array"
        fail(f"{name} on {kind} returned {result:.6g}, expected {expected:.6g} (the Keras "
             "regularizer summed over the arrays).")


def check_l1_penalty(l1_penalty: Callable, weights: Any, l1: float) -> None:
    expected = l1 * sum(np.abs(a).sum() for a in _arrays(weights))
    _check_penalty("l1_penalty", l1_penalty, lambda f, w: call_student(f, w, l1), expected,
                   weights, l1, 0.0, lambda keras: keras.regularizers.L1(l1))


def check_l2_penalty(l2_penalty: Callable, weights: Any, l2: float) -> None:
    expected = l2 * sum((a ** 2).sum() for a in _arrays(weights))
    _check_penalty("l2_penalty", l2_penalty, lambda f, w: call_student(f, w, l2), expected,
                   weights, 0.0, l2, lambda keras: keras.regularizers.L2(l2))


def check_l1_l2_penalty(l1_l2_penalty: Callable, weights: Any, l1: float, l2: float) -> None:
    arrays = _arrays(weights)
    expected = l1 * sum(np.abs(a).sum() for a in arrays) + l2 * sum((a ** 2).sum() for a in arrays)
    _check_penalty("l1_l2_penalty", l1_l2_penalty, lambda f, w: call_student(f, w, l1, l2),
                   expected, weights, l1, l2, lambda keras: keras.regularizers.L1L2(l1=l1, l2=l2))


def check_penalty_on_random_inputs(fn: Callable, kind: str, seeds: Sequence[int] = range(6)) -> None:
    """Random lists and single arrays, float32 and float64, several factors."""
    for n, seed in enumerate(seeds):  # the position picks the variant; the seed, the numbers
        rng = np.random.default_rng(500 + seed)
        weights = random_weights(seed, as_list=n % 3 != 0, dtype="float32" if n % 2 else "float64")
        l1, l2 = float(rng.uniform(1e-3, 0.1)), float(rng.uniform(1e-3, 0.1))
        if kind == "l1":
            check_l1_penalty(fn, weights, l1)
        elif kind == "l2":
            check_l2_penalty(fn, weights, l2)
        else:
            check_l1_l2_penalty(fn, weights, l1, l2)


def check_keras_default_factor(l2_penalty: Callable, weights: Any) -> None:
    """Keras's string regularizer 'l2' uses factor 0.01: l2_penalty(w, 0.01) must equal it."""
    keras = loaded_keras()
    if keras is None:
        return check_l2_penalty(l2_penalty, weights, 0.01)
    regularizer = keras.regularizers.get("l2")
    with quiet():
        expected = float(sum(float(np.asarray(regularizer(keras.ops.convert_to_tensor(a.astype(np.float32)))))
                         for a in _arrays(weights)))
    result = _scalar(call_student(l2_penalty, weights, 0.01), "l2_penalty")
    require(_close(result, expected, 1e-4),
            f"l2_penalty(weights, 0.01) returned {result:.6g}, but Keras's 'l2' string regularizer "
            f"(default factor 0.01) gives {expected:.6g}.")


# ---------------------------------------------------------------------------- l2_cost
def check_l2_cost(l2_cost: Callable, weights: Any, lambd: float, m: int) -> None:
    arrays = _arrays(weights)
    sq = sum((a ** 2).sum() for a in arrays)
    expected = lambd / (2 * m) * sq
    before = _copy(weights)
    result = _scalar(call_student(l2_cost, weights, lambd, m), "l2_cost")
    _require_unchanged(before, weights, "l2_cost")
    if _close(result, expected):
        return
    for value, message in [
        (lambd / m * sq, "uses lambda/m; the course-notes cost is lambda/(2m) * sum(w**2) (the 1/2 "
                         "makes its gradient (lambda/m) W)"),
        (lambd / 2 * sq, "forgets to divide by m, the number of training samples"),
        (lambd * sq, "forgets the factor 1/(2m)"),
        (lambd / (2 * m) * sum(np.sqrt((a ** 2).sum()) for a in arrays),
         "uses the Frobenius norm instead of its square"),
        (lambd / (2 * m) * (arrays[0] ** 2).sum(), "only the first array of the list counts; add "
                                                   "every array's squared entries"),
        (lambd / (2 * m) * sum(np.abs(a).sum() for a in arrays), "sums |w|; the L2 cost sums w**2"),
    ]:
        if _close(result, value, 1e-4):
            fail(f"l2_cost {message}.")
    fail(f"l2_cost(weights, lambd={lambd}, m={m}) returned {result:.6g}, expected "
         f"lambd / (2 * m) * sum(w**2) = {expected:.6g}.")


def check_l2_cost_on_random_inputs(l2_cost: Callable, seeds: Sequence[int] = range(6)) -> None:
    for n, seed in enumerate(seeds):  # the position picks the variant; the seed, the numbers
        rng = np.random.default_rng(700 + seed)
        check_l2_cost(l2_cost, random_weights(seed, as_list=n % 2 == 0, dtype="float64" if n % 3 else "float32"),
                      float(rng.uniform(0.01, 3)), int(rng.integers(1, 400)))


# ---------------------------------------------------------------------------- gradient and decay
def _array_result(value: Any, shape: tuple, name: str) -> np.ndarray:
    if isinstance(value, (tuple, list)):
        fail(f"{name} should return one array of the shape of W, got a {type(value).__name__}.")
    array = np.asarray(value, dtype=np.float64)
    if array.shape != shape:
        fail(f"{name} should return an array of W's shape {shape}, got shape {array.shape}.")
    return array


def _require_formula(name: str, result: np.ndarray, expected: np.ndarray, formula: str,
                     mistakes: list[tuple[np.ndarray, str]]) -> None:
    """``result`` equals ``expected`` (the contract's ``formula``); else the first mistaken formula it
    equals names the misconception."""
    if np.allclose(result, expected, rtol=RTOL, atol=1e-9):
        return
    for value, message in mistakes:
        if np.allclose(result, value, rtol=1e-4, atol=1e-9):
            fail(f"{name} {message}.")
    fail(f"{name} does not return {formula}.")


def check_l2_regularized_gradient(fn: Callable, dW: np.ndarray, W: np.ndarray, lambd: float, m: int) -> None:
    before = (dW.copy(), W.copy())
    result = _array_result(call_student(fn, dW, W, lambd, m), W.shape, "l2_regularized_gradient")
    require(np.array_equal(before[0], dW) and np.array_equal(before[1], W),
            "l2_regularized_gradient modified dW or W in place; return a new array.")
    _require_formula("l2_regularized_gradient", result, dW + (lambd / m) * W, "dW + (lambd / m) * W", [
        (dW - (lambd / m) * W, "the penalty term has the wrong sign: the gradient of "
                               "+lambda/(2m)||W||^2 is +(lambda/m) W"),
        (dW + lambd * W, "forgets to divide lambda by m"),
        (dW + lambd / (2 * m) * W, "uses lambda/(2m); differentiating lambda/(2m) w**2 gives (lambda/m) w"),
        ((lambd / m) * W, "forgets the data gradient dW"),
        (dW + 2 * lambd / m * W, "has a factor 2 too many: d/dw of lambda/(2m) w**2 is (lambda/m) w"),
    ])


def check_l2_regularized_gradient_on_random_inputs(fn: Callable, seeds: Sequence[int] = range(5)) -> None:
    for n, seed in enumerate(seeds):
        rng = np.random.default_rng(900 + seed)
        shape = (int(rng.integers(1, 7)), int(rng.integers(1, 7)))
        dtype = np.float32 if n % 2 else np.float64
        check_l2_regularized_gradient(fn, rng.normal(size=shape).astype(dtype),
                                      rng.normal(size=shape).astype(dtype),
                                      float(rng.uniform(0.05, 5)), int(rng.integers(2, 300)))


def check_weight_decay_step(fn: Callable, W: np.ndarray, dW: np.ndarray, learning_rate: float,
                            lambd: float, m: int) -> None:
    before = (W.copy(), dW.copy())
    result = _array_result(call_student(fn, W, dW, learning_rate, lambd, m), W.shape, "weight_decay_step")
    require(np.array_equal(before[0], W) and np.array_equal(before[1], dW),
            "weight_decay_step modified W or dW in place; return a new array.")
    a = learning_rate
    _require_formula("weight_decay_step", result, W * (1 - a * lambd / m) - a * dW,
                     "W * (1 - learning_rate * lambd / m) - learning_rate * dW", [
        (W * (1 - a * lambd / m), "forgets the data gradient: subtract learning_rate * dW too"),
        (W * (1 - a * lambd) - a * dW, "forgets to divide lambda by m in the decay factor"),
        (W * (1 + a * lambd / m) - a * dW, "grows the weights: the factor is (1 - learning_rate * lambd / m)"),
        (W * (1 - lambd / m) - a * dW, "forgets the learning rate in the decay factor"),
        (W * (1 - a * lambd / m) + a * dW, "steps up the gradient; subtract learning_rate * dW"),
        (W * (1 - a * lambd / (2 * m)) - a * dW, "uses lambda/(2m) in the decay factor; it is "
                                                 "learning_rate * lambd / m"),
        (W - a * dW, "does not decay the weights at all"),
    ])


def check_weight_decay_step_on_random_inputs(fn: Callable, seeds: Sequence[int] = range(5)) -> None:
    for n, seed in enumerate(seeds):
        rng = np.random.default_rng(1100 + seed)
        shape = (int(rng.integers(1, 7)), int(rng.integers(1, 7)))
        dtype = np.float32 if n % 2 else np.float64
        check_weight_decay_step(fn, rng.normal(size=shape).astype(dtype), rng.normal(size=shape).astype(dtype),
                                float(rng.uniform(0.001, 0.5)), float(rng.uniform(0.05, 5)),
                                int(rng.integers(2, 300)))


def check_decay_equals_gradient_step(weight_decay_step: Callable, seed: int = 0) -> None:
    """Claim 8: one gradient step on loss + lambda/(2m) ||W||^2 equals the student's decay step.

    The penalty's gradient is taken numerically (central differences), so this check does not
    depend on any other function of the student's.
    """
    rng = np.random.default_rng(1300 + seed)
    W, dW = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    lr, lambd, m = 0.1, 0.8, 20

    def penalty(weights: np.ndarray) -> float:
        return lambd / (2 * m) * float(np.sum(weights ** 2))

    step_size = 1e-6
    numeric = np.zeros_like(W)
    for index in np.ndindex(W.shape):
        shift = np.zeros_like(W)
        shift[index] = step_size
        numeric[index] = (penalty(W + shift) - penalty(W - shift)) / (2 * step_size)
    gradient_step = W - lr * (dW + numeric)
    decay = np.asarray(call_student(weight_decay_step, W, dW, lr, lambd, m), dtype=np.float64)
    require(decay.shape == W.shape and np.allclose(gradient_step, decay, rtol=1e-6, atol=1e-8),
            "one gradient step on loss + lambda/(2m) ||W||^2 (W - lr * (dW + (lambda/m) W)) differs "
            "from weight_decay_step(W, dW, lr, lambda, m); the two must be the same update: "
            "W (1 - lr*lambda/m) - lr*dW.")


# ---------------------------------------------------------------------------- max-norm
def check_max_norm(max_norm: Callable, w: np.ndarray, max_value: float, axis: int = 0) -> None:
    """``max_norm(w, max_value, axis=axis)`` equals ``keras.constraints.MaxNorm(max_value, axis)(w)``."""
    w = np.asarray(w)
    before = w.copy()
    result = _array_result(call_student(max_norm, w, max_value, axis=axis), w.shape, "max_norm")
    require(np.array_equal(before, w), "max_norm modified w in place; return a new array.")
    keras = import_keras()
    w32 = keras.ops.convert_to_tensor(w.astype(np.float32))
    with quiet():  # float32: well within the tolerance of 1e-5 the contract states
        expected = np.asarray(keras.constraints.MaxNorm(max_value=max_value, axis=axis)(w32), dtype=np.float64)
        other = (np.asarray(keras.constraints.MaxNorm(max_value=max_value, axis=1 - axis)(w32), dtype=np.float64)
                 if w.ndim == 2 else None)  # the norms along the wrong axis
    if np.allclose(result, expected, rtol=RTOL, atol=1e-6):
        return
    w64 = w.astype(np.float64)
    total = np.sqrt((w64 ** 2).sum())
    norms = np.sqrt((w64 ** 2).sum(axis=axis, keepdims=True))
    candidates = [
        (w64 * (min(total, max_value) / total), "rescales with the norm of the whole matrix; "
                                                "max-norm works per neuron: the norm along `axis` of each vector"),
        (w64 * (max_value / norms), "rescales every vector to norm max_value, even those already "
                                    "within the bound; only vectors whose norm exceeds max_value change"),
        (w64 * np.minimum(1.0, max_value / norms ** 2), "divides by the squared norm; divide by the norm"),
    ]
    if other is not None:
        candidates.append((other, "uses the wrong axis: the norms must be taken along `axis` (axis 0 of "
                                  "a Dense kernel: each unit's incoming weights, i.e. each column)"))
    for value, message in candidates:
        if np.allclose(result, value, rtol=1e-4, atol=1e-6):
            fail(f"max_norm {message}.")
    fail(f"max_norm(w, {max_value}, axis={axis}) differs from keras.constraints.MaxNorm"
         f"({max_value}, axis={axis}).")


def max_norm_matrix(seed: int, shape: tuple[int, int] = (6, 5), scale: float = 1.0) -> np.ndarray:
    """A kernel whose columns have norms on both sides of 1 * scale."""
    rng = np.random.default_rng(seed)
    w = rng.normal(size=shape)
    w /= np.sqrt((w ** 2).sum(axis=0, keepdims=True))
    column_norms = np.linspace(0.3, 2.5, shape[1]) * scale
    return (w * column_norms).astype(np.float32)


def check_max_norm_on_random_inputs(max_norm: Callable, seeds: Sequence[int] = range(4)) -> None:
    for n, seed in enumerate(seeds):  # the position picks the shape; the seed, the numbers
        w = max_norm_matrix(1500 + seed, shape=(4 + n, 3 + n))
        if n % 2:
            w = w.astype(np.float64)
        check_max_norm(max_norm, w, 1.0, axis=0)
        check_max_norm(max_norm, w.T.copy(), 1.0, axis=1)
        check_max_norm(max_norm, w, 3.0, axis=0)  # every column within the bound: unchanged


# ---------------------------------------------------------------------------- the model builder
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
