"""Exact statistics for the checks of functions whose contract says "random".

Low-entropy code (a mask picked by one random bit from two fixed masks, a seed reduced with
``seed % 256``) gives the right shapes, sizes and averages; what gives it away is how different
calls and different seeds relate. The checks therefore look at many calls or many seeds at once:

- repeats: independent draws of a large enough object (64 mask entries, a 24-subset of 96
  indices) essentially never coincide, so the chance that a correct implementation repeats one
  is the birthday bound ``C(N, 2) * P(two draws are equal)``, computed exactly;
- agreement between pairs: the number of entries two independent masks share is binomial, the
  number of indices two independent validation parts share is hypergeometric; sums over
  disjoint pairs have the convolution of those laws;
- per-position and per-call counts: binomial.

Every band comes from the exact distribution (no normal approximation), cut so that a correct
implementation lands outside with probability at most :data:`ALPHA` per side of each statistic;
the false-failure bound of each check is the sum over its statistics (union bound), written next
to the check. NumPy and the standard library only: no SciPy import in the grading processes.
"""

from __future__ import annotations

import math

import numpy as np

ALPHA = 1e-9  # per side of each statistic


def binomial_pmf(trials: int, p: float) -> np.ndarray:
    """``P(X = x)`` for ``x = 0 .. trials``, X ~ Binomial(trials, p)."""
    x = np.arange(trials + 1)
    if p <= 0 or p >= 1:
        pmf = np.zeros(trials + 1)
        pmf[0 if p <= 0 else trials] = 1.0
        return pmf
    log = (math.lgamma(trials + 1) - np.array([math.lgamma(k + 1) + math.lgamma(trials - k + 1) for k in x])
           + x * math.log(p) + (trials - x) * math.log1p(-p))
    pmf = np.exp(log)
    return pmf / pmf.sum()


def hypergeometric_pmf(population: int, marked: int, draws: int) -> np.ndarray:
    """``P(X = x)`` for ``x = 0 .. draws``: X marked items among ``draws`` taken without replacement."""
    total = math.comb(population, draws)
    return np.array([math.comb(marked, x) * math.comb(population - marked, draws - x) / total
                     for x in range(draws + 1)])


def sum_pmf(pmf: np.ndarray, times: int) -> np.ndarray:
    """Distribution of the sum of ``times`` independent copies of a variable with law ``pmf``."""
    result = np.array([1.0])
    for _ in range(times):
        result = np.convolve(result, pmf)
    return result


def at_least(pmf: np.ndarray, alpha: float = ALPHA) -> int:
    """The smallest ``t`` with ``P(X >= t) <= alpha`` (``len(pmf)`` when there is none)."""
    tail = np.cumsum(pmf[::-1])[::-1]  # tail[t] = P(X >= t)
    small = np.flatnonzero(tail <= alpha)
    return int(small[0]) if small.size else len(pmf)


def at_most(pmf: np.ndarray, alpha: float = ALPHA) -> int:
    """The largest ``t`` with ``P(X <= t) <= alpha`` (-1 when there is none)."""
    small = np.flatnonzero(np.cumsum(pmf) <= alpha)
    return int(small[-1]) if small.size else -1


def band(pmf: np.ndarray, alpha: float = ALPHA) -> tuple[int, int]:
    """``(low, high)``: a value outside ``low .. high`` has probability at most ``alpha`` per side."""
    return at_most(pmf, alpha) + 1, at_least(pmf, alpha) - 1


def central_window(pmf: np.ndarray) -> tuple[int, int, float]:
    """A window ``lo .. hi`` around the mode holding about half the mass, and its exact mass."""
    lo = hi = int(np.argmax(pmf))
    while pmf[lo:hi + 1].sum() < 0.5:
        if hi + 1 < len(pmf) and (lo == 0 or pmf[hi + 1] >= pmf[lo - 1]):
            hi += 1
        else:
            lo -= 1
    return lo, hi, float(pmf[lo:hi + 1].sum())


def circular_shift_overlaps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``out[t] = |B ∩ ((A + t) mod n)|`` for 0/1 indicator vectors ``a``, ``b`` of length n."""
    n = len(a)
    rolled = a[(np.arange(n)[None, :] - np.arange(n)[:, None]) % n]  # row t: np.roll(a, t)
    return rolled @ b


def shift_text(t: int, n: int) -> str:
    return "the same indices" if t == 0 else f"the same indices shifted by {t if t <= n // 2 else t - n:+d}"


def describe_difference(a: int, b: int) -> str:
    """``b`` written as ``a`` plus a power of two or of ten when it is one (for messages)."""
    d = abs(b - a)
    low, high = min(a, b), max(a, b)
    if d > 1 and d & (d - 1) == 0:
        return f"{low} and {high} = {low} + 2**{d.bit_length() - 1}"
    power = round(math.log10(d)) if d > 0 else 0
    if d > 1 and d == 10 ** power:
        return f"{low} and {high} = {low} + 10**{power}"
    return f"{low} and {high}"


def reduction_hint(offset: int) -> str:
    """The likely reduction of the seed when seeds ``offset`` apart give one result."""
    if offset == 1:
        return "seed // m, seed >> b or int(str(seed)[:3])? The low bits or last digits are dropped"
    if offset & (offset - 1) == 0:
        return f"seed % {offset} or seed & {hex(offset - 1)}?"
    power = round(math.log10(offset))
    return f"seed % 10**k for some k <= {power}, seed % 1000 or only its last digits?"
