"""A figure measured over several seeds, with its spread, and the rule that a claim needs.

A claim "holds only when the effect exceeds the spread". Two readings, used where each fits:

- **Paired** (:func:`paired_effect`, :func:`consistently_positive`): when two settings are
  trained on the same seed (the same images drawn, the same initial weights), the effect is the
  per-seed difference, and it holds when its whole range over the seeds lies above zero: better
  in every seed, whatever the seed-to-seed noise of the figure itself. Most comparisons in the
  course are of this kind: a different seed draws different images, which moves every setting's
  figure together.
- **Unpaired** (:func:`clearly_below`): the two ranges over seeds do not overlap at all (every seed
  of one setting beats every seed of the other): stricter, for figures that are not paired.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Spread:
    """One figure over seeds: the values in seed order, their mean, minimum and maximum."""

    values: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.values:
            raise ValueError("a spread needs at least one value")
        if not all(np.isfinite(self.values)):
            raise ValueError(f"a spread needs finite values, got {self.values}")

    @classmethod
    def of(cls, values: Iterable[float]) -> Spread:
        return cls(tuple(float(v) for v in values))

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    @property
    def min(self) -> float:
        return float(np.min(self.values))

    @property
    def max(self) -> float:
        return float(np.max(self.values))

    @property
    def width(self) -> float:
        """Largest minus smallest value: the seed-to-seed noise."""
        return self.max - self.min

    @property
    def std(self) -> float:
        """Standard deviation over the seeds (of the values themselves: ``ddof=0``)."""
        return float(np.std(self.values))

    def format(self, fmt: str = ".3f") -> str:
        """``mean (min-max)``, the form the chapters quote."""
        return f"{self.mean:{fmt}} ({self.min:{fmt}}-{self.max:{fmt}})"

    def __str__(self) -> str:
        return self.format()

    def __format__(self, fmt: str) -> str:
        """``f"{spread:.2f}"`` is :meth:`format` with that number format (``f"{spread}"``: ``.3f``)."""
        return self.format(fmt) if fmt else self.format()

    def figures(self, name: str) -> dict[str, float]:
        """``{name_mean, name_min, name_max}`` for the reproduction table."""
        return {f"{name}_mean": self.mean, f"{name}_min": self.min, f"{name}_max": self.max}


def figures_of(named: Mapping[str, Spread]) -> dict[str, float]:
    """The table's figures of several spreads: ``{name_mean, name_min, name_max}`` for each name."""
    return {key: value for name, spread in named.items() for key, value in spread.figures(name).items()}


def labelled(values: Mapping[str, object], fmt: str = "") -> str:
    """``"L2 0.484 (0.429-0.532), dropout 0.501 (...)"``: each name and its value (a number or a
    :class:`Spread`, formatted with ``fmt``), comma-separated: the lists of a claim's summary."""
    return ", ".join(f"{name} {value:{fmt}}" for name, value in values.items())


def clearly_below(lower: Spread, higher: Spread) -> bool:
    """True when every value of ``lower`` is below every value of ``higher``: the effect exceeds
    the spread between seeds."""
    return lower.max < higher.min


def paired_effect(higher: Spread, lower: Spread) -> Spread:
    """Per-seed ``higher - lower`` of two figures measured on the same seeds (in the same order)."""
    if len(higher.values) != len(lower.values):
        raise ValueError("a paired effect needs the same seeds on both sides")
    return Spread.of(h - low for h, low in zip(higher.values, lower.values))


def consistently_positive(effect: Spread) -> bool:
    """True when the effect is above zero in every seed: its range over the seeds excludes zero."""
    return effect.min > 0


def every_seed(flags: Iterable[bool]) -> bool:
    """True when a per-seed comparison holds for every seed (and there is at least one)."""
    flags = [bool(f) for f in flags]
    return bool(flags) and all(flags)
