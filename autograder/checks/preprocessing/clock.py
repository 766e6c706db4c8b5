"""Checks of ``clock_angle_features``: the angle of a clock hand as (sin, cos), for hands in every
quadrant and of any length.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from autograder.checks import call_student, fail
from autograder.checks.preprocessing._common import _as_array, _require_unchanged

TWO_PI = 2 * np.pi


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
