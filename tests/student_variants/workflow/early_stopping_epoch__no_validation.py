def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    best = None
    best_epoch = 0
    wait = 0
    for epoch, loss in enumerate(val_losses, start=1):
        if best is None or loss < best - min_delta:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch
    return len(val_losses), best_epoch
