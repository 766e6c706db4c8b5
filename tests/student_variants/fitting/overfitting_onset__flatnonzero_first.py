import numpy as np


def overfitting_onset(val_losses):
    v = np.asarray(val_losses, dtype=np.float64).ravel()
    if len(v) == 0:
        raise ValueError("need at least one epoch")
    return int(np.flatnonzero(v == v.min())[0] + 1)
