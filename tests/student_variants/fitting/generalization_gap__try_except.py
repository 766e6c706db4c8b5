def generalization_gap(history):
    try:
        d = history.history
    except AttributeError:
        d = history
    return float(d["val_loss"][len(d["val_loss"]) - 1] - d["loss"][len(d["loss"]) - 1])
