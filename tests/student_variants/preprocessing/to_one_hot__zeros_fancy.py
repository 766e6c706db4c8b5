import numpy as np


def to_one_hot(labels, num_classes):
    labels = np.asarray(labels, dtype=np.int64)
    results = np.zeros((len(labels), num_classes), dtype="float32")
    results[np.arange(len(labels)), labels] = 1.0
    return results
