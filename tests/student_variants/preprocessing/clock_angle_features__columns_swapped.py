import numpy as np


def clock_angle_features(hand_tips):
    minute_x, minute_y, hour_x, hour_y = np.asarray(hand_tips, dtype=float).T
    hour = np.mod(np.arctan2(hour_x, hour_y), 2 * np.pi)
    minute = np.mod(np.arctan2(minute_x, minute_y), 2 * np.pi)
    return np.column_stack([hour, minute])
