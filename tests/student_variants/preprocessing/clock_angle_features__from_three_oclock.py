import numpy as np


def clock_angle_features(hand_tips):
    # clockwise, starting at the positive x axis
    hour = -np.arctan2(hand_tips[:, 1], hand_tips[:, 0])
    minute = -np.arctan2(hand_tips[:, 3], hand_tips[:, 2])
    return np.mod(np.stack([hour, minute], axis=1), 2 * np.pi)
