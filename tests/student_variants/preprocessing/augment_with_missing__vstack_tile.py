import numpy as np


def augment_with_missing(x_train, y_train, feature, fill_value=0.0):
    n = x_train.shape[0]
    x_aug = np.vstack([x_train, x_train])  # new array
    x_aug[n:, feature] = fill_value
    reps = (2,) + (1,) * (np.ndim(y_train) - 1)
    y_aug = np.tile(y_train, reps)
    return x_aug, y_aug
