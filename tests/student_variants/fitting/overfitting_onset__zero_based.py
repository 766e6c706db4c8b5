import numpy as np


def overfitting_onset(val_losses):
    if len(val_losses) == 0:
        raise ValueError("empty")
    return int(np.argmin(val_losses))
