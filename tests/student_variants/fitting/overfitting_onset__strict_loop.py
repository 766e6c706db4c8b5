def overfitting_onset(val_losses):
    best_epoch = None
    best_loss = None
    for epoch, loss in enumerate(val_losses, start=1):
        if best_loss is None or loss < best_loss:
            best_loss = loss
            best_epoch = epoch
    if best_epoch is None:
        raise ValueError("no validation losses given")
    return best_epoch
