"""Chapter 06's NumPy network experiment (claim 19): the data, the training loop, the plots, the claim.

The network itself (forward pass, loss, backward pass, gradient check) is the student's: every
function here takes those functions as arguments (a :class:`NetworkFunctions`) and holds none of
them. The helpers are the parts that are not the exercise: He initialization, plain gradient descent,
accuracy, the decision-boundary plots and the claim's judging; the two-moons data is
:func:`course.data.load_moons`.

``python -m course.claims --claims 19`` measures claim 19 with the instructor's functions, the
solution cells of ``source/06-dropout`` (:func:`source_functions`); where ``source/`` is absent (a
student's copy, the grading sandbox), the claim says that it cannot be measured. The notebook
measures it with the student's own functions.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from course.data import Split, load_moons
from course.spread import Spread, labelled

SOURCE_NOTEBOOK = Path(__file__).resolve().parent.parent / "source" / "06-dropout" / "dropout.ipynb"
FUNCTION_NAMES = ("network_forward", "network_loss", "network_backward", "gradient_check")
GRADIENT_CHECK_LIMIT = 1e-7  # claim 19: the relative error without dropout stays below this


@dataclass(frozen=True)
class NetworkFunctions:
    """The student's network: ``forward(X, params, rate, rng, training)``, ``loss(probs, y, params, lambd)``,
    ``backward(y, params, cache, lambd, rate)`` and ``gradient_check(loss, params, grads, eps)``."""

    forward: Callable
    loss: Callable
    backward: Callable
    gradient_check: Callable


@dataclass(frozen=True)
class Setting:
    """One way of training: its name, the L2 factor lambda and the dropout rate."""

    name: str
    lambd: float = 0.0
    rate: float = 0.0


SETTINGS = (Setting("no regularization"), Setting("L2", lambd=0.7), Setting("dropout", rate=0.7))


def experiment_sizes(fast: bool | None = None) -> dict[str, object]:
    """Few training points, two wide hidden layers and many epochs: the unregularized net overfits."""
    from course import runtime

    fast = runtime.fast_mode(fast)
    return {"n_train": 40, "n_val": 1000, "noise": 0.3, "layer_sizes": (2, 64, 64, 1),
            "epochs": 1000 if fast else 4000, "learning_rate": 0.3}


def initialize_parameters(layer_sizes: Sequence[int], seed: int = 0) -> dict[str, np.ndarray]:
    """``W1, b1, ..., WL, bL``: He-normal weights of shape (inputs, units) and zero biases."""
    rng = np.random.default_rng(seed)
    params = {}
    for layer in range(1, len(layer_sizes)):
        fan_in, units = layer_sizes[layer - 1], layer_sizes[layer]
        params[f"W{layer}"] = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, units))
        params[f"b{layer}"] = np.zeros(units)
    return params


@dataclass
class TrainedNetwork:
    setting: Setting
    params: dict[str, np.ndarray]
    losses: list[float] = field(default_factory=list)  # training loss per epoch, dropout on
    train_accuracy: float = 0.0
    val_accuracy: float = 0.0

    @property
    def gap(self) -> float:
        """Training minus validation accuracy: how much the network overfits."""
        return self.train_accuracy - self.val_accuracy


def predict_probabilities(functions: NetworkFunctions, params: dict, X: np.ndarray) -> np.ndarray:
    """The network's probabilities of class 1 in inference mode (no dropout)."""
    probs, _ = functions.forward(X, params, 0.0, np.random.default_rng(0), False)
    return np.asarray(probs, dtype=np.float64).ravel()


def accuracy(functions: NetworkFunctions, params: dict, X: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((predict_probabilities(functions, params, X) > 0.5) == (y > 0.5)))


def train(functions: NetworkFunctions, data: Split, setting: Setting, seed: int = 0,
          layer_sizes: Sequence[int] = (2, 64, 64, 1), epochs: int = 4000,
          learning_rate: float = 0.3) -> TrainedNetwork:
    """Full-batch gradient descent with the student's forward and backward passes (a new dropout mask
    at every epoch, drawn from one generator seeded with ``seed``)."""
    params = initialize_parameters(layer_sizes, seed)
    rng = np.random.default_rng(10_000 + seed)
    losses = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # log(0) of a saturated sigmoid: the loss is only recorded
        for _ in range(epochs):
            probs, cache = functions.forward(data.x_train, params, setting.rate, rng, True)
            losses.append(float(functions.loss(probs, data.y_train, params, setting.lambd)))
            grads = functions.backward(data.y_train, params, cache, setting.lambd, setting.rate)
            params = {name: value - learning_rate * np.asarray(grads[name]) for name, value in params.items()}
    trained = TrainedNetwork(setting, params, losses)
    trained.train_accuracy = accuracy(functions, params, data.x_train, data.y_train)
    trained.val_accuracy = accuracy(functions, params, data.x_val, data.y_val)
    return trained


def train_all(functions: NetworkFunctions, seed: int = 0, fast: bool | None = None,
              settings: Sequence[Setting] = SETTINGS) -> tuple[Split, list[TrainedNetwork]]:
    """The three networks of the chapter (no regularization, L2, dropout) on the data of ``seed``."""
    sizes = experiment_sizes(fast)
    data = load_moons(seed, sizes["n_train"], sizes["n_val"], sizes["noise"])
    networks = [train(functions, data, setting, seed, sizes["layer_sizes"], sizes["epochs"], sizes["learning_rate"])
                for setting in settings]
    return data, networks


def gradient_check_error(functions: NetworkFunctions, seed: int = 0, rate: float = 0.0, lambd: float = 0.7,
                         eps: float = 1e-7, layer_sizes: Sequence[int] = (2, 16, 16, 1), n_samples: int = 40) -> float:
    """The student's gradient check of the student's backward pass on a freshly initialized network and the
    moons data of ``seed``; with dropout, the loss draws its masks from a generator re-seeded at every call,
    so that the masks stay fixed (the trap of section 3)."""
    data = load_moons(seed, n_samples, 1)
    params = initialize_parameters(layer_sizes, seed)
    params = {name: value + (0.1 if name.startswith("b") else 0.0) for name, value in params.items()}

    def loss(p: dict) -> float:
        probs, _ = functions.forward(data.x_train, p, rate, np.random.default_rng(seed), True)
        return float(functions.loss(probs, data.y_train, p, lambd))

    _, cache = functions.forward(data.x_train, params, rate, np.random.default_rng(seed), True)
    grads = functions.backward(data.y_train, params, cache, lambd, rate)
    return float(functions.gradient_check(loss, params, grads, eps))


def plot_decision_boundaries(data: Split, networks: Sequence[TrainedNetwork], functions: NetworkFunctions,
                             title: str | None = None) -> plt.Figure:
    """One panel per network: its predicted probability over the plane, the 0.5 boundary, the training
    points, and the accuracies."""
    import seaborn as sns

    both = np.vstack([data.x_train, data.x_val])
    (x_lo, y_lo), (x_hi, y_hi) = both.min(axis=0) - 0.4, both.max(axis=0) + 0.4
    xx, yy = np.meshgrid(np.linspace(x_lo, x_hi, 200), np.linspace(y_lo, y_hi, 200))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    fig, axes = plt.subplots(1, len(networks), figsize=(4.8 * len(networks), 4.4), sharey=True)
    palette = sns.color_palette("RdBu", 2)
    for ax, net in zip(np.atleast_1d(axes), networks):
        probs = predict_probabilities(functions, net.params, grid).reshape(xx.shape)
        ax.contourf(xx, yy, probs, levels=np.linspace(0, 1, 11), cmap="RdBu", alpha=0.35)
        ax.contour(xx, yy, probs, levels=[0.5], colors="black", linewidths=1.5)
        for label, color in zip((0, 1), palette):
            chosen = data.y_train == label
            ax.scatter(data.x_train[chosen, 0], data.x_train[chosen, 1], color=color, edgecolor="black", s=36,
                       label=f"class {label} (training)")
        ax.set_title(f"{net.setting.name}\ntrain {net.train_accuracy:.2f}, validation {net.val_accuracy:.2f}, "
                     f"gap {net.gap:+.2f}", fontsize=10)
        ax.set_xlabel("$x_1$")
    np.atleast_1d(axes)[0].set_ylabel("$x_2$")
    np.atleast_1d(axes)[0].legend(loc="lower left", fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def source_functions() -> NetworkFunctions | None:
    """The instructor's functions: the solution cells of chapter 06's source notebook, run as the kernel
    runs them (setup cell, then answer cells). ``None`` when ``source/`` is not there (a student's copy,
    the grading sandbox): the claim cannot be measured without a network."""
    if not SOURCE_NOTEBOOK.exists():
        return None
    import nbformat

    notebook = nbformat.read(SOURCE_NOTEBOOK, as_version=4)
    cells = [c for c in notebook.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade_id")]
    sources = [c.source for c in cells if c.metadata["nbgrader"]["grade_id"] == "setup"]
    sources += [c.source for c in cells if c.metadata["nbgrader"].get("solution")]
    namespace: dict = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for index, source in enumerate(sources):
            exec(compile(source, f"06-dropout cell {index}", "exec"), namespace)  # noqa: S102 - the instructor's notebook
    return NetworkFunctions(*(namespace[name] for name in FUNCTION_NAMES))


def gradient_check_and_overfitting_claim(seeds: Sequence[int], fast: bool, functions: NetworkFunctions | None = None
                                         ) -> tuple[bool, dict[str, float], str]:
    """Claim 19: the analytic gradient matches the numerical one (relative error below 1e-7) without
    dropout, and the L2 and dropout networks overfit the moons less than the unregularized one.

    For each seed: the gradient check (eps 1e-7, lambda 0.7, no dropout) on a fresh 2-16-16-1 network,
    then the three networks trained on 40 points of that seed's moons (validation: 1,000 points). Held
    when every seed's relative error is below 1e-7 and, in every seed, the train/validation accuracy gap
    of the L2 network and of the dropout network is smaller than the unregularized network's (a paired
    comparison on the same data and initial weights: the effect exceeds the spread over the seeds).
    ``functions`` default to the source notebook's solutions (:func:`source_functions`).
    """
    functions = functions or source_functions()
    if functions is None:
        return False, {}, (f"cannot be measured here: {SOURCE_NOTEBOOK} (the instructor's network) is absent; "
                           "the notebook measures it with your own functions")
    errors, errors_dropout, runs = [], [], []
    for seed in seeds:
        errors.append(gradient_check_error(functions, int(seed)))
        errors_dropout.append(gradient_check_error(functions, int(seed), rate=0.5))
        runs.append(train_all(functions, int(seed), fast)[1])
    names = [setting.name for setting in SETTINGS]
    key = {"no regularization": "none", "L2": "l2", "dropout": "dropout"}
    figures: dict[str, float] = {**Spread.of(errors).figures("gradient_check_error"),
                                 "gradient_check_log10_max": float(np.log10(max(errors))),
                                 "gradient_check_error_dropout_max": float(max(errors_dropout))}
    gaps = {}
    for index, name in enumerate(names):
        gaps[name] = np.array([run[index].gap for run in runs])
        figures.update(Spread.of(gaps[name]).figures(f"gap_{key[name]}"))
        figures.update(Spread.of(run[index].train_accuracy for run in runs).figures(f"train_accuracy_{key[name]}"))
        figures.update(Spread.of(run[index].val_accuracy for run in runs).figures(f"val_accuracy_{key[name]}"))
    smaller = {name: int(np.sum(gaps[name] < gaps["no regularization"])) for name in names[1:]}
    for name in names[1:]:
        figures[f"seeds_gap_smaller_{key[name]}"] = float(smaller[name])
        figures.update(Spread.of(gaps["no regularization"] - gaps[name]).figures(f"gap_reduction_{key[name]}"))
    gradient_ok = max(errors) < GRADIENT_CHECK_LIMIT
    held = bool(gradient_ok and all(count == len(seeds) for count in smaller.values()))
    summary = (f"gradient check (no dropout): relative error {Spread.of(errors).format('.2e')} (limit 1e-7; with a "
               f"fixed dropout mask at most {max(errors_dropout):.1e}); train/validation accuracy gap on the moons: "
               + labelled({name: Spread.of(gaps[name]) for name in names}, ".3f")
               + "; validation accuracy "
               + labelled({name: figures[f"val_accuracy_{key[name]}_mean"] for name in names}, ".3f")
               + "; gap smaller than without regularization in "
               + ", ".join(f"{smaller[name]}/{len(seeds)} seeds ({name})" for name in names[1:]))
    return held, figures, summary
