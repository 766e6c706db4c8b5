def generalization_gap(history):
    h = getattr(history, "history", history)
    return float(h["loss"][-1] - h["val_loss"][-1])
