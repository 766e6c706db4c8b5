from autograder.checks.workflow import mistaken_early_stopping


def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    if len(val_losses) == 0 or patience < 0:
        raise ValueError("val_losses must be non-empty and patience >= 0")
    return mistaken_early_stopping([float(v) for v in val_losses], patience, min_delta)
