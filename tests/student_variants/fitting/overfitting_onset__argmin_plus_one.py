import numpy as np


def overfitting_onset(val_losses):
    arr = np.asarray(val_losses, dtype=float)
    if arr.size == 0:
        raise ValueError("val_losses is empty")
    return int(np.argmin(arr)) + 1
