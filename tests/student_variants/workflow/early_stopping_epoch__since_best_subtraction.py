def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    if not len(val_losses):
        raise ValueError("val_losses must not be empty")
    if patience < 0:
        raise ValueError("patience must be non-negative")
    best_loss = val_losses[0]
    best_epoch = 1
    for epoch in range(2, len(val_losses) + 1):
        loss = val_losses[epoch - 1]
        if best_loss - loss > min_delta:
            best_loss, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            return epoch, best_epoch
    return len(val_losses), best_epoch
