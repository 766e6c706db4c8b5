import numpy as np


def standardize(train, test):
    mean = train.mean()
    std = train.std()
    return (train - mean) / std, (test - mean) / std
