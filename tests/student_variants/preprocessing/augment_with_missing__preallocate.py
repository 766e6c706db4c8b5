import numpy as np


def augment_with_missing(x_train, y_train, feature, fill_value=0.0):
    x_train = np.asarray(x_train)
    y_train = np.asarray(y_train)
    n = len(x_train)
    x_aug = np.empty((2 * n,) + x_train.shape[1:], dtype=x_train.dtype)
    x_aug[:n] = x_train
    x_aug[n:] = x_train
    x_aug[n:, feature] = fill_value
    y_aug = np.empty((2 * n,) + y_train.shape[1:], dtype=y_train.dtype)
    y_aug[:n] = y_train
    y_aug[n:] = y_train
    return x_aug, y_aug
