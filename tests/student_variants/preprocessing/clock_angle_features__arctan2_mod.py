import numpy as np


def clock_angle_features(hand_tips):
    tips = np.asarray(hand_tips, dtype=np.float64)
    # clockwise from 12 o'clock: swap the usual (y, x) arguments
    hour = np.arctan2(tips[:, 0], tips[:, 1])
    minute = np.arctan2(tips[:, 2], tips[:, 3])
    angles = np.mod(np.stack([hour, minute], axis=1), 2 * np.pi)
    # a tiny negative angle (e.g. x = sin(2*pi) = -2e-16) rounds up to exactly 2*pi
    angles[angles >= 2 * np.pi] = 0.0
    return angles
