import numpy as np


def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    losses = np.asarray(val_losses, dtype=float)
    if losses.size == 0 or patience < 0:
        raise ValueError("need a non-empty val_losses and patience >= 0")
    best_idx = 0
    counter = 0
    i = 1
    while i < losses.size:
        if losses[i] < losses[best_idx] - min_delta:
            best_idx = i
            counter = 0
        else:
            counter += 1
            if counter >= patience:
                break
        i += 1
    stop_idx = min(i, losses.size - 1)
    return int(stop_idx + 1), int(best_idx + 1)
