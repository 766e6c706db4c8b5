import numpy as np


def augment_with_missing(x_train, y_train, feature, fill_value=0.0):
    x_missing = x_train.copy()
    x_missing[:, feature + 1] = fill_value
    x_aug = np.concatenate([x_train, x_missing])
    y_aug = np.concatenate([y_train, y_train])
    return x_aug, y_aug
