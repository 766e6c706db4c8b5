from course import experiments


def holdout_split(n_samples, val_fraction, seed):
    return experiments.sklearn_holdout_split(n_samples, val_fraction, seed)
