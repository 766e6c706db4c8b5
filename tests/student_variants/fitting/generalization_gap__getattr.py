def generalization_gap(history):
    h = getattr(history, "history", history)
    return float(h["val_loss"][-1] - h["loss"][-1])
