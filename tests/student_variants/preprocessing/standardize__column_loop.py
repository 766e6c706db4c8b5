import math

import numpy as np


def standardize(train, test):
    train = np.asarray(train, dtype=float)
    test = np.asarray(test, dtype=float)
    train_out = np.empty_like(train)
    test_out = np.empty_like(test)
    n = train.shape[0]
    for j in range(train.shape[1]):
        col = train[:, j]
        mu = col.sum() / n
        sigma = math.sqrt(((col - mu) ** 2).sum() / n)
        train_out[:, j] = (col - mu) / sigma
        test_out[:, j] = (test[:, j] - mu) / sigma
    return train_out, test_out
