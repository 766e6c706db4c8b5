import numpy as np


def clock_angle_features(hand_tips):
    hour = np.arctan2(-hand_tips[:, 0], hand_tips[:, 1])
    minute = np.arctan2(-hand_tips[:, 2], hand_tips[:, 3])
    return np.mod(np.stack([hour, minute], axis=1), 2 * np.pi)
