import numpy as np


def to_one_hot(labels, num_classes):
    labels = np.asarray(labels)
    return labels[:, None] == np.arange(num_classes)[None, :]
