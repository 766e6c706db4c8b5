def generalization_gap(history):
    h = history.history if hasattr(history, "history") else history
    return float(h["val_loss"][0] - h["loss"][0])
