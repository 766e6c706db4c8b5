import numpy as np


def clock_angle_features(hand_tips):
    xs = hand_tips[:, [0, 2]]
    ys = hand_tips[:, [1, 3]]
    # usual maths angle is counter-clockwise from 3 o'clock;
    # clock angle = 90 degrees minus it, wrapped into [0, 2*pi)
    math_angle = np.arctan2(ys, xs)
    clock = (np.pi / 2 - math_angle) % (2 * np.pi)
    return np.where(clock < 2 * np.pi, clock, 0.0)
