from course import validation


def holdout_split(n_samples, val_fraction, seed):
    return validation.sklearn_holdout_split(n_samples, val_fraction, seed)
