import numpy as np


def generalization_gap(history):
    d = history.history if hasattr(history, "history") else history
    loss = np.asarray(d["loss"], dtype=np.float64)
    val_loss = np.asarray(d["val_loss"], dtype=np.float64)
    return float(val_loss[-1] - loss[-1])
