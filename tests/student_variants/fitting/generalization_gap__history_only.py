def generalization_gap(history):
    h = history.history
    return float(h["val_loss"][-1] - h["loss"][-1])
