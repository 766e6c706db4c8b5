import math

import numpy as np


def clock_angle_features(hand_tips):
    rows = []
    for hx, hy, mx, my in np.asarray(hand_tips, dtype=float):
        angles = []
        for x, y in ((hx, hy), (mx, my)):
            a = math.atan2(x, y)
            if a < 0:
                a += 2 * math.pi
            if a >= 2 * math.pi:  # rounding can land exactly on 2*pi
                a -= 2 * math.pi
            angles.append(a)
        rows.append(angles)
    return np.array(rows, dtype=np.float64).reshape(-1, 2)
