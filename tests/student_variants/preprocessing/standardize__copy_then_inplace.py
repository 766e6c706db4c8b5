import numpy as np


def standardize(train, test):
    mean = np.mean(train, axis=0)
    std = np.std(train, axis=0)
    train_std = train.copy()
    test_std = np.array(test, copy=True)
    train_std -= mean
    train_std /= std
    test_std -= mean
    test_std /= std
    return train_std, test_std
