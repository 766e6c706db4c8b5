import numpy as np


def augment_with_missing(x_train, y_train, feature, fill_value=0.0):
    column_mask = np.arange(x_train.shape[1]) == feature
    x_missing = np.where(column_mask, fill_value, x_train).astype(x_train.dtype)
    return np.r_[x_train, x_missing], np.r_[y_train, y_train]
