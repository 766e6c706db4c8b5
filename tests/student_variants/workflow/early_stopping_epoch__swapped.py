def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    if len(val_losses) == 0 or patience < 0:
        raise ValueError("bad arguments")
    best, best_epoch, wait = val_losses[0], 1, 0
    for epoch in range(2, len(val_losses) + 1):
        loss = val_losses[epoch - 1]
        if loss < best - min_delta:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses)
