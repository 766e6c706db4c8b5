def overfitting_onset(val_losses):
    best_epoch = 0
    best = float("inf")
    for i, v in enumerate(val_losses):
        if v < best:
            best, best_epoch = v, i + 1
    return best_epoch
