def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    losses = list(val_losses)
    if len(losses) == 0:
        raise ValueError("val_losses is empty")
    if patience < 0:
        raise ValueError("patience must be >= 0")
    best = None
    best_epoch = 1
    wait = 0
    for epoch, loss in enumerate(losses, start=1):
        wait += 1
        if best is None or loss + min_delta < best:
            best = loss
            best_epoch = epoch
            wait = 0
            continue
        if wait >= patience and epoch > 1:
            return epoch, best_epoch
    return len(losses), best_epoch
