"""Chapter 03 helpers (course.clock): the clock data, its hands and angles, the clock faces."""

from __future__ import annotations

import numpy as np
import pytest

from course import clock
from tests.solutions import solution


def clock_angle_features(hand_tips):
    return solution("03-preprocessing", "clock_angle_features")(hand_tips)


# ---------------------------------------------------------------------------- clock.py
def test_clock_data_shapes_dtypes_and_seeding():
    data = clock.make_clock_data(30, seed=4, size=20)
    assert data.images.shape == (30, 20, 20) and data.images.dtype == np.float32
    assert data.pixels.shape == (30, 400)
    assert data.hand_tips.shape == (30, 4) and data.angles.shape == (30, 2)
    assert data.images.min() >= 0 and data.images.max() <= 1
    assert set(np.unique(data.hours)) <= set(range(12)) and data.minutes.max() < 60
    again = clock.make_clock_data(30, seed=4, size=20)
    assert np.array_equal(data.images, again.images) and np.array_equal(data.hand_tips, again.hand_tips)
    other = clock.make_clock_data(30, seed=5, size=20)
    assert not np.array_equal(data.hours, other.hours)
    assert len(data.subset(np.arange(5))) == 5


def test_hand_angles_and_tips_follow_the_clock_convention():
    angles = clock.hand_angles(np.array([0, 3, 6, 9, 3]), np.array([0, 15, 30, 45, 30]))
    assert np.allclose(angles[:4, 1], [0, np.pi / 2, np.pi, 3 * np.pi / 2])
    assert np.allclose(angles[4, 0], 3.5 / 12 * 2 * np.pi)  # the hour hand moves on
    tips = clock.tips_from_angles(np.array([[np.pi / 2, 0.0]]), 0.5, 2.0)
    assert np.allclose(tips, [[0.5, 0.0, 0.0, 2.0]])  # 3 o'clock is +x, 12 o'clock is +y
    with pytest.raises(ValueError):
        clock.hand_angles([12], [0])


def test_angles_are_recovered_from_tips_and_the_rule_reads_every_hour():
    data = clock.make_clock_data(500, seed=1)
    assert np.allclose(clock_angle_features(data.hand_tips), data.angles)
    assert np.array_equal(clock.hours_from_angles(data.angles), data.hours)


def test_rendered_hand_points_the_right_way():
    # a lone minute hand at 3 o'clock inks the right half of the middle row, not the left
    image = clock.render_clock_faces(np.array([[0.0, 0.01, 0.9, 0.0]]), size=21)[0]
    middle = image[10]
    assert middle[12:18].mean() > 0.5 and middle[3:9].mean() < 0.1


def test_plot_clock_faces_returns_a_figure():
    import matplotlib

    matplotlib.use("Agg")
    fig = clock.plot_clock_faces(clock.make_clock_data(5, seed=0), count=5, columns=5)
    assert len(fig.axes) == 5


