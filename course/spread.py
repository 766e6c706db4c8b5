"""A figure measured over several seeds, with its spread, and the rule that a claim needs.

A claim "holds only when the effect exceeds the spread": here, when the two ranges over seeds
do not overlap (every seed of one setting beats every seed of the other). That is stricter
than a difference of means, and easy to read off a table: ``0.484 (0.429-0.532)`` against
``0.611 (0.591-0.635)``.
"""

from __future__ import annotations

from collections.abc import Iterable
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

    def format(self, fmt: str = ".3f") -> str:
        """``mean (min-max)``, the form the chapters quote."""
        return f"{self.mean:{fmt}} ({self.min:{fmt}}-{self.max:{fmt}})"

    def __str__(self) -> str:
        return self.format()

    def figures(self, name: str) -> dict[str, float]:
        """``{name_mean, name_min, name_max}`` for the reproduction table."""
        return {f"{name}_mean": self.mean, f"{name}_min": self.min, f"{name}_max": self.max}


def clearly_below(lower: Spread, higher: Spread) -> bool:
    """True when every value of ``lower`` is below every value of ``higher``: the effect exceeds
    the spread between seeds."""
    return lower.max < higher.min


def every_seed(flags: Iterable[bool]) -> bool:
    """True when a per-seed comparison holds for every seed (and there is at least one)."""
    flags = [bool(f) for f in flags]
    return bool(flags) and all(flags)
