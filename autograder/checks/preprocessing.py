"""Checks for chapter 03 (preprocessing): vectorization, standardization, missing values and
the clock-angle feature.

Each check compares a student's function with an oracle (``keras.utils.to_categorical`` when
Keras is loaded, scikit-learn's ``StandardScaler`` fit on the training data, NumPy) on inputs
that make the usual mistakes visible (repeated indices, labels that leave classes unused, a
test set whose distribution differs from the training set, hands in every quadrant), then
names the mistake that the wrong output matches. Random inputs come from seeds the test cells
pass in (fixed in the notebook, drawn at grading time: ``autograder.checks.hidden_seeds``);
nothing depends on the student's random stream. The oracles run inside the checks, which return
nothing: no function here gives a graded function's answer (a student's code can import this
module).
"""

from __future__ import annotations

import copy
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.preprocessing import StandardScaler

from autograder.checks import CheckFailed, call_student, fail, require  # noqa: F401

TWO_PI = 2 * np.pi


# ---------------------------------------------------------------------------- shared helpers
def _as_array(value: Any, what: str) -> np.ndarray:
    if isinstance(value, tuple):
        fail(f"{what} should be one NumPy array, got a tuple of {len(value)} items.")
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001 - a student's value may raise anything on conversion
        fail(f"{what} should be a NumPy array, got {type(value).__name__}.")
    if array.dtype == object:
        fail(f"{what} should be a numeric NumPy array, got an array of Python objects "
             "(ragged rows?).")
    return array


def _pair(value: Any, what: str) -> tuple[Any, Any]:
    try:
        first, second = value
    except (TypeError, ValueError):
        fail(f"{what} should return a pair of arrays, got {type(value).__name__}.")
    return first, second


def _require_unchanged(before: Sequence[np.ndarray], after: Sequence[np.ndarray], names: Sequence[str],
                       where: str) -> None:
    for b, a, name in zip(before, after, names):
        if not np.array_equal(b, a, equal_nan=np.issubdtype(np.asarray(b).dtype, np.floating)):
            fail(f"{where} modified its input `{name}` in place. The caller's data must stay as it "
                 f"was: work on a copy (for example `{name}.copy()`, or `a = a - mean` instead of "
                 "`a -= mean`).")


def _first_bad_row(result: np.ndarray, expected: np.ndarray) -> int:
    bad = np.flatnonzero(np.any(~np.isclose(result, expected), axis=tuple(range(1, result.ndim))))
    return int(bad[0]) if bad.size else -1


# ---------------------------------------------------------------------------- vectorize_sequences
def check_vectorize_sequences(fn: Callable, sequences: Sequence[Sequence[int]], dimension: int) -> None:
    """Multi-hot: float32 (n, dimension), 1.0 at every index present (repeats still 1.0)."""
    where = f"vectorize_sequences(<{len(sequences)} sequences>, {dimension})"
    given = copy.deepcopy(sequences)
    if any(len(s) == 0 for s in sequences):
        try:
            raw = fn(given, dimension)
        except NotImplementedError:
            fail("vectorize_sequences is not implemented yet: it still raises NotImplementedError.")
        except Exception as error:  # noqa: BLE001 - any crash of student code is the student's failure
            fail(f"{where} raised {type(error).__name__}: {error}. The batch holds an empty "
                 "sequence, which must give a row of zeros. `np.array([])` is a float64 array, "
                 "which cannot index; loop over the indices, or use list(sequence) or "
                 "np.asarray(sequence, dtype=int).")
    else:
        raw = call_student(fn, given, dimension)
    result = _as_array(raw, f"the result of {where}")
    expected = np.zeros((len(sequences), dimension), dtype=np.float32)
    for row, sequence in enumerate(sequences):
        expected[row, [int(index) for index in sequence]] = 1.0
    n = len(sequences)
    if result.shape != expected.shape:
        if result.shape == (dimension, n):
            fail(f"{where} returned shape {result.shape}; expected {expected.shape}. Rows and "
                 "columns are swapped: one ROW per sequence, one column per possible index.")
        if result.ndim == 2 and result.shape[0] == n:
            fail(f"{where} returned {result.shape[1]} columns; expected dimension = {dimension}. "
                 "The width is the `dimension` argument, not the largest index seen + 1: another "
                 "batch may hold indices this one lacks, and the model needs a fixed input size.")
        fail(f"{where} returned shape {result.shape}; expected {expected.shape}.")
    if result.dtype != np.float32:
        kind = "a boolean" if result.dtype == bool else f"a {result.dtype}"
        fail(f"{where} returned {kind} array; the contract asks for float32 (networks take float "
             "tensors, and float64 doubles the memory): create it with dtype='float32' or "
             "convert with .astype('float32').")
    if np.array_equal(result, expected):
        return
    if np.any(result > 1):
        fail(f"{where}: some entries are larger than 1 ({result.max():g}). An index that occurs "
             "several times in a sequence must still give 1.0 (multi-hot marks presence, it does "
             "not count occurrences): assign 1.0 instead of adding 1.")
    if np.array_equal(result, np.roll(expected, -1, axis=1)):
        fail(f"{where}: the 1.0s sit one column to the left of the word indices (index j at "
             "column j - 1). The indices are already 0-based: put index j in column j.")
    row = _first_bad_row(result, expected)
    fail(f"{where}: row {row} (sequence {list(np.asarray(sequences[row]).tolist())}) has 1.0 at "
         f"columns {np.flatnonzero(result[row]).tolist()}, expected "
         f"{np.flatnonzero(expected[row]).tolist()}.")


def check_vectorize_empty_sequence(fn: Callable) -> None:
    """An empty sequence (a plain empty list) gives a row of zeros."""
    sequences = [[2, 0], [], [1, 1, 3]]
    try:
        fn(copy.deepcopy(sequences), 5)
    except NotImplementedError:
        fail("vectorize_sequences is not implemented yet: it still raises NotImplementedError.")
    except Exception as error:  # noqa: BLE001 - any crash of student code is the student's failure
        fail(f"vectorize_sequences({sequences}, 5) raised {type(error).__name__}: {error}. An "
             "empty sequence must give a row of zeros. `np.array([])` is a float64 array, which "
             "cannot index; loop over the indices, or use list(sequence) or "
             "np.asarray(sequence, dtype=int).")
    check_vectorize_sequences(fn, sequences, 5)


def random_sequences(seed: int, n: int, dimension: int, max_length: int = 12,
                     as_arrays: bool = False) -> list:
    """``n`` random sequences with repeats and some empty ones (seeded)."""
    rng = np.random.default_rng(seed)
    sequences = []
    for _ in range(n):
        length = int(rng.integers(0, max_length + 1))
        seq = rng.integers(0, dimension, length)
        sequences.append(seq if as_arrays else seq.tolist())
    return sequences


# ---------------------------------------------------------------------------- to_one_hot
def check_to_one_hot(fn: Callable, labels: Sequence[int], num_classes: int) -> None:
    """float32 (n, num_classes) with 1.0 at column labels[i], as keras.utils.to_categorical."""
    shown = list(np.asarray(labels).tolist())
    where = f"to_one_hot({shown if len(shown) <= 8 else f'<{len(shown)} labels>'}, {num_classes})"
    result = _as_array(call_student(fn, copy.deepcopy(labels), num_classes), f"the result of {where}")
    codes = np.asarray(labels, dtype=np.int64)
    if "keras" in sys.modules:  # the contract's own definition, when Keras is loaded
        expected = np.asarray(sys.modules["keras"].utils.to_categorical(codes, num_classes), dtype=np.float32)
    else:
        expected = np.eye(num_classes, dtype=np.float32)[codes]
    if result.shape != expected.shape:
        if result.ndim == 2 and result.shape[0] == len(expected) and result.shape[1] == max(shown) + 1:
            fail(f"{where} returned {result.shape[1]} columns; expected num_classes = {num_classes}. "
                 "The width comes from num_classes, not from the largest label present: a batch "
                 "may lack the last classes.")
        if result.shape == expected.shape[::-1]:
            fail(f"{where} returned shape {result.shape}; expected {expected.shape}: one row "
                 "per label, one column per class.")
        fail(f"{where} returned shape {result.shape}; expected {expected.shape} "
             "(one row per label, num_classes columns).")
    if result.dtype != np.float32:
        kind = {True: "boolean"}.get(result.dtype == bool, str(result.dtype))
        fail(f"{where} returned a {kind} array; keras.utils.to_categorical gives float32, and "
             "the contract asks for float32: use dtype='float32' or .astype('float32').")
    if np.array_equal(result, expected):
        return
    if np.array_equal(result, np.roll(expected, -1, axis=1)):
        fail(f"{where}: every 1.0 sits one column to the left (label k at column k - 1, label 0 "
             "wrapping to the last column). Labels are 0-based: put label k in column k.")
    ranks = np.unique(np.asarray(labels), return_inverse=True)[1].ravel()
    if len(ranks) and np.array_equal(result, np.eye(num_classes, dtype=np.float32)[ranks]):
        fail(f"{where}: the columns follow the rank of each label among the labels present "
             "(np.unique), not the label itself. Label k must be column k even when some "
             "classes do not occur in this batch.")
    row = _first_bad_row(result, expected)
    fail(f"{where}: row {row} (label {shown[row]}) is {result[row].tolist()}, expected "
         f"{expected[row].tolist()}.")


# ---------------------------------------------------------------------------- standardize
def shifted_train_test(seed: int, n_train: int = 40, n_test: int = 15, n_features: int = 5,
                       dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """Training data with per-column means and scales of very different sizes, and a test set
    drawn from a shifted, wider distribution, so any use of test statistics shows."""
    rng = np.random.default_rng(seed)
    means = rng.uniform(-50, 50, n_features)
    scales = 10.0 ** rng.uniform(-1, 2, n_features)
    train = means + scales * rng.normal(size=(n_train, n_features))
    test = means + 2.0 * scales + 2.5 * scales * rng.normal(size=(n_test, n_features))
    return train.astype(dtype), test.astype(dtype)


def _standardize_candidates(train: np.ndarray, test: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    def cols(a, mean, std):
        return (a - mean) / std
    pooled = np.concatenate([train, test])

    def rows(a):
        return (a - a.mean(axis=1, keepdims=True)) / a.std(axis=1, keepdims=True)

    m, s = train.mean(axis=0), train.std(axis=0)
    return {
        "ddof1": (cols(train, m, train.std(axis=0, ddof=1)), cols(test, m, train.std(axis=0, ddof=1))),
        "test_own": (cols(train, m, s), cols(test, test.mean(axis=0), test.std(axis=0))),
        "pooled": (cols(train, pooled.mean(axis=0), pooled.std(axis=0)),
                   cols(test, pooled.mean(axis=0), pooled.std(axis=0))),
        "global": (cols(train, train.mean(), train.std()), cols(test, train.mean(), train.std())),
        "rows": (rows(train), rows(test)),
    }


MISTAKE_MESSAGES = {
    "test_own": "the test set is standardized with its OWN mean and standard deviation. That "
                "is an information leak (the test data shapes the preprocessing) and it hides "
                "any shift between training and test data: use the training statistics for both.",
    "pooled": "the statistics come from training and test data together. Computing them on the "
              "test data leaks information from the test set into preprocessing: compute the "
              "mean and standard deviation on `train` only.",
    "ddof1": "the standard deviation uses ddof=1 (the sample estimate, as pandas' .std() does). "
             "The contract, like StandardScaler, uses NumPy's default ddof=0.",
    "global": "one mean and one standard deviation for the whole matrix. Features have "
              "different units and ranges; standardize each feature (column) on its own: "
              "axis=0.",
    "rows": "the statistics are computed per sample (row, axis=1). Standardization is per "
            "feature: mean and standard deviation of each column over the training samples "
            "(axis=0).",
}


def check_standardize(fn: Callable, train: np.ndarray, test: np.ndarray) -> None:
    """Train-only per-column statistics (ddof=0), applied to both; inputs unchanged."""
    where = f"standardize(train {train.shape}, test {test.shape})"
    train_in, test_in = train.copy(), test.copy()
    result = call_student(fn, train_in, test_in)
    _require_unchanged([train, test], [train_in, test_in], ["train", "test"], where)
    train_out, test_out = _pair(result, where)
    train_out = _as_array(train_out, f"{where}: train_std")
    test_out = _as_array(test_out, f"{where}: test_std")
    scaler = StandardScaler().fit(train.astype(np.float64))
    want_train = scaler.transform(train.astype(np.float64))
    want_test = scaler.transform(test.astype(np.float64))
    for got, want, name in ((train_out, want_train, "train_std"), (test_out, want_test, "test_std")):
        if got.shape != want.shape:
            fail(f"{where}: {name} has shape {got.shape}, expected {want.shape} (same shape as "
                 "the input).")
        if not np.issubdtype(got.dtype, np.floating):
            fail(f"{where}: {name} has dtype {got.dtype}; standardized values are floats.")
    tolerance = 1e-4 if train.dtype == np.float32 else 1e-7
    ok_train = np.allclose(train_out, want_train, rtol=tolerance, atol=tolerance)
    ok_test = np.allclose(test_out, want_test, rtol=tolerance, atol=tolerance)
    if ok_train and ok_test:
        return
    with np.errstate(all="ignore"):
        candidates = _standardize_candidates(train.astype(np.float64), test.astype(np.float64))
    for key in ("test_own", "pooled", "ddof1", "global", "rows"):
        cand_train, cand_test = candidates[key]
        if (np.allclose(test_out, cand_test, rtol=1e-3, atol=1e-3, equal_nan=True)
                and (key in ("test_own",) or np.allclose(train_out, cand_train, rtol=1e-3, atol=1e-3,
                                                          equal_nan=True))):
            fail(f"{where}: {MISTAKE_MESSAGES[key]}")
    if not ok_train and ok_test:
        fail(f"{where}: test_std is right but train_std is not. Apply the same (x - mean) / std "
             "to the training data.")
    if ok_train:
        fail(f"{where}: train_std is right but test_std is not. Standardize the test data with "
             "the TRAINING mean and standard deviation (the same numbers as for train).")
    fail(f"{where}: the values differ from StandardScaler().fit(train).transform(...). Use the "
         "per-column mean and standard deviation (ddof=0) of train: (a - mean) / std.")


def check_standardize_train_stats(fn: Callable, seeds: Sequence[int] = range(5)) -> None:
    """The standardized training data has column means 0 and standard deviations 1 exactly,
    and the shifted test data keeps its shift (no test statistics)."""
    for n, seed in enumerate(seeds):  # the position picks the sizes; the seed, the numbers
        train, test = shifted_train_test(seed, n_train=9 + n, n_test=5 + 2 * n, n_features=2 + (n + 1) % 4)
        check_standardize(fn, train, test)


# ---------------------------------------------------------------------------- fill_missing
def array_with_nans(seed: int, shape: tuple[int, ...] = (8, 5), fraction: float = 0.3,
                    dtype: Any = np.float64) -> np.ndarray:
    """Random values with NaNs at random places, several per row and per column."""
    rng = np.random.default_rng(seed)
    x = rng.normal(3.0, 2.0, shape).astype(dtype)
    x[rng.random(shape) < fraction] = np.nan
    flat = x.reshape(-1)
    flat[:2] = np.nan  # two NaNs in the first row, always
    return x


def check_fill_missing(fn: Callable, x: np.ndarray, fill_value: float | None = None) -> None:
    """A copy of x with every NaN replaced by fill_value (default 0.0); x unchanged."""
    where = f"fill_missing(x {x.shape}{'' if fill_value is None else f', fill_value={fill_value}'})"
    given = x.copy()
    result = call_student(fn, given) if fill_value is None else call_student(fn, given, fill_value)
    value = 0.0 if fill_value is None else fill_value
    _require_unchanged([x], [given], ["x"], where)
    got = _as_array(result, f"the result of {where}")
    if got is given:
        fail(f"{where} returned its input array itself; return a new array (a copy).")
    expected = np.where(np.isnan(x), value, x)
    if got.shape != x.shape:
        fail(f"{where} returned shape {got.shape}; expected the shape of x, {x.shape}.")
    missing = np.isnan(x)
    if x.ndim == 2 and missing.any() and np.issubdtype(got.dtype, np.floating):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column has no mean
            column_means = np.broadcast_to(np.nanmean(x, axis=0), x.shape)
        mean_filled = np.where(missing, column_means, x)
        if (np.allclose(got, mean_filled, rtol=1e-5, equal_nan=True)
                and not np.allclose(got, expected, rtol=1e-5, equal_nan=True)):
            fail(f"{where}: the NaNs are filled with their column's mean (and a column with no "
                 "value at all stays NaN). The contract fills them with fill_value "
                 f"({value}); mean imputation is another choice, not this one.")
    if np.issubdtype(got.dtype, np.floating) and np.isnan(got).any():
        left = int(np.isnan(got).sum())
        fail(f"{where}: {left} of the {int(np.isnan(x).sum())} NaNs are still there. Replace "
             "every NaN (a boolean mask np.isnan(x) selects them all at once), not only the "
             "first one found.")
    if np.allclose(got, expected, rtol=1e-6, atol=1e-6):
        return
    if np.allclose(got[~missing], x[~missing], rtol=1e-6, atol=1e-6):
        if np.allclose(got[missing], 0.0) and value != 0.0:
            fail(f"{where}: the NaNs became 0.0 although fill_value is {value}. Use the "
                 "fill_value argument.")
        fail(f"{where}: the NaNs were replaced by {np.unique(got[missing])[:5].tolist()}, "
             f"expected fill_value = {value}.")
    fail(f"{where}: values that were not NaN changed; only the missing entries may change.")


# ---------------------------------------------------------------------------- augment_with_missing
def check_augment_with_missing(fn: Callable, x_train: np.ndarray, y_train: np.ndarray, feature: int,
                               fill_value: float | None = None) -> None:
    """Originals first, then copies with column ``feature`` set to fill_value; y repeated."""
    n = len(x_train)
    value = 0.0 if fill_value is None else fill_value
    where = (f"augment_with_missing(x_train {x_train.shape}, y_train {y_train.shape}, "
             f"feature={feature}{'' if fill_value is None else f', fill_value={fill_value}'})")
    x_in, y_in = x_train.copy(), y_train.copy()
    args = (x_in, y_in, feature) if fill_value is None else (x_in, y_in, feature, fill_value)
    result = call_student(fn, *args)
    _require_unchanged([x_train, y_train], [x_in, y_in], ["x_train", "y_train"], where)
    x_aug, y_aug = _pair(result, where)
    x_aug = _as_array(x_aug, f"{where}: x_aug")
    y_aug = _as_array(y_aug, f"{where}: y_aug")
    copies = x_train.copy()
    copies[:, feature] = value
    if x_aug.shape != (2 * n,) + x_train.shape[1:]:
        if x_aug.shape == x_train.shape:
            fail(f"{where}: x_aug has {n} rows, expected 2 * {n} = {2 * n}: keep the original "
                 "samples AND add one copy of each with the feature missing (the model must "
                 "still learn from complete samples).")
        fail(f"{where}: x_aug has shape {x_aug.shape}, expected {(2 * n,) + x_train.shape[1:]}.")
    if len(y_aug) != 2 * n:
        fail(f"{where}: y_aug has {len(y_aug)} labels for {2 * n} samples. Repeat y_train for "
             "the copies: y_aug = the labels of the originals followed by the same labels again.")
    if not np.allclose(x_aug[:n], x_train):
        if np.allclose(x_aug[n:], x_train) and np.allclose(x_aug[:n], copies):
            fail(f"{where}: the copies with the missing feature come first. The contract puts "
                 "the original samples first, then the copies, in the same order.")
        if np.allclose(x_aug[0::2], x_train) and np.allclose(x_aug[1::2], copies):
            fail(f"{where}: every sample is followed by its copy (interleaved, as np.repeat "
                 "does). The contract puts all the originals first, then all the copies.")
        fail(f"{where}: the first {n} rows of x_aug must be x_train unchanged (the originals).")
    if not np.allclose(x_aug[n:], copies):
        other = [j for j in range(x_train.shape[1]) if j != feature
                 and np.allclose(x_aug[n:, j], value) and not np.allclose(x_train[:, j], value)]
        if other:
            fail(f"{where}: the copies have column {other[0]} set to {value}, but the missing "
                 f"feature is column {feature}. Fill exactly column `feature`.")
        fail(f"{where}: rows {n}..{2 * n - 1} must be copies of x_train with column {feature} "
             f"set to {value}, in the original order.")
    if not np.array_equal(y_aug, np.concatenate([y_train, y_train])):
        fail(f"{where}: y_aug must be y_train followed by y_train again (each copy keeps its "
             "sample's label, in the same order).")


def missing_feature_data(seed: int, n: int = 6, n_features: int = 4, label_dim: int = 0
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Float features without zeros and integer (or one-hot) labels."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(1.0, 9.0, (n, n_features))
    labels = rng.integers(0, 3, n)
    y = np.eye(3, dtype=np.float32)[labels] if label_dim else labels
    return x, y


# ---------------------------------------------------------------------------- clock_angle_features
def clock_cases(seed: int, n: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """Hand tips for the four quarter hours and random angles in every quadrant, with random
    hand lengths; returns (hand_tips, expected clockwise angles)."""
    rng = np.random.default_rng(seed)
    quarter = np.array([0.0, 0.5, 1.0, 1.5]) * np.pi
    angles = np.concatenate([
        np.stack([quarter, np.roll(quarter, 1)], axis=1),
        rng.uniform(0.02, TWO_PI - 0.02, (n, 2)),
    ])
    lengths = rng.uniform(0.3, 3.0, angles.shape)
    tips = np.empty((len(angles), 4))
    tips[:, 0::2] = lengths * np.sin(angles)
    tips[:, 1::2] = lengths * np.cos(angles)
    # exact coordinates for the quarter hours (no 1e-16 rounding of sin/cos)
    tips[:4] = np.round(tips[:4], 12) + 0.0  # + 0.0 turns -0.0 into 0.0
    return tips, angles


def _circular_close(a: np.ndarray, b: np.ndarray, tolerance: float = 1e-6) -> bool:
    difference = np.mod(a - b + np.pi, TWO_PI) - np.pi
    return bool(np.all(np.abs(difference) < tolerance))


def check_clock_angle_features(fn: Callable, hand_tips: np.ndarray, expected: np.ndarray) -> None:
    """Clockwise from 12 o'clock, radians in [0, 2*pi); column 0 hour hand, column 1 minute hand."""
    where = f"clock_angle_features(hand_tips {hand_tips.shape})"
    given = hand_tips.copy()
    result = _as_array(call_student(fn, given), f"the result of {where}")
    _require_unchanged([hand_tips], [given], ["hand_tips"], where)
    if result.shape != expected.shape:
        if result.shape == expected.shape[::-1]:
            fail(f"{where} returned shape {result.shape}; expected {expected.shape}: one row "
                 "per clock, columns (hour angle, minute angle).")
        fail(f"{where} returned shape {result.shape}; expected {expected.shape}.")
    if not np.issubdtype(result.dtype, np.floating):
        fail(f"{where} returned dtype {result.dtype}; angles are floats.")
    if not np.all(np.isfinite(result)):
        fail(f"{where} returned NaN or infinite values.")
    if np.nanmax(result) > TWO_PI + 1e-6 and _circular_close(np.radians(result), expected):
        fail(f"{where}: the angles are in degrees (up to {np.nanmax(result):.0f}). The contract "
             "asks for radians in [0, 2*pi): leave out np.degrees, or convert back with np.radians.")
    if _circular_close(result, expected):
        if np.any(result < 0):
            fail(f"{where}: some angles are negative (down to {result.min():.3f}): arctan2 returns "
                 "values in (-pi, pi]. The contract wants [0, 2*pi): add 2*pi to the negative "
                 "ones (or take np.mod(angle, 2*np.pi)).")
        if np.any(result >= TWO_PI):
            fail(f"{where}: some angles equal or exceed 2*pi; the range is [0, 2*pi) (12 o'clock "
                 "is 0, not 2*pi).")
        return
    rows = f"(hour hand at 12, 3, 6, 9 o'clock in the first rows: got {np.round(result[:4, 0], 3).tolist()}, " \
           f"expected {np.round(expected[:4, 0], 3).tolist()})"
    if _circular_close(result[:, ::-1], expected):
        fail(f"{where}: the hour and minute angles are swapped. hand_tips is (hour_x, hour_y, "
             "minute_x, minute_y): column 0 must be the hour hand, column 1 the minute hand.")
    if _circular_close(result, -expected):
        fail(f"{where}: the angles go counter-clockwise {rows}. Clock angles run clockwise: "
             "3 o'clock (x = 1, y = 0) is pi/2. Use arctan2(x, y).")
    if _circular_close(result, expected - np.pi / 2):
        fail(f"{where}: the angles are measured from 3 o'clock {rows}. Measure from 12 o'clock "
             "(x = 0, y = 1), which is angle 0.")
    if _circular_close(result, np.pi / 2 - expected):
        fail(f"{where}: this is the mathematical angle arctan2(y, x), counter-clockwise from "
             f"3 o'clock {rows}. A clock angle is clockwise from 12: arctan2(x, y), or "
             "pi/2 minus the mathematical angle.")
    lower = hand_tips[:, 1::2] < 0
    if _circular_close(np.where(lower, result + np.pi, result), expected) and lower.any():
        fail(f"{where}: hands in the lower half of the face (y < 0) are off by pi. arctan(x / y) "
             "cannot tell opposite directions apart; use arctan2(x, y), which looks at both signs.")
    scaled = hand_tips * np.repeat(np.array([[1.7, 0.6]]), 2, axis=1)
    again = _as_array(call_student(fn, scaled), f"the result of {where}")
    if again.shape == result.shape and not np.allclose(again, result, atol=1e-6):
        fail(f"{where}: the angles change when the hands get longer or shorter. The angle of "
             "(x, y) is the angle of (2x, 2y); the hands may have any length (arcsin(x) or "
             "arccos(y) assume a hand of length 1).")
    bad = int(np.flatnonzero(np.any(np.abs(np.mod(result - expected + np.pi, TWO_PI) - np.pi) > 1e-6,
                                    axis=1))[0])
    fail(f"{where}: row {bad}, hand tips {np.round(hand_tips[bad], 3).tolist()}, gave angles "
         f"{np.round(result[bad], 4).tolist()}, expected {np.round(expected[bad], 4).tolist()} "
         "(radians, clockwise from 12 o'clock).")


def check_clock_angles_ignore_length(fn: Callable, seed: int = 0) -> None:
    """The same directions with other hand lengths give the same angles."""
    tips, expected = clock_cases(seed, n=20)
    check_clock_angle_features(fn, tips, expected)
    longer = tips * np.random.default_rng(seed + 1).uniform(0.2, 5.0, (len(tips), 1))
    check_clock_angle_features(fn, longer, expected)
