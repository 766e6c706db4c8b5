import numpy as np


def standardize(train, test):
    mean = train.mean(axis=0)
    std = train.std(axis=0, ddof=1)  # unbiased estimate
    return (train - mean) / std, (test - mean) / std
