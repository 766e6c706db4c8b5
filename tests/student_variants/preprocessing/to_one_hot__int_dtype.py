import numpy as np


def to_one_hot(labels, num_classes):
    labels = np.asarray(labels)
    out = np.zeros((len(labels), num_classes), dtype=int)
    out[np.arange(len(labels)), labels] = 1
    return out
