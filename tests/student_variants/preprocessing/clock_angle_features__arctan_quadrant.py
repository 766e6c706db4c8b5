import numpy as np


def clock_angle_features(hand_tips):
    with np.errstate(divide="ignore", invalid="ignore"):
        hour = np.arctan(hand_tips[:, 0] / hand_tips[:, 1])
        minute = np.arctan(hand_tips[:, 2] / hand_tips[:, 3])
    return np.mod(np.column_stack([hour, minute]), 2 * np.pi)
