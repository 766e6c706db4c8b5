import numpy as np


def clock_angle_features(hand_tips):
    out = np.zeros((hand_tips.shape[0], 2))
    for col, (ix, iy) in enumerate([(0, 1), (2, 3)]):
        deg = np.degrees(np.arctan2(hand_tips[:, ix], hand_tips[:, iy]))
        deg = np.where(deg < 0, deg + 360.0, deg)
        deg = np.where(deg >= 360.0, deg - 360.0, deg)
        out[:, col] = np.radians(deg)
    return out
