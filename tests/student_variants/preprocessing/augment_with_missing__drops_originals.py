import numpy as np


def augment_with_missing(x_train, y_train, feature, fill_value=0.0):
    x_missing = x_train.copy()
    x_missing[:, feature] = fill_value
    return x_missing, y_train.copy()
