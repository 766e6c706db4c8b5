import numpy as np


def standardize(train, test):
    def _scale(a):
        return (a - a.mean(axis=0)) / a.std(axis=0)

    return _scale(train), _scale(test)
