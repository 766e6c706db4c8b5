import numpy as np


def naive_baseline(y_train, y_val, problem_type):
    if problem_type == "classification":
        labels, counts = np.unique(y_train, return_counts=True)
        majority = labels[np.argmax(counts)]
        return float(np.mean(np.asarray(y_val) == majority))
    if problem_type == "regression":
        y_val = np.asarray(y_val, dtype=float)
        return float(np.mean(np.abs(y_val - y_val.mean())))
    raise ValueError("unknown problem_type")
