def overfitting_onset(val_losses):
    if len(val_losses) == 0:
        raise ValueError("empty")
    best_epoch, best_loss = 1, val_losses[0]
    for epoch, loss in enumerate(val_losses, start=1):
        if loss <= best_loss:
            best_loss, best_epoch = loss, epoch
    return best_epoch
