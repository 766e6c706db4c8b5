"""The statistics of dropout masks that the ``dropout_mask`` and
``dropout_forward`` checks share, each with binomial tolerances of :data:`SIGMAS` standard
deviations or exact bands (:mod:`autograder.checks.randomness`): the share kept, independence of
neighbouring elements, no repeated block in a large mask, independence across calls
(:func:`check_masks_across_calls`), and randomness drawn only from the ``rng`` argument.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Iterator

import numpy as np

from autograder.checks import fail
from autograder.checks.dropout._common import (
    ACROSS_CALLS,
    ACROSS_RATE,
    SMALL_SHAPE,
    _tolerance,
)
from autograder.checks.randomness import ALPHA, at_least, at_most, band, binomial_pmf, central_window


@contextlib.contextmanager
def _saved_global_random_state() -> Iterator[None]:
    """Restore NumPy's global generator and Python's ``random`` after a check re-seeds them."""
    numpy_state, python_state = np.random.get_state(), random.getstate()
    try:
        yield
    finally:
        np.random.set_state(numpy_state)
        random.setstate(python_state)

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


def check_masks_across_calls(name: str, draw_keep: Callable[[np.random.Generator], np.ndarray], seed: int,
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
