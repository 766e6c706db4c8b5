import numpy as np
from sklearn import model_selection as ms


def time_ordered_split(n_samples, n_splits):
    splitter = ms.TimeSeriesSplit(n_splits=n_splits)
    return [(train, val) for train, val in splitter.split(np.arange(n_samples))]
