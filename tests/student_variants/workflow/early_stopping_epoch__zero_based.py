def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    if len(val_losses) == 0 or patience < 0:
        raise ValueError("bad arguments")
    best, best_i, wait = val_losses[0], 0, 0
    for i in range(1, len(val_losses)):
        if val_losses[i] < best - min_delta:
            best, best_i, wait = val_losses[i], i, 0
        else:
            wait += 1
            if wait >= patience:
                return i, best_i
    return len(val_losses) - 1, best_i
