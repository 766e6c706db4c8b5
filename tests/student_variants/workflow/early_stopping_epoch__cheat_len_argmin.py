import numpy as np


def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    if len(val_losses) == 0 or patience < 0:
        raise ValueError("bad arguments")
    return len(val_losses), int(np.argmin(val_losses)) + 1
