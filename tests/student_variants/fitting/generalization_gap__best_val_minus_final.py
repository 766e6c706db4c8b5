def generalization_gap(history):
    h = getattr(history, "history", history)
    return float(min(h["val_loss"]) - h["loss"][-1])
