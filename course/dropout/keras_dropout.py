"""Chapter 06: Keras's ``Dropout`` layer against the claims.

- Claim 7 (inverted dropout keeps the expected activation; the identity at inference), with
  Keras's ``Dropout`` layer; :func:`expected_activation_table` adds the student's NumPy
  ``dropout_forward`` (taken as an argument).
- Claim 6 (dropout delays overfitting), measured on chapter 05's comparison runs
  (:func:`course.regularization.run_comparison`, models "baseline" and "dropout").
- Claim 17 (validation loss is U-shaped in the dropout rate): :func:`dropout_sweep`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from course import fashion, runtime
from course.spread import consistently_positive, every_seed, figures_of, paired_effect
from course.sweeps import is_u_shaped, sweep_figures


def _keras_dropout(a: np.ndarray, rate: float, seed: int, training: bool) -> np.ndarray:
    keras = runtime.import_keras()
    with runtime.quiet_native_stderr():
        layer = keras.layers.Dropout(rate, seed=seed)
        return np.asarray(layer(keras.ops.convert_to_tensor(a), training=training))


def expected_activation_table(forward: Callable | None, rates: Sequence[float] = (0.2, 0.5),
                              size: int = 1_000_000, seed: int = 0) -> pd.DataFrame:
    """Mean output / mean input of Keras's ``Dropout`` and of ``forward`` on positive activations.

    ``forward(a, rate, rng, training)`` is a NumPy inverted dropout (the notebook passes the
    student's ``dropout_forward``); ``None`` gives Keras's rows only. Each row also holds the
    standard error of the ratio (from the data), the share of entries kept, and whether
    inference mode returned the input exactly.
    """
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.0, 1.0, size=(size // 1000, 1000)).astype(np.float32)
    rows = []
    for rate in rates:
        # sd of the mean of a*m/(1-rate), relative to mean(a): sqrt(E[a^2] rate/(1-rate) / n) / E[a]
        std_error = float(np.sqrt(np.mean(a.astype(np.float64) ** 2) * rate / (1 - rate) / a.size)
                          / np.mean(a, dtype=np.float64))
        outputs = [("keras Dropout", _keras_dropout(a, rate, seed, training=True),
                    _keras_dropout(a, rate, seed, training=False))]
        if forward is not None:
            # the masks' generator must not be the one that drew a (the same stream would correlate them)
            out, _ = forward(a, rate, np.random.default_rng([seed, 1]), training=True)
            infer, _ = forward(a, rate, np.random.default_rng([seed, 1]), training=False)
            outputs.append(("NumPy", np.asarray(out), np.asarray(infer)))
        for source, train_out, infer_out in outputs:
            rows.append({
                "implementation": source, "rate": rate,
                "mean ratio": float(np.mean(train_out, dtype=np.float64) / np.mean(a, dtype=np.float64)),
                "std error": std_error,
                "kept share": float(np.mean(train_out != 0)),
                "identity at inference": bool(np.array_equal(infer_out, a)),
            })
    return pd.DataFrame(rows)


def inverted_dropout_sizes(fast: bool | None = None) -> dict[str, int]:
    fast = runtime.fast_mode(fast)
    return {"size": 200_000 if fast else 1_000_000}


def inverted_dropout_expectation_claim(seeds: Sequence[int], fast: bool) -> tuple[bool, dict[str, float], str]:
    """Claim 7: inverted dropout keeps the expected activation; at inference it is the identity.

    For each seed and rate (0.2 and 0.5), Keras's ``Dropout`` (an inverted dropout) is applied in
    training mode to ``size`` positive activations drawn with that seed. Held when every ratio
    mean(output) / mean(input) is within 6 standard errors of 1 (the standard error is computed
    from the data) and every inference-mode output equals its input exactly. (The notebook's
    table adds the student's NumPy ``dropout_forward``: :func:`expected_activation_table`.)
    """
    size = inverted_dropout_sizes(fast)["size"]
    tables = [expected_activation_table(None, rates=(0.2, 0.5), size=size, seed=int(seed)) for seed in seeds]
    table = pd.concat(tables, ignore_index=True)
    deviation = (table["mean ratio"] - 1).abs() / table["std error"]
    held = bool((deviation <= 6).all() and table["identity at inference"].all())
    figures = {
        "mean_ratio_keras": float(table["mean ratio"].mean()),
        "max_abs_ratio_minus_1": float((table["mean ratio"] - 1).abs().max()),
        "max_deviation_in_std_errors": float(deviation.max()),
        "inference_identity_share": float(table["identity at inference"].mean()),
        "activations_per_run": float(size),
    }
    summary = (f"mean(output)/mean(input) of Keras's Dropout in training mode: {figures['mean_ratio_keras']:.4f} "
               f"(largest deviation from 1: {figures['max_abs_ratio_minus_1']:.4f} = "
               f"{figures['max_deviation_in_std_errors']:.1f} standard errors, {size:,} activations, rates 0.2 "
               f"and 0.5); inference mode returned the input exactly in "
               f"{table['identity at inference'].sum()}/{len(table)} runs")
    return held, figures, summary


# ---------------------------------------------------------------------------- claims 6 and 17
DROPOUT_SWEEP = (0.0, 0.2, 0.5, 0.7, 0.9)  # claim 17: from no dropout to nearly every unit off


def comparison_run(seed: int = 0, fast: bool | None = None, task: str = "fashion"):
    """Chapter 05's comparison for ``seed`` with the "baseline" and "dropout" models.

    The runs are cached by :func:`course.fashion.train`, so when claims 3-5 (or the chapter 05
    notebook) already trained them in this process they are not trained again.
    """
    from course import regularization

    return regularization.run_comparison(seed, fast, names=("baseline", "dropout"), task=task)


def dropout_delays_overfitting_claim(seeds: Sequence[int], fast: bool) -> tuple[bool, dict[str, float], str]:
    """Claim 6: dropout delays overfitting (later lowest validation loss, lower final one).

    Measured on chapter 05's comparison: the "baseline" and "dropout" models share architecture,
    data and initial seed. Held when, in every seed, dropout's best epoch is later than the
    baseline's and its validation cross-entropy at the end of training is lower.
    """
    runs = [comparison_run(int(seed), fast) for seed in seeds]
    base = [r.runs["baseline"] for r in runs]
    drop = [r.runs["dropout"] for r in runs]
    later = [d.best_epoch > b.best_epoch for b, d in zip(base, drop)]
    spreads = {(label, figure): fashion.spread_of(group, figure)
               for label, group in (("baseline", base), ("dropout", drop))
               for figure in ("best_epoch", "end_val_ce", "min_val_ce", "end_val_accuracy")}
    gain = paired_effect(spreads["baseline", "end_val_ce"], spreads["dropout", "end_val_ce"])
    held = every_seed(later) and consistently_positive(gain)
    figures = {"epochs": float(len(base[0].val_ce)), "seeds_dropout_best_later": float(sum(later)),
               **gain.figures("dropout_lower_by")}
    figures.update(figures_of({f"{figure}_{label}": spread for (label, figure), spread in spreads.items()}))
    summary = (f"lowest validation loss at epoch {spreads['baseline', 'best_epoch'].format('.1f')} (baseline) vs "
               f"{spreads['dropout', 'best_epoch'].format('.1f')} (dropout), later in {sum(later)}/{len(runs)} seeds; "
               f"validation cross-entropy at the end {spreads['baseline', 'end_val_ce']} vs "
               f"{spreads['dropout', 'end_val_ce']} (lower by {gain}, paired); accuracy at the end "
               f"{spreads['baseline', 'end_val_accuracy']} vs {spreads['dropout', 'end_val_accuracy']} "
               f"({int(figures['epochs'])} epochs)")
    return held, figures, summary


def dropout_sweep(seeds: Sequence[int], fast: bool | None = None, rates: Sequence[float] = DROPOUT_SWEEP,
                  verbose: int = 0) -> pd.DataFrame:
    """One row per (rate, seed): final validation cross-entropy and accuracy of the 512-512 network
    with ``Dropout(rate)`` after each hidden layer."""
    size = fashion.task_size(fast)
    rows = []
    for rate in rates:
        for seed in seeds:
            run = fashion.train(fashion.NetworkSpec(dropout=float(rate)), seed, size, verbose=verbose)
            rows.append({"dropout rate": float(rate), "seed": int(seed), "val crossentropy": run.end_val_ce,
                         "val accuracy": run.end_val_accuracy, "best epoch": run.best_epoch})
    return pd.DataFrame(rows)


def dropout_rate_u_shape_claim(seeds: Sequence[int], fast: bool) -> tuple[bool, dict[str, float], str]:
    """Claim 17: validation loss is U-shaped in the dropout rate (see
    :func:`course.sweeps.is_u_shaped`)."""
    frame = dropout_sweep(seeds, fast)
    losses, figures, summary = sweep_figures(frame, "dropout rate", lambda rate: fashion.NetworkSpec(dropout=rate),
                                             fast, "best_rate")
    return is_u_shaped(losses), figures, summary
