import numpy as np


def to_one_hot(labels, num_classes):
    labels = np.asarray(labels)
    width = int(labels.max()) + 1  # number of classes seen
    results = np.zeros((len(labels), width), dtype=np.float32)
    results[np.arange(len(labels)), labels] = 1.0
    return results
