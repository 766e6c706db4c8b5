import numpy as np


def standardize(train, test):
    mean = train.mean(axis=0)
    train -= mean
    std = train.std(axis=0)
    train /= std
    test = (test - mean) / std
    return train, test
