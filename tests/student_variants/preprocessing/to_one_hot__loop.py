import numpy as np


def to_one_hot(labels, num_classes):
    results = np.zeros((len(labels), num_classes), dtype=np.float32)
    for i, label in enumerate(labels):
        results[i, label] = 1.0
    return results
