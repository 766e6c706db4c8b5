"""Checks for chapter 06 (dropout): the mask, inverted dropout forward and backward, MC dropout.

Students may draw their masks any way they like from the ``rng`` they receive, so no check
depends on a particular random stream. The checks use:

- exact structural properties (shapes, 0/1 masks, ``out == a * mask / (1 - rate)`` for the mask
  returned, the identity at inference, ``ValueError`` outside ``0 <= rate < 1``);
- statistics with binomial tolerances of :data:`SIGMAS` standard deviations on large samples,
  so that a correct implementation fails with probability far below 1e-9 (kept fraction,
  independence between neighbouring elements along every axis), and no block of a large mask
  repeating another (a short pattern tiled over the mask);
- independence across calls: hundreds of small masks drawn one after another from one generator
  never repeat, and their pairwise agreement, the kept count of each call and of each position
  stay within exact binomial bands (:mod:`autograder.checks.randomness`), so a mask picked from
  a few fixed ones by a random bit, or drawn from a generator re-seeded inside the function,
  fails;
- determinism for a seeded ``numpy.random.Generator``, consumption of that generator, and
  independence from NumPy's global state and Python's ``random`` (re-seeded between calls);
- Keras's ``Dropout`` layer (statistically in training mode, exactly in inference mode);
- a central-difference gradient check of the backward pass, with a fixed mask;
- for ``mc_dropout_predict``, a recording stand-in model with known outputs, and real Keras
  models with and without dropout. In trusted grading both stay in the grader and the sandbox
  calls them by reference (``__grading_remote__``), so the record of the calls is the grader's.

Every failure raises :class:`CheckFailed` with a message naming the likely misconception.
"""

from __future__ import annotations

import contextlib
import math
import random
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar

import numpy as np

from autograder.checks import CheckFailed, fail, require
from autograder.checks._common import call_student_as, quiet
from autograder.checks.randomness import ALPHA, at_least, at_most, band, binomial_pmf, central_window
from course.runtime import import_keras

SIGMAS = 7.0  # two-sided normal tail beyond 7 sd: about 2.6e-12 per statistic
BAD_RATES = (-0.1, 1.0, 1.5)
# Independence across calls: masks of SMALL_SHAPE drawn one after another from one generator.
SMALL_SHAPE = (8, 8)
ACROSS_RATE = 0.4
ACROSS_CALLS = 300


# ---------------------------------------------------------------------------- helpers
@contextlib.contextmanager
def _saved_global_random_state() -> Iterator[None]:
    """Restore NumPy's global generator and Python's ``random`` after a check re-seeds them."""
    numpy_state, python_state = np.random.get_state(), random.getstate()
    try:
        yield
    finally:
        np.random.set_state(numpy_state)
        random.setstate(python_state)


def _expect_value_error(fn: Callable, where: str, why: str, *args: Any, **kwargs: Any) -> None:
    try:
        fn(*args, **kwargs)
    except ValueError:
        return
    except NotImplementedError:
        fail(f"{getattr(fn, '__name__', 'the function')} is not implemented yet: it still raises "
             "NotImplementedError.")
    except CheckFailed:
        raise
    except Exception as error:  # noqa: BLE001 - student code: any other error is reported as the wrong one
        fail(f"{where} should raise ValueError ({why}), but raised {type(error).__name__}: {error}")
    fail(f"{where} should raise ValueError ({why}), but returned normally.")


def _tolerance(p: float, n: int) -> float:
    """SIGMAS binomial standard deviations of a proportion with success probability p over n trials."""
    return SIGMAS * math.sqrt(max(p * (1 - p), 1e-12) / n)


def _shape_tuple(shape: Any) -> tuple[int, ...]:
    return (int(shape),) if np.isscalar(shape) else tuple(int(s) for s in shape)


def _numeric_array(value: Any, what: str) -> np.ndarray:
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001 - a student's value may raise anything on conversion
        fail(f"{what} should be a NumPy array, got {type(value).__name__}.")
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        fail(f"{what} should be a numeric NumPy array, got dtype {array.dtype} ({type(value).__name__}).")
    return array


def _broadcast_message(what: str, got: tuple, expected: tuple) -> str:
    if len(got) == len(expected) and all(g in (1, e) for g, e in zip(got, expected)):
        shared = [i for i, (g, e) in enumerate(zip(got, expected)) if g == 1 and e > 1]
        if shared == [0]:
            return (f"{what} has shape {got} instead of {expected}: one mask shared by every row (sample) "
                    "of the batch. Every element needs its own independent draw: draw a mask of the "
                    "full shape.")
        return (f"{what} has shape {got} instead of {expected}: the same value is shared along axis "
                f"{shared}. Every element needs its own independent draw of the full shape.")
    if len(got) < len(expected) and tuple(expected[len(expected) - len(got):]) == got:
        return (f"{what} has shape {got} instead of {expected}: one mask per column (unit), broadcast "
                "over the rows, so every sample drops the same units. Draw a mask of the full shape.")
    return f"{what} has shape {got}, expected {expected} (the shape of the input)."


def _as_01(value: Any, shape: tuple, what: str, rate: float, allow_bool: bool) -> np.ndarray:
    """A 0/1 mask of ``shape`` as float64, or a failure naming what is wrong."""
    array = _numeric_array(value, what)
    if array.dtype == bool and not allow_bool:
        fail(f"{what} is a boolean array; the contract asks for 0/1 numbers (any numeric dtype): "
             "convert with .astype(float) or .astype(int).")
    if array.shape != shape:
        fail(_broadcast_message(what, array.shape, shape))
    array = array.astype(np.float64)
    values = np.unique(array)
    if np.all(np.isin(values, (0.0, 1.0))):
        return array
    if rate > 0 and np.allclose(values[values != 0], 1 / (1 - rate), rtol=1e-5):
        fail(f"{what} holds 0 and 1/(1 - rate) = {1 / (1 - rate):.4g}: it is already scaled. The mask is 0/1 "
             "(1 = kept); the scaling by 1/(1 - rate) belongs to the output.")
    fail(f"{what} should hold only 0 and 1, found values such as {values[:5].tolist()}.")


def _keep_fraction_message(name: str, frac: float, rate: float, n: int) -> str | None:
    p = 1 - rate
    tol = _tolerance(p, n)
    if abs(frac - p) <= tol:
        return None
    if abs(rate - 0.5) > 1e-9 and abs(frac - rate) <= _tolerance(rate, n):
        return (f"{name} kept {frac:.2%} of {n:,} entries with rate={rate}: entries are kept with "
                f"probability rate. The rate is the share DROPPED; keep each entry with probability "
                f"1 - rate = {p:g} (for example rng.random(shape) >= rate).")
    return (f"{name} kept {frac:.2%} of {n:,} entries with rate={rate}; expected {p:.2%} "
            f"(keep probability 1 - rate), give or take {tol:.2%}.")


def _check_keep_fraction(name: str, keep: np.ndarray, rate: float) -> None:
    message = _keep_fraction_message(name, float(np.mean(keep)), rate, keep.size)
    if message:
        _check_independent(name, keep, rate, blocks=True)  # a shared or repeated mask is the likelier cause
        fail(message)


def _check_independent(name: str, keep: np.ndarray, rate: float, blocks: bool = False) -> None:
    """Neighbouring elements along every axis agree as often as independent draws would; with ``blocks``,
    no block of the flattened mask repeats another (after the messages for a broadcast mask)."""
    p = 1 - rate
    expected = p * p + (1 - p) * (1 - p)
    agreements = {}
    for axis in range(keep.ndim):
        pairs = keep.shape[axis] // 2
        if pairs == 0:
            continue
        first = np.take(keep, np.arange(0, 2 * pairs, 2), axis=axis)
        second = np.take(keep, np.arange(1, 2 * pairs, 2), axis=axis)
        agreements[axis] = (float(np.mean(first == second)), first.size)
    if keep.ndim >= 2:
        for axis, (agree, _) in agreements.items():
            if agree > 0.999 and axis == 0:
                fail(f"{name}: every row of a {keep.shape} input gets the same mask (one mask per column "
                     "broadcast over the batch), so all samples drop the same units. Each element needs "
                     "its own independent draw: draw a mask of the input's full shape.")
            if agree > 0.999:
                fail(f"{name}: elements along axis {axis} of a {keep.shape} input are all kept or all "
                     "dropped together (one draw per row broadcast over its units). Each element needs "
                     "its own independent draw: draw a mask of the input's full shape.")
    if blocks:
        _check_no_repeated_blocks(name, keep, rate)
    for axis, (agree, n) in agreements.items():
        tol = _tolerance(expected, n)
        if agree > expected + tol:
            fail(f"{name}: neighbouring elements along axis {axis} agree (both kept or both dropped) in "
                 f"{agree:.2%} of {n:,} pairs; independent draws agree in {expected:.2%}. "
                 "The elements are not drawn independently.")
        if agree < expected - tol:
            fail(f"{name}: neighbouring elements along axis {axis} agree in only {agree:.2%} of pairs "
                 f"(independent draws: {expected:.2%}); the draws are not independent.")


def _first_pair(equal: np.ndarray) -> tuple[int, int]:
    """The first ``(i, j)``, ``i < j``, where the boolean matrix ``equal`` holds."""
    i, j = np.argwhere(np.triu(equal, 1))[0]
    return int(i), int(j)


def _check_masks_across_calls(name: str, draw_keep: Callable[[np.random.Generator], np.ndarray], seed: int,
                              n_calls: int = ACROSS_CALLS, rate: float = ACROSS_RATE, full: bool = True) -> None:
    """Masks of SMALL_SHAPE drawn one after another from one generator are independent draws.

    ``draw_keep(rng)`` returns one 0/1 mask. With n = 64 entries kept with probability p = 1 - rate each,
    two independent masks agree on Binomial(n, q) entries, q = p**2 + (1 - p)**2 (0.52 at rate 0.4).
    Statistics (exact laws; ALPHA = 1e-9 per side):

    - repeats: no two of the N masks are equal; P <= C(N, 2) * q**n = 3.0e-14 for N = 300;
    - with ``full``: the agreement of every pair of masks (N(N-1)/2 binomials, limits at ALPHA / C(N, 2)
      per side), the kept count of every position over the calls (n binomials, ALPHA / n per side), the
      total agreement of the disjoint pairs of successive calls (one binomial), the kept total (one
      binomial), the number of calls whose kept count lies in a central window (one binomial: too few
      calls outside it means a fixed count) and the kept count of every call (N binomials).

    False failure of a correct implementation: at most 12 * ALPHA = 1.2e-8 (``full``), 3e-15 otherwise.
    """
    rng = np.random.default_rng(seed)
    masks = np.array([np.ravel(draw_keep(rng)) for _ in range(n_calls)], dtype=np.float64)
    n = masks.shape[1]
    p = 1 - rate
    q = p * p + (1 - p) * (1 - p)
    shape = SMALL_SHAPE
    agree = masks @ masks.T + (1 - masks) @ (1 - masks).T
    if np.any(np.triu(agree == n, 1)):
        i, j = _first_pair(agree == n)
        different = len(np.unique(masks, axis=0))
        fail(f"{name}: the masks repeat across calls. {n_calls} masks of shape {shape} (rate={rate}) drawn one after "
             f"another from one generator hold only {different} different masks (calls {i} and {j} returned the "
             "same one); independent draws of 64 entries practically never repeat. Is the random generator "
             "re-seeded with a constant inside the function, or one of a few fixed masks picked with a value drawn "
             "from rng? Draw every entry from rng itself at every call (rng.random(shape) >= rate).")
    if not full:
        return
    counts = masks.sum(axis=1)
    if np.all(counts == counts[0]):
        fail(f"{name} always keeps exactly {int(counts[0])} of {n} entries (rate={rate}): a fixed number of entries "
             "is dropped. Each entry must be dropped independently with probability rate, so the number dropped "
             "varies from call to call.")
    pairs = n_calls * (n_calls - 1) // 2
    pair_pmf = binomial_pmf(n, q)
    high, low = at_least(pair_pmf, ALPHA / pairs), at_most(pair_pmf, ALPHA / pairs)
    off_diagonal = np.triu(np.ones_like(agree, dtype=bool), 1)
    if np.any(off_diagonal & (agree >= high)):
        i, j = _first_pair(off_diagonal & (agree >= high))
        fail(f"{name}: the masks of calls {i} and {j} (shape {shape}, rate={rate}, one generator) agree on "
             f"{int(agree[i, j])} of {n} entries (both kept or both dropped); independent masks agree on about "
             f"{q * n:.0f}, and {pairs:,} pairs never reach {high} by chance. The masks are copies of a few "
             "patterns with small changes: draw every entry afresh from rng at every call.")
    if np.any(off_diagonal & (agree <= low)):
        i, j = _first_pair(off_diagonal & (agree <= low))
        fail(f"{name}: the masks of calls {i} and {j} (shape {shape}, rate={rate}) agree on only {int(agree[i, j])} "
             f"of {n} entries: one is nearly the other's mirror image (independent masks agree on about "
             f"{q * n:.0f}). Draw every entry afresh from rng at every call.")
    position_pmf = binomial_pmf(n_calls, p)
    lo, hi = at_most(position_pmf, ALPHA / n) + 1, at_least(position_pmf, ALPHA / n) - 1
    kept_per_position = masks.sum(axis=0)
    odd = np.flatnonzero((kept_per_position < lo) | (kept_per_position > hi))
    if odd.size:
        pos = int(odd[0])
        fail(f"{name}: entry {tuple(int(i) for i in np.unravel_index(pos, shape))} of the {shape} mask was kept in "
             f"{int(kept_per_position[pos])} of {n_calls} calls; with keep probability 1 - rate = {p:g} every entry "
             f"is kept in about {n_calls * p:.0f} (between {lo} and {hi}). Some entries are (nearly) fixed from "
             "call to call: draw every entry anew at every call.")
    successive = int(sum(agree[i, i + 1] for i in range(0, n_calls - 1, 2)))
    lo, hi = band(binomial_pmf(n_calls // 2 * n, q))
    if not lo <= successive <= hi:
        fail(f"{name}: masks of successive calls agree on {successive / (n_calls // 2 * n):.1%} of their entries; "
             f"independent masks agree on {q:.1%} (between {lo / (n_calls // 2 * n):.1%} and "
             f"{hi / (n_calls // 2 * n):.1%} over {n_calls} calls). Successive calls are not independent: draw "
             "every entry afresh from rng at every call.")
    lo, hi = band(binomial_pmf(n_calls * n, p))
    if not lo <= counts.sum() <= hi:
        message = _keep_fraction_message(name, float(counts.sum() / (n_calls * n)), rate, n_calls * n)
        fail(message or f"{name} kept {counts.sum() / (n_calls * n):.2%} of the entries over {n_calls} calls of shape "
             f"{shape} with rate={rate}; expected {p:.2%} (keep probability 1 - rate).")
    count_pmf = binomial_pmf(n, p)
    w_lo, w_hi, inside = central_window(count_pmf)
    in_window = int(np.sum((counts >= w_lo) & (counts <= w_hi)))
    lo, hi = band(binomial_pmf(n_calls, inside))
    if not lo <= in_window <= hi:
        spread = "too little (a nearly fixed number is dropped?)" if in_window > hi else "too much"
        fail(f"{name}: the number kept per call varies {spread}: {in_window} of {n_calls} masks of {n} entries kept "
             f"between {w_lo} and {w_hi}; independent entries give {inside * n_calls:.0f} such calls (between {lo} "
             f"and {hi}). Each entry must be kept independently with probability 1 - rate = {p:g}.")
    lo, hi = at_most(count_pmf, ALPHA / n_calls) + 1, at_least(count_pmf, ALPHA / n_calls) - 1
    odd = np.flatnonzero((counts < lo) | (counts > hi))
    if odd.size:
        call = int(odd[0])
        fail(f"{name}: call {call} kept {int(counts[call])} of {n} entries (rate={rate}); independent entries keep "
             f"between {lo} and {hi} in each of {n_calls} calls. Each entry must be kept independently with "
             f"probability 1 - rate = {p:g}.")


def _check_no_repeated_blocks(name: str, keep: np.ndarray, rate: float) -> None:
    """No block of L consecutive entries of a large mask (flattened) equals another block.

    L is the smallest length from 32 up with C(B, 2) * q**L <= ALPHA for the B = size // L blocks, q the
    chance that two independent entries agree: a correct mask fails with probability <= ALPHA = 1e-9. A
    short pattern tiled over the mask (np.resize, np.tile) repeats blocks whenever its period P satisfies
    P / gcd(P, L) <= B.
    """
    p = 1 - rate
    q = p * p + (1 - p) * (1 - p)
    if q >= 1:  # rate 0: nothing is random
        return
    flat = np.ravel(keep)
    length = 32
    while (flat.size // length) ** 2 / 2 * q ** length > ALPHA:
        length += 8
    blocks = flat[:flat.size // length * length].reshape(-1, length)
    _, first, inverse = np.unique(blocks, axis=0, return_index=True, return_inverse=True)
    repeated = np.flatnonzero(first[inverse.ravel()] != np.arange(len(blocks)))
    if repeated.size:
        j = int(repeated[0])
        i = int(first[inverse.ravel()[j]])
        fail(f"{name}: the {keep.shape} mask repeats itself: entries {i * length}..{i * length + length - 1} and "
             f"{j * length}..{j * length + length - 1} of the flattened mask are equal ({length} entries that "
             "independent draws practically never repeat). A short random pattern is repeated over the mask "
             "(np.resize, np.tile, a small draw broadcast): draw every entry of the full shape from rng.")


def _check_uses_only_rng(name: str, draw: Callable[[np.random.Generator], np.ndarray]) -> None:
    """Same seed -> same result; results follow rng, not NumPy's global state or ``random``."""
    with _saved_global_random_state():
        np.random.seed(11)
        random.seed(11)
        first = draw(np.random.default_rng(2024))
        np.random.seed(987654)
        random.seed(987654)
        second = draw(np.random.default_rng(2024))
        if not np.array_equal(first, second):
            np.random.seed(11)
            random.seed(11)
            third = draw(np.random.default_rng(2024))
            if np.array_equal(first, third):
                fail(f"{name} draws from NumPy's global random state (np.random.rand, np.random.binomial, "
                     "...) or Python's random module: with the same seeded rng but a different global "
                     "seed the mask changed. Draw only from the rng argument (rng.random(...), "
                     "rng.binomial(...)).")
            fail(f"{name} gave different masks for two generators seeded alike "
                 "(np.random.default_rng(2024)): all randomness must come from the rng argument (not "
                 "from a new unseeded np.random.default_rng() or another source).")
        rng = np.random.default_rng(5)
        once, twice = draw(rng), draw(rng)
        if np.array_equal(once, twice):
            fail(f"{name} returned the same mask twice from one generator: it does not draw from rng (a "
                 "fixed seed inside the function?). Each call must advance rng, so that successive calls "
                 "give new masks.")
        if np.array_equal(draw(np.random.default_rng(1)), draw(np.random.default_rng(2))):
            fail(f"{name} gives the same mask for generators with different seeds: it ignores rng.")


# ---------------------------------------------------------------------------- dropout_mask
def _mask(dropout_mask: Callable, shape: Any, rate: float, rng: np.random.Generator) -> np.ndarray:
    result = call_student_as(dropout_mask, f"dropout_mask({shape!r}, {rate}, rng)", shape, rate, rng)
    return _as_01(result, _shape_tuple(shape), f"dropout_mask({shape!r}, {rate}, rng)", rate, allow_bool=False)


def check_dropout_mask(dropout_mask: Callable, shape: Any = (4, 5), rate: float = 0.5, seed: int = 0) -> None:
    """Shape (an int or a tuple), 0/1 values, all ones for rate 0, ValueError outside [0, 1)."""
    rng = np.random.default_rng(seed)
    _mask(dropout_mask, shape, rate, rng)
    _mask(dropout_mask, 7, rate, rng)
    ones = _mask(dropout_mask, (3, 6), 0.0, rng)
    require(np.all(ones == 1), "dropout_mask with rate=0 must keep everything (all ones); it dropped "
                               f"{int(np.sum(ones == 0))} of 18 entries.")
    for bad in BAD_RATES:
        _expect_value_error(dropout_mask, f"dropout_mask((2, 3), {bad}, rng)",
                            f"rate={bad} is outside 0 <= rate < 1", (2, 3), bad, np.random.default_rng(0))


def check_dropout_mask_keep_fraction(dropout_mask: Callable, rates: Sequence[float] = (0.1, 0.25, 0.4, 0.75),
                                     shape: tuple = (500, 400), seed: int = 0) -> None:
    """The share kept is 1 - rate within a binomial tolerance, for several rates."""
    rng = np.random.default_rng(seed)
    for rate in rates:
        keep = _mask(dropout_mask, shape, rate, rng)
        _check_keep_fraction("dropout_mask", keep, rate)


def check_dropout_mask_independent(dropout_mask: Callable, rate: float = 0.3,
                                   shapes: Sequence[tuple] = ((600, 500), (40, 50, 60)), seed: int = 1) -> None:
    """Elements are independent along every axis and no block of a large mask repeats; across 300 calls
    with one generator the masks are independent draws (no repeats; pairwise agreement, kept counts per
    call and per position within exact binomial bands). False failure <= 1.5e-8 (the calls 1.2e-8, two block
    tests 2e-9, the rest 3e-11)."""
    rng = np.random.default_rng(seed)
    for shape in shapes:
        keep = _mask(dropout_mask, shape, rate, rng)
        _check_keep_fraction("dropout_mask", keep, rate)
        _check_independent("dropout_mask", keep, rate, blocks=True)
    _check_masks_across_calls("dropout_mask", lambda g: _mask(dropout_mask, SMALL_SHAPE, ACROSS_RATE, g), seed + 1)


def check_dropout_mask_uses_only_rng(dropout_mask: Callable, shape: tuple = (50, 40), rate: float = 0.5,
                                     seed: int = 0) -> None:
    """Deterministic for a seeded Generator, consumes it, ignores NumPy's and Python's global state; 100
    masks drawn one after another from one generator never repeat (a generator re-seeded inside the
    function, or a few fixed masks picked by a random value, fail). False failure <= 1e-14."""
    _check_uses_only_rng("dropout_mask", lambda rng: _mask(dropout_mask, shape, rate, rng))
    _check_masks_across_calls("dropout_mask", lambda g: _mask(dropout_mask, SMALL_SHAPE, ACROSS_RATE, g), seed,
                              n_calls=100, full=False)


# ---------------------------------------------------------------------------- dropout_forward
def _forward(dropout_forward: Callable, a: np.ndarray, rate: float, rng: np.random.Generator,
             training: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Call the student's forward pass; return (out, mask) as float64 arrays after structural checks."""
    before = a.copy()
    where = f"dropout_forward(a of shape {a.shape}, rate={rate}, rng, training={training})"
    result = call_student_as(dropout_forward, where, a, rate, rng, training=training)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        fail(f"{where} should return a pair (out, mask), got {type(result).__name__}.")
    if not np.array_equal(a, before):
        fail(f"{where} modified its input a in place; compute the output in a new array "
             "(out = a * mask / (1 - rate), not a *= ...).")
    out = _numeric_array(result[0], f"{where}: out")
    if out.shape != a.shape:
        fail(f"{where}: out has shape {out.shape}, expected the input's shape {a.shape}.")
    mask = _as_01(result[1], a.shape, f"{where}: mask", rate, allow_bool=True)
    return out.astype(np.float64), mask


def _diagnose_forward(where: str, out: np.ndarray, a: np.ndarray, mask: np.ndarray, rate: float) -> None:
    """Fail unless out == a * mask / (1 - rate); name the mistake it matches."""
    a = a.astype(np.float64)
    expected = a * mask / (1 - rate)
    if np.allclose(out, expected, rtol=1e-5, atol=1e-7):
        return
    with np.errstate(all="ignore"):
        _name_forward_mistake(where, out, a, mask, rate)
    kept_values = np.isclose(out, expected, rtol=1e-5, atol=1e-7)
    fail(f"{where}: out is not a * mask / (1 - rate) for the mask returned ({np.mean(~kept_values):.1%} of "
         "the entries differ). Return the very mask that produced out (draw it once), and use "
         "out = a * mask / (1 - rate).")


def _name_forward_mistake(where: str, out: np.ndarray, a: np.ndarray, mask: np.ndarray, rate: float) -> None:
    candidates = [
        (a * mask, "the kept activations are not rescaled. Inverted dropout divides them by the keep "
                   "probability 1 - rate, so that the expected activation stays the same"),
        (a * mask / rate, "it divides by rate; divide by the keep probability 1 - rate"),
        (a * mask * (1 - rate), "it multiplies by the keep probability 1 - rate (the scale-at-test-time "
                                "convention). Inverted dropout divides by 1 - rate during training"),
        (a * mask * rate, "it multiplies by rate; inverted dropout divides by 1 - rate"),
        (a * (1 - mask) / (1 - rate), "it keeps the dropped entries: out uses 1 - mask. mask = 1 means kept"),
        (a / (1 - rate), "the mask is not applied to out"),
    ]
    for value, message in candidates:
        if np.allclose(out, value, rtol=1e-5, atol=1e-7):
            fail(f"{where}: {message}.")


def _check_identity(where: str, out: np.ndarray, mask: np.ndarray, a: np.ndarray, rate: float, why: str) -> None:
    a64 = a.astype(np.float64)
    if not np.allclose(out, a64, rtol=1e-6, atol=1e-12):
        if rate > 0 and np.allclose(out, a64 * (1 - rate), rtol=1e-5):
            fail(f"{where}: out is a * (1 - rate). {why} it must return a unchanged: inverted dropout "
                 "already scaled during training, so nothing is scaled at inference.")
        if rate > 0 and np.allclose(out, a64 / (1 - rate), rtol=1e-5):
            fail(f"{where}: out is a / (1 - rate). {why} nothing is dropped and nothing is scaled: return a "
                 "unchanged.")
        if np.any((out == 0) & (a64 != 0)):
            fail(f"{where}: some activations were dropped. {why} dropout is off: out must equal a "
                 "(dropping at inference makes predictions random and too small).")
        fail(f"{where}: out should equal a. {why} dropout is the identity.")
    if not np.all(mask == 1):
        fail(f"{where}: the mask should be all ones (nothing is dropped in this mode), "
             f"but it has {int(np.sum(mask == 0))} zeros.")


def check_dropout_forward(dropout_forward: Callable, a: np.ndarray, rate: float, seed: int = 0) -> None:
    """Training: out == a * mask / (1 - rate) with a 0/1 mask; inference and rate 0: the identity;
    ValueError outside 0 <= rate < 1 (training or not)."""
    a = np.asarray(a)
    rng = np.random.default_rng(seed)
    where = f"dropout_forward(a, rate={rate}, rng, training=True)"
    out, mask = _forward(dropout_forward, a, rate, rng, training=True)
    _diagnose_forward(where, out, a, mask, rate)
    out, mask = _forward(dropout_forward, a, rate, rng, training=False)
    _check_identity(f"dropout_forward(a, rate={rate}, rng, training=False)", out, mask, a, rate,
                    "At inference (training=False)")
    out, mask = _forward(dropout_forward, a, 0.0, rng, training=True)
    _check_identity("dropout_forward(a, rate=0.0, rng, training=True)", out, mask, a, 0.0, "With rate 0")
    for bad in BAD_RATES:
        for training in (True, False):
            try:
                dropout_forward(a, bad, np.random.default_rng(0), training=training)
            except ValueError:
                continue
            except NotImplementedError:
                fail("dropout_forward is not implemented yet: it still raises NotImplementedError.")
            except Exception as error:  # noqa: BLE001 - student code: any other error is reported as the wrong one
                fail(f"dropout_forward(a, rate={bad}, rng, training={training}) should raise ValueError, "
                     f"but raised {type(error).__name__}: {error}")
            if training:
                fail(f"dropout_forward(a, rate={bad}, rng) should raise ValueError: the rate must satisfy "
                     "0 <= rate < 1.")
            fail(f"dropout_forward(a, rate={bad}, rng, training=False) should raise ValueError: the rate is "
                 "checked whether training or not (0 <= rate < 1).")


def forward_inputs(seed: int) -> list[np.ndarray]:
    """Seeded inputs of several shapes and dtypes (positive and negative values)."""
    rng = np.random.default_rng(300 + seed)
    return [rng.normal(size=(50,)).astype(np.float64),
            rng.normal(size=(30, 40)).astype(np.float32),
            rng.normal(size=(6, 7, 8)).astype(np.float64),
            rng.uniform(0.5, 2.0, size=(64, 16)).astype(np.float32)]


def check_dropout_forward_inverted_scaling(dropout_forward: Callable, seeds: Sequence[int] = range(3),
                                           rates: Sequence[float] = (0.1, 0.25, 0.5, 0.8),
                                           large_shape: tuple = (500, 400)) -> None:
    """Random inputs (1-D to 3-D, float32/float64): exact inverted scaling for the mask returned, the
    identity at inference; on a large input, the kept share and the expected activation."""
    for n, seed in enumerate(seeds):  # the position picks the variant; the seed, the numbers
        for i, a in enumerate(forward_inputs(seed)):
            rate = rates[(n + i) % len(rates)]
            check_dropout_forward(dropout_forward, a, rate, seed=seed * 10 + i)
    rng = np.random.default_rng(77)
    for rate in (0.2, 0.6):
        a = np.random.default_rng(int(rate * 100)).uniform(0.5, 1.5, size=large_shape)
        out, mask = _forward(dropout_forward, a, rate, rng)
        _diagnose_forward(f"dropout_forward(a of shape {large_shape}, rate={rate}, rng)", out, a, mask, rate)
        _check_keep_fraction("dropout_forward (its mask)", mask, rate)
        # E[out] = E[a]: the mean ratio's sd is sqrt(E[a^2] rate / (1 - rate) / n) / E[a]
        ratio = out.mean() / a.mean()
        tol = SIGMAS * math.sqrt(np.mean(a ** 2) * rate / (1 - rate) / a.size) / a.mean()
        require(abs(ratio - 1) <= tol,
                f"dropout_forward changes the expected activation: mean(out) / mean(a) = {ratio:.4f} with "
                f"rate={rate} (expected 1 within {tol:.4f}). Keep entries with probability 1 - rate and "
                "divide them by 1 - rate.")


def check_dropout_forward_matches_keras(dropout_forward: Callable, rates: Sequence[float] = (0.2, 0.5, 0.8),
                                        shapes: Sequence[tuple] = ((400, 500), (20, 50, 200)), seed: int = 0) -> None:
    """Training mode: the same output values {0, a/(1-rate)} and statistically the same kept share as
    ``keras.layers.Dropout(rate)``, and like Keras a new mask at every call (100 small masks from one
    generator never repeat); inference mode: exactly Keras's output (the input itself)."""
    keras = import_keras()
    rng = np.random.default_rng(seed)
    for i, rate in enumerate(rates):
        shape = shapes[i % len(shapes)]
        a = np.random.default_rng(1000 + i).uniform(0.5, 1.5, size=shape).astype(np.float32)
        with quiet():
            layer = keras.layers.Dropout(rate, seed=seed + i)
            keras_train = np.asarray(layer(keras.ops.convert_to_tensor(a), training=True)).astype(np.float64)
            keras_infer = np.asarray(layer(keras.ops.convert_to_tensor(a), training=False)).astype(np.float64)
        if not np.array_equal(keras_infer, a.astype(np.float64)):
            fail("internal check error: Keras's Dropout is not the identity at inference")
        where = f"dropout_forward(a of shape {shape}, rate={rate}, rng, training=True)"
        out, mask = _forward(dropout_forward, a, rate, rng, training=True)
        _diagnose_forward(where, out, a, mask, rate)
        keras_ratios = np.unique(np.round(keras_train / a, 4))
        ratios = np.unique(np.round(out / a.astype(np.float64), 4))
        if ratios.shape != keras_ratios.shape or not np.allclose(ratios, keras_ratios, rtol=1e-3):
            fail(f"{where}: out / a takes the values {ratios[:4].tolist()}, but Keras's Dropout({rate}) gives "
                 f"{keras_ratios.tolist()} (0 for a dropped entry, 1/(1 - rate) for a kept one).")
        n = a.size
        keras_kept, kept = float(np.mean(keras_train != 0)), float(np.mean(out != 0))
        tol = SIGMAS * math.sqrt(2 * rate * (1 - rate) / n)
        if abs(kept - keras_kept) > tol:
            _check_independent("dropout_forward", (out != 0).astype(np.float64), rate, blocks=True)
            message = _keep_fraction_message("dropout_forward", kept, rate, n)
            fail(f"{where} kept {kept:.2%} of the entries, Keras's Dropout({rate}) {keras_kept:.2%}. "
                 + (message or ""))
        infer_out, infer_mask = _forward(dropout_forward, a, rate, rng, training=False)
        _check_identity(f"dropout_forward(a, rate={rate}, rng, training=False)", infer_out, infer_mask, a, rate,
                        "Like Keras's Dropout at inference (training=False),")
    # Keras's Dropout draws a new mask at every training call: 100 small masks from one generator never repeat
    _check_masks_across_calls("dropout_forward", _small_forward_draw(dropout_forward, seed), seed + 1,
                              n_calls=100, full=False)


def check_dropout_forward_uses_only_rng(dropout_forward: Callable, rate: float = 0.4, seed: int = 12) -> None:
    """Deterministic for a seeded Generator, consumes it, ignores global state; independent elements, no
    repeated blocks in a large mask; across 300 calls with one generator the masks are independent draws
    (no repeats; pairwise agreement, kept counts per call and per position within exact binomial bands).
    False failure <= 1.5e-8."""
    a = np.random.default_rng(9).uniform(0.5, 1.5, size=(60, 50))

    def draw(rng: np.random.Generator) -> np.ndarray:
        out, mask = _forward(dropout_forward, a, rate, rng)
        return np.concatenate([out.ravel(), mask.ravel()])

    _check_uses_only_rng("dropout_forward", draw)
    rng = np.random.default_rng(seed)
    for shape in ((600, 500), (40, 50, 60)):
        out, mask = _forward(dropout_forward, np.ones(shape), rate, rng)
        _check_keep_fraction("dropout_forward (its mask)", mask, rate)
        _check_independent("dropout_forward", (out != 0).astype(np.float64), rate, blocks=True)
    _check_masks_across_calls("dropout_forward", _small_forward_draw(dropout_forward, seed), seed + 1)


def _small_forward_draw(dropout_forward: Callable, seed: int) -> Callable[[np.random.Generator], np.ndarray]:
    """One training call on a small positive input: which entries of out were kept (out != 0).

    The entries actually dropped, whatever the scaling (the inverted-scaling checks judge that) and
    whichever mask is returned (other checks compare it with out).
    """
    a = np.random.default_rng(seed).uniform(0.5, 1.5, size=SMALL_SHAPE)

    def draw(rng: np.random.Generator) -> np.ndarray:
        out, _ = _forward(dropout_forward, a, ACROSS_RATE, rng)
        return (out != 0).astype(np.float64)

    return draw


# ---------------------------------------------------------------------------- dropout_backward
def _backward(dropout_backward: Callable, dout: np.ndarray, mask: np.ndarray, rate: float) -> np.ndarray:
    before_dout, before_mask = dout.copy(), mask.copy()
    where = f"dropout_backward(dout of shape {dout.shape}, mask, rate={rate})"
    result = _numeric_array(call_student_as(dropout_backward, where, dout, mask, rate), where)
    if not (np.array_equal(dout, before_dout) and np.array_equal(mask, before_mask)):
        fail(f"{where} modified dout or mask in place; return a new array.")
    if result.shape != dout.shape:
        fail(f"{where} returned shape {result.shape}, expected dout's shape {dout.shape}.")
    return result.astype(np.float64)


def _diagnose_backward(where: str, da: np.ndarray, expected: np.ndarray, dout: np.ndarray,
                       mask: np.ndarray, rate: float, rtol: float = 1e-5, atol: float = 1e-7) -> None:
    if np.allclose(da, expected, rtol=rtol, atol=atol):
        return
    with np.errstate(all="ignore"):
        _name_backward_mistake(where, da, dout.astype(np.float64), mask.astype(np.float64), rate, rtol, atol)
    fail(f"{where}: the gradient differs from dout * mask / (1 - rate) (largest difference "
         f"{np.max(np.abs(da - expected)):.3g}).")


def _name_backward_mistake(where: str, da: np.ndarray, dout: np.ndarray, mask: np.ndarray, rate: float,
                           rtol: float, atol: float) -> None:
    candidates = [
        (dout * mask, "the gradient is not scaled: the forward pass divided the kept activations by "
                      "1 - rate, so their gradient is divided by 1 - rate too"),
        (dout / (1 - rate), "the mask is missing: a dropped unit did not affect the output, so its "
                            "gradient is 0 (multiply by mask)"),
        (dout * mask / rate, "it divides by rate; the forward pass divided by 1 - rate"),
        (dout * mask * (1 - rate), "it multiplies by 1 - rate; the forward pass divided by 1 - rate, so "
                                   "the gradient is divided by it too"),
        (dout * (1 - mask) / (1 - rate), "it passes the gradient of the dropped units (1 - mask): only "
                                         "kept units (mask = 1) get a gradient"),
        (dout, "it returns dout unchanged: multiply by mask / (1 - rate)"),
    ]
    for value, message in candidates:
        if np.allclose(da, value, rtol=rtol, atol=atol):
            fail(f"{where}: {message}.")


def check_dropout_backward(dropout_backward: Callable, dout: np.ndarray, mask: np.ndarray, rate: float) -> None:
    """``dropout_backward(dout, mask, rate) == dout * mask / (1 - rate)``."""
    dout, mask = np.asarray(dout), np.asarray(mask)
    da = _backward(dropout_backward, dout, mask, rate)
    expected = dout.astype(np.float64) * mask.astype(np.float64) / (1 - rate)
    _diagnose_backward(f"dropout_backward(dout, mask, rate={rate})", da, expected, dout, mask, rate)


def numerical_gradient(loss: Callable[[np.ndarray], float], a: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of a scalar ``loss`` with respect to every entry of ``a`` (float64)."""
    a = a.astype(np.float64)
    grad = np.zeros_like(a)
    for index in np.ndindex(a.shape):
        plus, minus = a.copy(), a.copy()
        plus[index] += eps
        minus[index] -= eps
        grad[index] = (loss(plus) - loss(minus)) / (2 * eps)
    return grad


def gradient_check_case(seed: int, variant: int | None = None) -> dict[str, Any]:
    """A seeded case: input ``a``, a FIXED 0/1 ``mask`` (float64, int or float32), rate, weights ``c``.

    The loss is ``sum(c * tanh(a * mask / (1 - rate)))``; with the mask fixed, forward is a
    differentiable function of ``a`` whose gradient the backward pass must give.
    """
    rng = np.random.default_rng(700 + seed)
    variant = seed if variant is None else variant
    shapes = [(7,), (5, 6), (2, 3, 4), (8, 3)]
    rates = [0.1, 0.3, 0.5, 0.75, 0.0]
    shape, rate = shapes[variant % len(shapes)], rates[variant % len(rates)]
    mask = (rng.random(shape) >= rate).astype([np.float64, np.int64, np.float32][variant % 3])
    return {"a": rng.normal(size=shape), "mask": mask, "rate": rate, "c": rng.normal(size=shape)}


def check_dropout_backward_gradient(dropout_backward: Callable, seeds: Sequence[int] = range(6)) -> None:
    """Numerical gradient check: the backward pass equals central differences of
    ``sum(c * tanh(forward(a)))`` with the forward pass ``a * mask / (1 - rate)`` for a fixed mask."""
    for n, seed in enumerate(seeds):
        case = gradient_check_case(seed, variant=n)
        a, mask, rate, c = case["a"], case["mask"], case["rate"], case["c"]
        scale = mask.astype(np.float64) / (1 - rate)

        def loss(x: np.ndarray, c: np.ndarray = c, scale: np.ndarray = scale) -> float:
            return float(np.sum(c * np.tanh(x * scale)))

        out = a * scale
        dout = c * (1 - np.tanh(out) ** 2)  # gradient of the loss with respect to the forward output
        numeric = numerical_gradient(loss, a)
        da = _backward(dropout_backward, dout, mask, rate)
        where = (f"dropout_backward on a {a.shape} case (rate={rate}, mask dtype {mask.dtype}) against the "
                 "numerical gradient")
        _diagnose_backward(where, da, numeric, dout, mask, rate, rtol=1e-5, atol=1e-6)


def check_dropout_backward_on_random_inputs(dropout_backward: Callable, seeds: Sequence[int] = range(6)) -> None:
    """Random shapes, dtypes and rates (rate 0 included): exactly dout * mask / (1 - rate)."""
    for n, seed in enumerate(seeds):  # the position picks the variant; the seed, the numbers
        rng = np.random.default_rng(900 + seed)
        shape = [(12,), (9, 4), (3, 4, 5)][n % 3]
        rate = [0.0, 0.2, 0.45, 0.9][n % 4]
        dout = rng.normal(size=shape).astype([np.float32, np.float64][n % 2])
        mask = (rng.random(shape) >= rate).astype([np.int64, np.float64, np.float32][n % 3])
        check_dropout_backward(dropout_backward, dout, mask, rate)


# ---------------------------------------------------------------------------- mc_dropout_predict
class RecordingModel:
    """Stands in for a Keras model: its i-th call returns ``outputs[i]`` as a TensorFlow tensor.

    It records the ``training`` argument of every call; ``predict`` is recorded too (and returns
    the same outputs as NumPy arrays) so that a check can say it was used.
    """

    # Called by reference from the grading sandbox: the calls run (and are recorded) here.
    __grading_remote__: ClassVar[tuple[str, ...]] = ("__call__", "predict")

    def __init__(self, outputs: Sequence[np.ndarray], as_numpy: bool = False):
        self.outputs = [np.asarray(o, dtype=np.float32) for o in outputs]
        self.as_numpy = as_numpy  # the contract allows models that return NumPy arrays
        self.training_args: list[Any] = []
        self.predict_calls = 0

    def __repr__(self) -> str:
        kind = "NumPy arrays" if self.as_numpy else "tensors"
        return f"RecordingModel({len(self.outputs)} outputs of shape {self.outputs[0].shape}, returns {kind})"

    def _next(self) -> np.ndarray:
        return self.outputs[(len(self.training_args) + self.predict_calls - 1) % len(self.outputs)]

    def __call__(self, X: Any, training: Any = None, **kwargs: Any):
        self.training_args.append(training)
        if self.as_numpy:
            return self._next().copy()
        keras = import_keras()
        with quiet():
            return keras.ops.convert_to_tensor(self._next())

    def predict(self, X: Any, *args: Any, **kwargs: Any) -> np.ndarray:
        self.predict_calls += 1
        return self._next().copy()


class _KerasModelProxy:
    """A real Keras model whose ``predict`` is recorded and fails at once (``predict`` is slow, runs in
    inference mode, and would make a wrong answer take long)."""

    # Called by reference from the grading sandbox: the model runs here, and so does the record.
    __grading_remote__: ClassVar[tuple[str, ...]] = ("__call__", "predict")

    def __init__(self, model: Any):
        self._model = model
        self.predict_calls = 0

    def __repr__(self) -> str:
        return f"<Keras model {self._model.name!r}>"

    def __call__(self, *args: Any, **kwargs: Any):
        return self._model(*args, **kwargs)

    def predict(self, *args: Any, **kwargs: Any):
        self.predict_calls += 1
        fail(f"mc_dropout_predict {_PREDICT_MESSAGE}")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_model":  # pickling probes these before _model exists
            raise AttributeError(name)
        return getattr(self._model, name)


def recorded_outputs(n_passes: int, shape: tuple = (6, 3), seed: int = 0) -> list[np.ndarray]:
    """Known outputs for a :class:`RecordingModel`: the first ``n_passes`` define the expected answer,
    a few extra ones are there for implementations that call the model too often."""
    rng = np.random.default_rng(50 + seed)
    return [rng.uniform(0, 1, size=shape).astype(np.float32) for _ in range(n_passes + 3)]


_PREDICT_MESSAGE = ("uses model.predict, which runs the model in inference mode: dropout is off and every pass "
                    "gives the same output. Call model(X, training=True).")


def _fail_if_predict_used(model: Any, where: str) -> None:
    """The model's own record (kept by the grader) says whether ``predict`` was called."""
    if getattr(model, "predict_calls", 0):
        fail(f"{where} {_PREDICT_MESSAGE}")


def _mc_result(mc_dropout_predict: Callable, model: Any, X: Any, n_passes: int,
               shape: tuple) -> tuple[np.ndarray, np.ndarray]:
    where = f"mc_dropout_predict(model, X, n_passes={n_passes})"
    try:
        with quiet():
            result = call_student_as(mc_dropout_predict, where, model, X, n_passes)
    except CheckFailed as error:
        _fail_if_predict_used(model, where)  # the likelier cause, even when the function swallowed it
        if "has no attribute 'numpy'" in str(error):
            fail(f"{error} The model may return a NumPy array rather than a tensor: convert each pass with "
                 "np.asarray(...), which works for both.")
        raise
    _fail_if_predict_used(model, where)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        fail(f"{where} should return a pair (mean, std), got {type(result).__name__}.")
    arrays = []
    for part, name in zip(result, ("mean", "std")):
        if not isinstance(part, np.ndarray):
            kind = (getattr(part, "type_name", None) or f"{type(part).__module__}.{type(part).__name__}")[:120]
            fail(f"{where} returns {name} as a {kind}; the contract "
                 "asks for NumPy arrays: convert the passes (np.asarray) and compute with NumPy, or convert "
                 "the results with np.asarray.")
        try:
            array = np.asarray(part, dtype=np.float64)
        except Exception:  # noqa: BLE001 - a student's value may raise anything on conversion
            fail(f"{where}: {name} should be a NumPy array, got {type(part).__name__}.")
        if array.shape != shape:
            fail(f"{where}: {name} has shape {array.shape}, expected {shape} (the shape of one prediction: "
                 "average over the passes, axis 0 of the stacked passes, not over samples or classes).")
        arrays.append(array)
    return arrays[0], arrays[1]


def check_mc_dropout_predict(mc_dropout_predict: Callable, n_passes: int = 5, shape: tuple = (6, 3),
                             seed: int = 0, as_numpy: bool = False) -> None:
    """With a recording model whose i-th call returns a known array (a TensorFlow tensor, or a NumPy
    array with ``as_numpy``): exactly ``n_passes`` calls, each with ``training=True``; the mean and
    the population std (ddof=0) of those outputs."""
    outputs = recorded_outputs(n_passes, shape, seed)
    model = RecordingModel(outputs, as_numpy=as_numpy)
    X = np.random.default_rng(seed).normal(size=(shape[0], 4)).astype(np.float32)
    where = f"mc_dropout_predict(model, X, n_passes={n_passes})"
    mean, std = _mc_result(mc_dropout_predict, model, X, n_passes, shape)  # fails if model.predict was used
    wrong_training = [t for t in model.training_args if t is not True and not (isinstance(t, np.bool_) and t)]
    if wrong_training:
        fail(f"{where} called the model with training={wrong_training[0]!r}: dropout is only active with "
             "training=True, so Monte Carlo dropout must call model(X, training=True).")
    calls = len(model.training_args)
    if calls != n_passes:
        off_by = {n_passes + 1: "one too many", n_passes - 1: "one too few"}.get(calls, "check the loop")
        fail(f"{where} called the model {calls} times; it must call it exactly n_passes = {n_passes} times "
             f"({off_by}).")
    stacked = np.stack([o.astype(np.float64) for o in outputs[:n_passes]])
    expected_mean, expected_std = stacked.mean(axis=0), stacked.std(axis=0)
    if np.allclose(mean, expected_std, rtol=1e-4, atol=1e-6) and np.allclose(std, expected_mean, rtol=1e-4, atol=1e-6):
        fail(f"{where} returns (std, mean); the contract's order is (mean, std).")
    if not np.allclose(mean, expected_mean, rtol=1e-5, atol=1e-6):
        fail(f"{where}: mean is not the element-wise mean of the {n_passes} passes (largest difference "
             f"{np.max(np.abs(mean - expected_mean)):.3g}).")
    if np.allclose(std, expected_std, rtol=1e-4, atol=1e-6):
        return
    if np.any(np.isnan(std)):
        fail(f"{where}: std holds NaN" + (" (ddof=1 with a single pass divides by 0)" if n_passes == 1 else "")
             + "; the contract asks for the population standard deviation over the passes, ddof=0 (np.std's "
             "default), which is 0 for one pass.")
    if n_passes > 1 and np.allclose(std, stacked.std(axis=0, ddof=1), rtol=1e-4, atol=1e-6):
        fail(f"{where}: std uses ddof=1 (the sample standard deviation); the contract asks for the population "
             "standard deviation over the passes, ddof=0 (NumPy's default np.std).")
    if np.allclose(std, expected_std ** 2, rtol=1e-4, atol=1e-6):
        fail(f"{where} returns the variance as std; take its square root (np.std, not np.var).")
    fail(f"{where}: std is not the element-wise standard deviation (ddof=0) of the {n_passes} passes (largest "
         f"difference {np.max(np.abs(std - expected_std)):.3g}).")


def check_mc_dropout_predict_passes(mc_dropout_predict: Callable, pass_counts: Sequence[int] = (1, 2, 13),
                                    shapes: Sequence[tuple] = ((4, 10), (7, 1), (3, 5))) -> None:
    """Other pass counts and output shapes (n_passes=1 gives std 0), a model that returns NumPy
    arrays instead of tensors; ValueError when n_passes < 1."""
    for i, (n_passes, shape) in enumerate(zip(pass_counts, shapes)):
        check_mc_dropout_predict(mc_dropout_predict, n_passes=n_passes, shape=shape, seed=10 + i)
    check_mc_dropout_predict(mc_dropout_predict, n_passes=4, shape=(5, 2), seed=20, as_numpy=True)
    for bad in (0, -2):
        model = RecordingModel(recorded_outputs(2))
        where = f"mc_dropout_predict(model, X, n_passes={bad})"
        try:
            with quiet():
                mc_dropout_predict(model, np.zeros((6, 4), np.float32), bad)
        except ValueError:
            continue
        except NotImplementedError:
            fail("mc_dropout_predict is not implemented yet: it still raises NotImplementedError.")
        except Exception as error:  # noqa: BLE001 - student code: any other error is reported as the wrong one
            fail(f"{where} should raise ValueError (n_passes must be at least 1), but raised "
                 f"{type(error).__name__}: {error}")
        fail(f"{where} should raise ValueError: n_passes must be at least 1 (there is nothing to average).")


def check_mc_dropout_predict_keras(mc_dropout_predict: Callable, n_passes: int = 100,
                                   shape: tuple = (40, 50), seed: int = 0) -> None:
    """Real Keras models. Only ``Dropout(0.5)`` on ones: each pass gives 0 or 2, so the mean is about 1
    and, exactly, std**2 == 2*mean - mean**2 (ddof 0); the spread is about 1. Without dropout:
    std 0 and the mean equals model(X)."""
    keras = import_keras()
    with quiet():
        dropout_model = keras.Sequential([keras.Input(shape=(shape[1],)), keras.layers.Dropout(0.5, seed=seed)])
        plain_model = keras.Sequential([keras.Input(shape=(shape[1],)), keras.layers.Dense(3, activation="tanh")])
        X = np.ones(shape, dtype=np.float32)
        plain_output = np.asarray(plain_model(X)).astype(np.float64)
    where = f"mc_dropout_predict(a Keras model holding only Dropout(0.5), X of ones, n_passes={n_passes})"
    mean, std = _mc_result(mc_dropout_predict, _KerasModelProxy(dropout_model), X, n_passes, shape)
    if np.all(std == 0):
        fail(f"{where}: std is 0 everywhere, so every pass gave the same output: dropout was off. Call "
             "model(X, training=True) (model.predict and model(X) run in inference mode).")
    n = mean.size
    # mean of n_passes draws of 2*Bernoulli(0.5): sd 1/sqrt(n_passes) per element
    tol = SIGMAS / math.sqrt(n_passes * n)
    require(abs(mean.mean() - 1) <= tol,
            f"{where}: the mean prediction averages {mean.mean():.4f}; inverted dropout on ones gives 1 on "
            f"average (within {tol:.4f}).")
    # for outputs in {0, 2}: population variance = E[x^2] - E[x]^2 = 2*mean - mean^2, exactly
    identity = 2 * mean - mean ** 2
    if not np.allclose(std ** 2, identity, rtol=1e-4, atol=1e-5):
        if np.allclose(std ** 2, identity * n_passes / (n_passes - 1), rtol=1e-4, atol=1e-5):
            fail(f"{where}: std uses ddof=1; the contract asks for the population std (ddof=0).")
        if np.allclose(std, identity, rtol=1e-4, atol=1e-5):
            fail(f"{where} returns the variance as std; take its square root.")
        fail(f"{where}: std is not the standard deviation over the passes (for outputs 0 or 2, "
             "std**2 must equal 2*mean - mean**2).")
    require(abs(std.mean() - 1) <= 0.05,
            f"{where}: the spread averages {std.mean():.3f}; one pass gives 0 or 2, so about 1 is expected.")
    where = "mc_dropout_predict(a Keras model without dropout, X, n_passes=10)"
    mean, std = _mc_result(mc_dropout_predict, _KerasModelProxy(plain_model), X, 10, (shape[0], 3))
    require(np.allclose(mean, plain_output, rtol=1e-5, atol=1e-6),
            f"{where}: the mean should equal the model's output, since every pass is the same.")
    require(np.all(np.abs(std) <= 1e-6), f"{where}: std should be 0 (every pass is the same); largest "
                                         f"{np.max(np.abs(std)):.3g}.")
