def overfitting_onset(val_losses):
    losses = list(val_losses)
    # min() raises ValueError on an empty sequence
    best = min(losses)
    return losses.index(best) + 1
