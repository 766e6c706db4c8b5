from autograder.checks.workflow import _simulate


def early_stopping_epoch(val_losses, patience, min_delta=0.0):
    if len(val_losses) == 0 or patience < 0:
        raise ValueError("val_losses must be non-empty and patience >= 0")
    return _simulate([float(v) for v in val_losses], patience, min_delta)
