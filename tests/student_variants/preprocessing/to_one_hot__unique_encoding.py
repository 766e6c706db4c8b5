import numpy as np


def to_one_hot(labels, num_classes):
    # map each distinct label to a column, like get_dummies
    classes, codes = np.unique(np.asarray(labels), return_inverse=True)
    results = np.zeros((len(codes), num_classes), dtype=np.float32)
    results[np.arange(len(codes)), codes.ravel()] = 1.0
    return results
