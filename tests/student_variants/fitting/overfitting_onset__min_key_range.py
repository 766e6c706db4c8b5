def overfitting_onset(val_losses):
    if len(val_losses) == 0:
        raise ValueError("empty val_losses")
    idx = min(range(len(val_losses)), key=lambda i: val_losses[i])
    return int(idx) + 1
