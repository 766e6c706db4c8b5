import numpy as np


def generalization_gap(history):
    h = getattr(history, "history", history)
    return float(np.mean(np.asarray(h["val_loss"]) - np.asarray(h["loss"])))
