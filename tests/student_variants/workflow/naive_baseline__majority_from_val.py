import numpy as np


def naive_baseline(y_train, y_val, problem_type):
    if problem_type == "classification":
        labels, counts = np.unique(y_val, return_counts=True)
        majority = labels[np.argmax(counts)]
        return float(np.mean(np.asarray(y_val) == majority))
    if problem_type == "regression":
        return float(np.mean(np.abs(np.asarray(y_val) - np.mean(y_train))))
    raise ValueError("unknown problem_type")
