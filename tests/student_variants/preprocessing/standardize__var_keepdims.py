import numpy as np


def standardize(train, test):
    mu = np.mean(train, axis=0, keepdims=True)
    sd = np.sqrt(np.var(train, axis=0, keepdims=True))
    scale = lambda a: (a - mu) / sd
    return scale(train), scale(test)
