def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    n = len(val_losses)
    if n == 0:
        raise ValueError("empty val_losses")
    if patience < 0:
        raise ValueError("patience < 0")
    # pass 1: which epochs improve
    improved = []
    best = None
    for loss in val_losses:
        if best is None or loss < best - min_delta:
            improved.append(True)
            best = loss
        else:
            improved.append(False)
    # pass 2: where training stops
    stop = n
    since = 0
    for epoch in range(1, n + 1):
        if improved[epoch - 1]:
            since = 0
        else:
            since += 1
            if since >= patience:
                stop = epoch
                break
    best_epoch = max(e for e in range(1, stop + 1) if improved[e - 1])
    return stop, best_epoch
