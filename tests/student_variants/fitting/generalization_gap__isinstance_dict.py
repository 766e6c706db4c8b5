def generalization_gap(history):
    if isinstance(history, dict):
        hist = history
    else:
        hist = history.history
    val = hist["val_loss"]
    train = hist["loss"]
    return float(val[-1]) - float(train[-1])
