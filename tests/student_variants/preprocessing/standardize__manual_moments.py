import numpy as np


def standardize(train, test):
    n = len(train)
    mean = np.sum(train, axis=0) / n
    centered = train - mean
    std = np.sqrt(np.sum(centered * centered, axis=0) / n)
    return centered / std, (test - mean) / std
