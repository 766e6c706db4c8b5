def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    if len(val_losses) < 1:
        raise ValueError("val_losses is empty")
    if patience < 0:
        raise ValueError("patience must be >= 0")
    history = [float(v) for v in val_losses]
    best_epoch, best = 1, history[0]
    for epoch in range(2, len(history) + 1):
        current = history[epoch - 1]
        if current + min_delta < best:
            best_epoch, best = epoch, current
            continue
        epochs_without_improvement = epoch - best_epoch
        if epochs_without_improvement >= patience:
            return epoch, best_epoch
    return len(history), best_epoch
