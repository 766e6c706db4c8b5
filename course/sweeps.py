"""A setting swept over seeds (chapter 05's L2 factor, chapter 06's dropout rate): the spread of a
figure per setting, whether validation loss is U-shaped in it, and the setting chosen on
validation and then tested once. Every network is :mod:`course.fashion`'s, trained (or found in
its cache) by :func:`course.fashion.train`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from course import fashion
from course.spread import Spread, consistently_positive, paired_effect


def is_u_shaped(spreads: Sequence[Spread]) -> bool:
    """True when the lowest mean is at an inner setting and both ends are above it in every seed
    (each Spread holds one value per seed, in the same seed order)."""
    means = [s.mean for s in spreads]
    best = int(np.argmin(means))
    return (0 < best < len(spreads) - 1 and consistently_positive(paired_effect(spreads[0], spreads[best]))
            and consistently_positive(paired_effect(spreads[-1], spreads[best])))


def sweep_spreads(frame: pd.DataFrame, setting: str, figure: str) -> dict[float, Spread]:
    """``{setting value: Spread of figure over seeds}`` from a sweep table."""
    return {float(value): Spread.of(group[figure]) for value, group in frame.groupby(setting, sort=True)}


@dataclass(frozen=True)
class ChosenSetting:
    """The setting of a sweep with the lowest mean validation loss, and its one test evaluation."""

    setting: str
    value: float
    val_crossentropy: Spread
    val_accuracy: Spread
    test_crossentropy: Spread
    test_accuracy: Spread

    def __str__(self) -> str:
        return (f"{self.setting} {self.value:g}: validation cross-entropy {self.val_crossentropy}, accuracy "
                f"{self.val_accuracy}; test cross-entropy {self.test_crossentropy}, accuracy {self.test_accuracy}")


def choose_on_validation(frame: pd.DataFrame, setting: str, spec_for: Callable[[float], fashion.NetworkSpec],
                         fast: bool | None = None) -> ChosenSetting:
    """Pick the sweep's value with the lowest mean validation cross-entropy, then evaluate the
    networks of that value (one per seed, already trained) on the test images, once."""
    loss = sweep_spreads(frame, setting, "val crossentropy")
    value = min(loss, key=lambda v: loss[v].mean)
    seeds = sorted(frame.loc[frame[setting] == value, "seed"])
    runs = [fashion.train(spec_for(value), seed, fashion.task_size(fast)) for seed in seeds]
    test = [run.test_scores() for run in runs]
    return ChosenSetting(setting, value, loss[value], sweep_spreads(frame, setting, "val accuracy")[value],
                         Spread.of(t[0] for t in test), Spread.of(t[1] for t in test))


def sweep_figures(frame: pd.DataFrame, setting: str, spec_for: Callable[[float], fashion.NetworkSpec],
                  fast: bool | None, best_key: str) -> tuple[list[Spread], dict[str, float], str]:
    """What claims 16 and 17 report of a sweep: the validation loss of each setting (in order), the
    figures (loss and accuracy per setting, the chosen setting and its test scores) and a summary."""
    loss = sweep_spreads(frame, setting, "val crossentropy")
    accuracy = sweep_spreads(frame, setting, "val accuracy")
    chosen = choose_on_validation(frame, setting, spec_for, fast)
    figures = {best_key: chosen.value, **chosen.test_crossentropy.figures("test_ce_at_best"),
               **chosen.test_accuracy.figures("test_accuracy_at_best")}
    for value in sorted(loss):
        figures.update(loss[value].figures(f"val_ce_at_{value:g}"))
        figures.update(accuracy[value].figures(f"val_accuracy_at_{value:g}"))
    summary = (f"validation cross-entropy at the end by {setting}: "
               + ", ".join(f"{value:g}: {loss[value]}" for value in sorted(loss))
               + f"; chosen on validation, then tested once: {chosen}")
    return [loss[value] for value in sorted(loss)], figures, summary
