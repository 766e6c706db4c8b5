"""Synthetic clock data for the feature-engineering example of chapter 03.

A seeded generator draws random times; each time becomes three representations of the same
fact:

* ``images``: rendered clock faces, float32 ``(n, size, size)`` in [0, 1] (the raw pixels);
* ``hand_tips``: the tip coordinates of the hour and minute hands relative to the centre,
  ``(hour_x, hour_y, minute_x, minute_y)`` with x to the right and y up (12 o'clock is
  ``(0, 1)``); each clock has its own hand lengths, as different clocks do;
* ``angles``: the hand angles in radians, clockwise from 12 o'clock, in [0, 2*pi).

The target is the hour shown (0..11, where 0 is 12 o'clock) or the time in minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

HOUR_LENGTH_RANGE = (0.40, 0.55)
MINUTE_LENGTH_RANGE = (0.70, 0.90)


@dataclass(frozen=True)
class ClockData:
    """Random clock readings in three representations (see the module docstring)."""

    hours: np.ndarray      # int64 (n,) in 0..11
    minutes: np.ndarray    # int64 (n,) in 0..59
    hand_tips: np.ndarray  # float64 (n, 4)
    angles: np.ndarray     # float64 (n, 2), hour then minute hand
    images: np.ndarray     # float32 (n, size, size)

    def __len__(self) -> int:
        return len(self.hours)

    @property
    def pixels(self) -> np.ndarray:
        """The images flattened to ``(n, size * size)`` (what a dense model sees)."""
        return self.images.reshape(len(self.images), -1)

    def subset(self, rows: np.ndarray) -> ClockData:
        return ClockData(self.hours[rows], self.minutes[rows], self.hand_tips[rows],
                         self.angles[rows], self.images[rows])


def hand_angles(hours: np.ndarray, minutes: np.ndarray) -> np.ndarray:
    """Clockwise angles from 12 o'clock in [0, 2*pi): column 0 hour hand, column 1 minute hand.

    The hour hand moves on between the hours: at 3:30 it is half-way from 3 to 4.
    """
    hours = np.asarray(hours, dtype=np.float64)
    minutes = np.asarray(minutes, dtype=np.float64)
    if np.any((hours < 0) | (hours >= 12)) or np.any((minutes < 0) | (minutes >= 60)):
        raise ValueError("hours must lie in [0, 12) and minutes in [0, 60)")
    hour_angle = 2 * np.pi * ((hours + minutes / 60.0) % 12) / 12
    minute_angle = 2 * np.pi * minutes / 60.0
    return np.stack([hour_angle, minute_angle], axis=1)


def tips_from_angles(angles: np.ndarray, hour_length: np.ndarray | float = 0.5,
                     minute_length: np.ndarray | float = 0.8) -> np.ndarray:
    """Hand-tip coordinates ``(hour_x, hour_y, minute_x, minute_y)`` for clockwise angles."""
    angles = np.asarray(angles, dtype=np.float64)
    lengths = np.stack(np.broadcast_arrays(np.asarray(hour_length, dtype=np.float64),
                                           np.asarray(minute_length, dtype=np.float64),
                                           angles[:, 0]), axis=1)[:, :2]
    x = lengths * np.sin(angles)  # clockwise from 12: x = L sin(theta), y = L cos(theta)
    y = lengths * np.cos(angles)
    return np.stack([x[:, 0], y[:, 0], x[:, 1], y[:, 1]], axis=1)


def render_clock_faces(hand_tips: np.ndarray, size: int = 28, line_width: float = 0.07,
                       centres: np.ndarray | None = None, scales: np.ndarray | None = None,
                       noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """Draw each clock as a ``size x size`` grey image: a rim and two hands.

    Hands are anti-aliased line segments from the centre to their tips (the hour hand is
    drawn thicker). ``centres`` (n, 2) moves each clock in the picture and ``scales`` (n,)
    shrinks it, as photos of real clocks would; ``noise`` adds seeded Gaussian pixel noise.
    Returns float32 ``(n, size, size)`` in [0, 1]; row 0 is the top.
    """
    hand_tips = np.asarray(hand_tips, dtype=np.float64)
    if hand_tips.ndim != 2 or hand_tips.shape[1] != 4:
        raise ValueError(f"hand_tips must have shape (n, 4), got {hand_tips.shape}")
    n = len(hand_tips)
    centres = np.zeros((n, 2)) if centres is None else np.asarray(centres, dtype=np.float64)
    scales = np.ones(n) if scales is None else np.asarray(scales, dtype=np.float64)
    pixel = 2.2 / size  # the face spans [-1.1, 1.1] in both directions
    coords = (np.arange(size) + 0.5) * pixel - 1.1
    grid_x, grid_y = np.meshgrid(coords, -coords)  # y up: the first row is the top of the image
    gx = grid_x[None] - centres[:, 0, None, None]
    gy = grid_y[None] - centres[:, 1, None, None]
    s = scales[:, None, None]
    rim = np.clip(1 - np.abs(np.hypot(gx, gy) - s) / pixel, 0, 1)
    images = rim.astype(np.float32)
    for tip, width in (((0, 1), 1.6 * line_width), ((2, 3), line_width)):
        tx = s * hand_tips[:, tip[0], None, None]
        ty = s * hand_tips[:, tip[1], None, None]
        length2 = np.maximum(tx ** 2 + ty ** 2, 1e-12)
        t = np.clip((gx * tx + gy * ty) / length2, 0.0, 1.0)
        distance = np.hypot(gx - t * tx, gy - t * ty)
        ink = np.clip(1 - (distance - width / 2) / pixel, 0, 1)
        images = np.maximum(images, ink.astype(np.float32))
    if noise:
        images = images + np.random.default_rng(seed).normal(0, noise, images.shape).astype(np.float32)
    return np.clip(images, 0, 1).astype(np.float32)


def make_clock_data(n: int, seed: int, size: int = 28, jitter: float = 0.12,
                    noise: float = 0.1) -> ClockData:
    """``n`` random clock readings (uniform hours and minutes) drawn from ``seed``.

    Each picture is moved by up to ``jitter`` (in clock radii) and shrunk by up to 15 %, and
    gets Gaussian pixel noise of standard deviation ``noise``: the pixels vary in ways that
    say nothing about the time, while the hand tips and angles stay exact.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    rng = np.random.default_rng(seed)
    hours = rng.integers(0, 12, n)
    minutes = rng.integers(0, 60, n)
    angles = hand_angles(hours, minutes)
    hour_length = rng.uniform(*HOUR_LENGTH_RANGE, n)
    minute_length = rng.uniform(*MINUTE_LENGTH_RANGE, n)
    tips = tips_from_angles(angles, hour_length, minute_length)
    centres = rng.uniform(-jitter, jitter, (n, 2))
    scales = rng.uniform(0.85, 1.0, n)
    images = render_clock_faces(tips, size=size, centres=centres, scales=scales, noise=noise,
                                seed=int(rng.integers(2**31)))
    return ClockData(hours.astype(np.int64), minutes.astype(np.int64), tips, angles, images)


def time_label(hour: int, minute: int) -> str:
    """``3:05``-style label; hour 0 is shown as 12."""
    return f"{int(hour) or 12}:{int(minute):02d}"


def plot_clock_faces(data: ClockData, count: int = 8, *, columns: int = 8,
                     show_angles: bool = True, title: str | None = None) -> plt.Figure:
    """Show the first ``count`` clock faces with their time (and hand angles in degrees)."""
    count = min(count, len(data))
    rows = max(1, int(np.ceil(count / columns)))
    fig, axes = plt.subplots(rows, columns, figsize=(1.6 * columns, 1.9 * rows), squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i >= count:
            continue
        ax.imshow(data.images[i], cmap="gray_r", vmin=0, vmax=1)
        label = time_label(data.hours[i], data.minutes[i])
        if show_angles:
            hour_deg, minute_deg = np.degrees(data.angles[i])
            label += f"\n{hour_deg:.0f}°, {minute_deg:.0f}°"
        ax.set_title(label, fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def hours_from_angles(angles: np.ndarray) -> np.ndarray:
    """The rule that makes learning unnecessary: the hour is the hour hand's 30-degree sector."""
    angles = np.asarray(angles, dtype=np.float64)
    return (np.floor(angles[:, 0] / (2 * np.pi / 12) + 1e-9).astype(np.int64)) % 12


def representations(data: ClockData, angle_features: Callable | None = None) -> dict[str, np.ndarray]:
    """The three inputs of the example: raw pixels, hand tips, and hand angles.

    ``angle_features`` is an optional function ``hand_tips -> angles`` (a student's
    ``clock_angle_features``); by default the exact angles are used.
    """
    angles = data.angles if angle_features is None else np.asarray(angle_features(data.hand_tips))
    return {"raw pixels": data.pixels, "hand tips": data.hand_tips, "angles": angles}
