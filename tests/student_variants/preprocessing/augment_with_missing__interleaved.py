import numpy as np


def augment_with_missing(x_train, y_train, feature, fill_value=0.0):
    # each sample immediately followed by its copy with the feature missing
    x_aug = np.repeat(x_train, 2, axis=0)
    x_aug[1::2, feature] = fill_value
    y_aug = np.repeat(y_train, 2, axis=0)
    return x_aug, y_aug
