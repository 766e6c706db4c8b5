import numpy as np


def overfitting_onset(val_losses):
    arr = np.asarray(val_losses)
    if arr.size == 0:
        raise ValueError("empty")
    return int(np.argmax(arr)) + 1
