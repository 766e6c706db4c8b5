import numpy as np


def to_one_hot(labels, num_classes):
    return np.eye(num_classes)[labels]
