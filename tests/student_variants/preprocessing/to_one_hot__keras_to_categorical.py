import numpy as np
from keras.utils import to_categorical


def to_one_hot(labels, num_classes):
    return to_categorical(np.asarray(labels), num_classes).astype("float32")
