import numpy as np


def clock_angle_features(hand_tips):
    h = np.asarray(hand_tips, dtype=float)
    # put y on the real axis and x on the imaginary axis -> clockwise from 12
    z = h[:, 1::2] + 1j * h[:, 0::2]
    theta = np.angle(z)
    theta[theta < 0] += 2 * np.pi
    theta[theta >= 2 * np.pi] -= 2 * np.pi
    return theta
