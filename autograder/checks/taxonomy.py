"""Checks for chapter 01 (ml-taxonomy): scenario answers and ``last_layer_for``.

The right scenario answers are not in this module: the hidden test cells pass them in, with
an explanation per scenario, so that a wrong answer is explained in the student's feedback.

``last_layer_for`` is checked twice over: its answer is compared with the accepted forms of
the contract (strings, Keras functions, Keras loss instances), each wrong pair failing with a
message that names the misconception; then a tiny Keras model is built and trained with the
returned activation and loss on bundled data, and its outputs and loss are checked against
an independent NumPy computation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from autograder.checks import CheckFailed, call_student, fail, require, train_in_order, value_error_of
from autograder.checks._common import quiet
from course.data import digit_multilabel_targets
from course.runtime import import_keras
from course.taxonomy import PROBLEM_TYPES  # the contract's problem types, as students read them

ACCEPTED: dict[str, tuple[set[str], set[str]]] = {
    "binary_classification": ({"sigmoid"}, {"binary_crossentropy"}),
    "multiclass_classification": ({"softmax"}, {"categorical_crossentropy",
                                                "sparse_categorical_crossentropy"}),
    "multilabel_classification": ({"sigmoid"}, {"binary_crossentropy"}),
    "scalar_regression": ({"linear"}, {"mean_squared_error"}),
    "regression_0_1": ({"sigmoid"}, {"mean_squared_error", "binary_crossentropy"}),
}
SHOWN_ACTIVATION = {"sigmoid": '"sigmoid"', "softmax": '"softmax"', "linear": 'None (or "linear")'}
SHOWN_LOSS = {
    "binary_crossentropy": '"binary_crossentropy"',
    "categorical_crossentropy": '"categorical_crossentropy"',
    "sparse_categorical_crossentropy": '"sparse_categorical_crossentropy"',
    "mean_squared_error": '"mse"',
}
LOSS_CLASSES = {
    "BinaryCrossentropy": "binary_crossentropy",
    "CategoricalCrossentropy": "categorical_crossentropy",
    "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
    "MeanSquaredError": "mean_squared_error",
    "MeanAbsoluteError": "mean_absolute_error",
    "BinaryFocalCrossentropy": "binary_focal_crossentropy",
    "CategoricalFocalCrossentropy": "categorical_focal_crossentropy",
    "Hinge": "hinge",
}
EPSILON = 1e-7  # Keras clips probabilities to [eps, 1 - eps] inside its crossentropies


# ---------------------------------------------------------------------------- scenario dicts
def _as_answer_dict(answer: Any, name: str) -> Mapping:
    if answer is None:
        fail(f"{name} is None: fill in the dict (and delete the `raise NotImplementedError()` line).")
    if not isinstance(answer, Mapping):
        fail(f"{name} should be a dict mapping scenario ids to answers, got {type(answer).__name__}.")
    return answer


def check_scenario_answer_shape(answer: Any, scenario_ids: Iterable[str],
                                allowed: Iterable[str], name: str) -> None:
    """Every scenario id is a key (no others), and every value is one of ``allowed``."""
    answer = _as_answer_dict(answer, name)
    ids, allowed = list(scenario_ids), list(allowed)
    missing = [s for s in ids if s not in answer]
    extra = [k for k in answer if k not in ids]
    problems = []
    if missing:
        problems.append(f"missing scenario ids: {missing}")
    if extra:
        problems.append(f"unknown keys (not scenario ids): {extra}")
    bad = {k: v for k, v in answer.items() if k in ids and v not in allowed}
    if bad:
        shown = ", ".join(f"{k}: {v!r}" for k, v in bad.items())
        hint = ""
        if any(v is None for v in bad.values()):
            hint = " Replace every None with your answer."
        elif any(isinstance(v, str) and v.strip().lower().replace("_", " ") in
                 {a.replace("-", " ") for a in allowed} | set(allowed) for v in bad.values()):
            hint = " Spell the answers exactly as listed (lower case, same hyphens and spaces)."
        problems.append(f"values that are not allowed answers: {shown}.{hint}")
    if problems:
        fail(f"{name}: " + "; ".join(problems) + f". Allowed answers: {allowed}.")


def check_scenario_answers(answer: Any, expected: Mapping[str, tuple[str, str]], name: str) -> None:
    """Compare ``answer`` with ``expected`` (id -> (right answer, explanation)) on those ids.

    The failure message lists every wrong scenario of ``expected`` with the right answer and
    why, so one run shows all the mistakes of the group.
    """
    answer = _as_answer_dict(answer, name)
    wrong = []
    for scenario, (right, why) in expected.items():
        if scenario not in answer:
            wrong.append(f"- {scenario}: missing (expected {right}: {why})")
        elif answer[scenario] != right:
            wrong.append(f"- {scenario}: you answered {answer[scenario]!r}; it is {right} — {why}")
    if wrong:
        fail(f"{name}: {len(wrong)} of {len(expected)} scenarios in this group are placed wrong:\n"
             + "\n".join(wrong))


# ---------------------------------------------------------------------------- last_layer_for: answers
def _is_loss(value: Any) -> bool:
    keras = import_keras()
    if isinstance(value, keras.losses.Loss):
        return True
    try:
        return isinstance(value, str) and keras.losses.get(value) is not None
    except Exception:  # noqa: BLE001 - Keras's lookup raises varied types for an unknown name
        return False


def activation_name(activation: Any) -> str:
    """Canonical name of an activation given as None, a string or a Keras function."""
    if activation is None:
        return "linear"
    keras = import_keras()
    if _is_loss(activation):
        shown = repr(activation) if isinstance(activation, str) else type(activation).__name__
        fail(f"The activation is {shown}, which is a loss: return the pair in the order "
             "(activation, loss).")
    try:
        resolved = keras.activations.get(activation)
    except Exception:  # noqa: BLE001 - Keras's lookup raises varied types for an unusable value
        shown = repr(activation) if isinstance(activation, str) else type(activation).__name__
        fail(f"Keras cannot use {shown} as an activation. Return a name such as \"sigmoid\" "
             "(lower case), None, or a function from keras.activations.")
    return getattr(resolved, "__name__", type(resolved).__name__).lower()


def loss_name(loss: Any) -> str:
    """Canonical name of a loss given as a string, a Keras loss function or a loss instance."""
    keras = import_keras()
    if isinstance(loss, keras.losses.Loss):
        name = LOSS_CLASSES.get(type(loss).__name__)
        if name is None:
            wrapped = getattr(loss, "fn", None)
            name = getattr(wrapped, "__name__", type(loss).__name__)
        config = loss.get_config()
        if config.get("from_logits"):
            fail(f"{type(loss).__name__}(from_logits=True) expects raw scores (logits), but the "
                 "last layer already applies its activation: the probabilities would be squashed "
                 "twice. Use the default from_logits=False with this contract's activations.")
        if config.get("label_smoothing"):
            fail(f"{type(loss).__name__} with label_smoothing={config['label_smoothing']} changes "
                 "the targets; the contract asks for the plain loss.")
        return name
    if loss is None:
        fail("The loss is None: a model cannot be compiled without a loss.")
    try:
        resolved = keras.losses.get(loss)
    except Exception:  # noqa: BLE001 - Keras's lookup raises varied types for an unusable value
        shown = repr(loss) if isinstance(loss, str) else type(loss).__name__
        fail(f"Keras cannot use {shown} as a loss. Return a name such as "
             "\"binary_crossentropy\", a function from keras.losses, or a keras.losses instance.")
    if resolved is None:
        fail(f"Keras cannot use {loss!r} as a loss.")
    return getattr(resolved, "__name__", type(resolved).__name__)


def _misconception(problem_type: str, activation: str, loss: str) -> str:
    """Why (activation, loss) is wrong for problem_type: the likely misunderstanding."""
    regression = problem_type in ("scalar_regression", "regression_0_1")
    if problem_type == "multilabel_classification" and activation == "softmax":
        return ("softmax makes the labels compete: its outputs sum to 1, so two labels cannot "
                "both be near 1. Multilabel needs one independent sigmoid per label.")
    if problem_type == "multilabel_classification" and "categorical" in loss:
        return ("categorical crossentropy assumes exactly one true class per sample; with "
                "several labels per sample, each label is its own yes/no question: binary "
                "crossentropy on independent sigmoids.")
    if problem_type == "multiclass_classification" and activation == "sigmoid":
        return ("independent sigmoids do not sum to 1: in single-label multiclass the classes "
                "compete for one probability mass, which is what softmax gives.")
    if problem_type == "multiclass_classification" and loss == "binary_crossentropy":
        return ("binary crossentropy scores each class as a separate yes/no question (that is "
                "multilabel); one label among N classes needs categorical crossentropy "
                "(sparse_categorical_crossentropy for integer labels).")
    if problem_type == "binary_classification" and activation == "softmax":
        return ("softmax over the single output unit of a binary classifier always outputs 1.0, "
                "whatever the input; one unit with a sigmoid gives the probability of class 1.")
    if problem_type == "binary_classification" and loss == "mean_squared_error":
        return ("sigmoid + mse trains, but weakly: the output is a probability, and binary "
                "crossentropy (the distance between the predicted and the true distribution) "
                "punishes confident mistakes much harder and keeps the gradients large.")
    if problem_type == "binary_classification" and "categorical" in loss:
        return ("categorical crossentropy on a single output unit sums over one 'class' only "
                "and does not measure the error of a yes/no probability; use binary crossentropy.")
    if problem_type == "scalar_regression" and activation != "linear":
        bound = {"sigmoid": "into (0, 1)", "relu": "to values >= 0", "tanh": "into (-1, 1)",
                 "softmax": "into (0, 1), summing to 1"}.get(activation, "into a limited range")
        return (f"{activation} squashes the outputs {bound}, so the model could never predict "
                "a value outside that range (a price of 250, a negative change); regression to "
                "arbitrary values needs no activation.")
    if problem_type == "regression_0_1" and activation == "linear":
        return ("without an activation the model can predict values outside [0, 1]; a sigmoid "
                "keeps every prediction in range.")
    if problem_type == "regression_0_1" and activation == "softmax":
        return ("softmax over one output unit always outputs 1.0; a single sigmoid maps to (0, 1).")
    if regression and "crossentropy" in loss and loss != "binary_crossentropy":
        return (f"{loss} is a loss for class probabilities; regression compares numbers: mse.")
    if regression and loss == "binary_crossentropy":
        return ("binary crossentropy needs targets and predictions in [0, 1]; for arbitrary "
                "values use mse.")
    if regression and loss in ("mean_absolute_error", "mean_absolute_percentage_error", "huber"):
        return (f"{loss} can train a regressor and MAE is a good metric, but this contract asks "
                "for the standard regression loss: mse.")
    if not regression and loss in ("mean_squared_error", "mean_absolute_error"):
        return (f"{loss} is a regression loss; classifiers output probabilities and are trained "
                "with crossentropy.")
    if not regression and activation in ("linear", "relu", "tanh"):
        return (f"a {activation} output is not a probability; classifiers end with "
                "sigmoid (independent yes/no outputs) or softmax (one class among N).")
    return "this pair does not match the problem type."


def _expected_text(problem_type: str) -> str:
    acts, losses = ACCEPTED[problem_type]
    return (" or ".join(SHOWN_ACTIVATION[a] for a in sorted(acts)) + " with "
            + " or ".join(SHOWN_LOSS[name] for name in sorted(losses)))


def last_layer_answer(fn: Callable, problem_type: str) -> tuple[Any, Any, str, str]:
    """Call ``fn(problem_type)`` and check its pair; return raw and canonical forms."""
    where = f"last_layer_for({problem_type!r})"
    result = call_student(fn, problem_type)
    if isinstance(result, (str, bytes)) or not isinstance(result, (tuple, list)) or len(result) != 2:
        fail(f"{where} should return a pair (activation, loss), got {result!r}.")
    activation, loss = result
    act, los = activation_name(activation), loss_name(loss)
    acts, losses = ACCEPTED[problem_type]
    if act not in acts or los not in losses:
        fail(f"{where} returned activation {act!r} with loss {los!r}: "
             f"{_misconception(problem_type, act, los)} Expected {_expected_text(problem_type)}.")
    return activation, loss, act, los


def check_last_layer_answer(fn: Callable, problem_type: str) -> None:
    """The pair returned for problem_type is one of the accepted forms."""
    last_layer_answer(fn, problem_type)


def check_last_layer_rejects_unknown(fn: Callable, bad_types: Iterable[Any]) -> None:
    """Each unknown problem type raises ValueError whose message names the valid types."""
    for bad in bad_types:
        where = f"last_layer_for({bad!r})"
        error, result = value_error_of(lambda bad=bad: fn(bad), "last_layer_for", where, "unknown problem type")
        if error is not None:
            text = str(error)
            missing = [t for t in PROBLEM_TYPES if t not in text]
            require(not missing, f"{where} raised ValueError, but its message should name the "
                                 f"valid problem types; it does not mention {missing}. "
                                 f"Message: {text!r}")
            continue
        fail(f"{where} should raise ValueError naming the valid types, but returned {result!r}. "
             "A silent default hides typos: 'multi_label' would quietly train the wrong model.")


# ---------------------------------------------------------------------------- last_layer_for: training
def _standardize(x: np.ndarray) -> np.ndarray:
    return ((x - x.mean(axis=0)) / (x.std(axis=0) + 1e-8)).astype(np.float32)


def training_data(problem_type: str, loss: str, n_samples: int = 160) -> tuple[np.ndarray, np.ndarray, int]:
    """A tiny bundled data set for problem_type, labels shaped as ``loss`` needs; and the unit count."""
    from course.data import load_arrays

    if problem_type == "binary_classification":
        x, y = load_arrays("breast_cancer")
        return _standardize(x[:n_samples]), y[:n_samples, None].astype(np.float32), 1
    if problem_type == "multiclass_classification":
        x, y = load_arrays("digits")
        x, y = x[:n_samples], y[:n_samples]
        if loss == "sparse_categorical_crossentropy":
            return x, y.astype(np.int64), 10
        return x, np.eye(10, dtype=np.float32)[y], 10
    if problem_type == "multilabel_classification":
        x, y = load_arrays("digits")
        x, y = x[:n_samples], y[:n_samples]
        labels = digit_multilabel_targets(y)  # (is_even, is_greater_than_4)
        return x, labels, 2
    x, y = load_arrays("diabetes")
    x, y = _standardize(x[:n_samples]), y[:n_samples, None].astype(np.float32)
    if problem_type == "regression_0_1":
        y = (y - y.min()) / (y.max() - y.min())
    return x, y, 1


def expected_loss(loss: str, y: np.ndarray, p: np.ndarray) -> float:
    """The mean loss computed with NumPy, independently of Keras's compiled loss."""
    p = np.asarray(p, dtype=np.float64)
    if loss == "mean_squared_error":
        return float(np.mean((y.astype(np.float64) - p) ** 2))
    q = np.clip(p, EPSILON, 1 - EPSILON)
    if loss == "binary_crossentropy":
        y = y.astype(np.float64)
        return float(np.mean(-(y * np.log(q) + (1 - y) * np.log(1 - q))))
    if loss == "sparse_categorical_crossentropy":
        return float(np.mean(-np.log(q[np.arange(len(y)), y])))
    if loss == "categorical_crossentropy":
        return float(np.mean(-np.sum(y * np.log(q), axis=1)))
    raise ValueError(f"no reference computation for loss {loss!r}")


def check_last_layer_trains(fn: Callable, problem_type: str, epochs: int = 3, seed: int = 0) -> None:
    """Build, compile and train a tiny model with the returned pair; check outputs and loss."""
    keras = import_keras()
    activation, loss, act, los = last_layer_answer(fn, problem_type)
    x, y, units = training_data(problem_type, los)
    where = f"A model ending in Dense({units}, activation={activation!r}) compiled with loss={loss!r}"
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input(shape=(x.shape[1],)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(units, activation=activation),
    ])
    try:
        with quiet():
            # eager: on 160 samples, tracing a graph costs more than the 15 steps it would speed up
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss=loss, run_eagerly=True)
            losses = train_in_order(model, x, y, epochs=epochs, batch_size=32)
            evaluated = model.test_on_batch(x, y)
            p = keras.ops.convert_to_numpy(model.predict_on_batch(x))
    except CheckFailed:
        raise
    except Exception as error:  # noqa: BLE001 - any crash of the student's model is the student's failure
        fail(f"{where} could not be trained on {problem_type} data: "
             f"{type(error).__name__}: {str(error)[:300]}")
    require(all(np.isfinite(losses)), f"{where}: the training loss became {losses}, not finite.")
    require(losses[-1] < losses[0], f"{where}: the training loss did not decrease over "
                                    f"{epochs} epochs: {np.round(losses, 4).tolist()}.")
    # outputs: probabilities where they must be, no squashing for regression
    if act in ("sigmoid", "softmax"):
        require(np.all((p >= 0) & (p <= 1)), f"{where}: outputs outside [0, 1].")
    if act == "softmax":
        require(np.allclose(p.sum(axis=1), 1, atol=1e-4),
                f"{where}: the rows of the outputs do not sum to 1.")
    if act == "sigmoid" and units > 1:
        require(not np.allclose(p.sum(axis=1), 1, atol=1e-3),
                f"{where}: the outputs of independent sigmoids should not be tied to sum to 1.")
    if act == "linear":
        hidden_w, hidden_b = model.layers[0].get_weights()
        out_w, out_b = model.layers[1].get_weights()
        z = np.maximum(x @ hidden_w + hidden_b, 0) @ out_w + out_b
        require(np.allclose(p, z, rtol=1e-3, atol=1e-3),
                f"{where}: the outputs are not the raw weighted sums; a regression to arbitrary "
                "values must not squash them.")
    # the compiled loss is the loss the contract names, measured independently
    reference = expected_loss(los, y, p)
    evaluated = float(np.ravel(evaluated)[0])
    require(np.isclose(evaluated, reference, rtol=2e-3, atol=1e-4),
            f"{where}: Keras reports a loss of {evaluated:.5f}, but {los} computed directly on "
            f"the predictions is {reference:.5f}. The loss is configured differently from the "
            "plain contract loss (reduction? from_logits? a custom function?).")
