def generalization_gap(history):
    return float(history["val_loss"][-1] - history["loss"][-1])
