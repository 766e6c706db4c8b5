def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    if patience < 0:
        raise ValueError("negative patience")
    if len(val_losses) == 0:
        raise ValueError("no losses")
    state = "START"
    best = best_epoch = bad_epochs = None
    stop_epoch = len(val_losses)
    for epoch, loss in enumerate(val_losses, start=1):
        if state == "START":
            best, best_epoch, bad_epochs = loss, epoch, 0
            state = "TRAINING"
        elif state == "TRAINING":
            if loss < best - min_delta:
                best, best_epoch, bad_epochs = loss, epoch, 0
            else:
                bad_epochs += 1
                if bad_epochs >= patience:
                    state = "STOPPED"
                    stop_epoch = epoch
        if state == "STOPPED":
            break
    return stop_epoch, best_epoch
