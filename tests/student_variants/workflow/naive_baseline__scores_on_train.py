import numpy as np


def naive_baseline(y_train, y_val, problem_type):
    y_train = np.asarray(y_train)
    if problem_type == "classification":
        labels, counts = np.unique(y_train, return_counts=True)
        majority = labels[np.argmax(counts)]
        return float(np.mean(y_train == majority))
    if problem_type == "regression":
        return float(np.mean(np.abs(y_train - y_train.mean())))
    raise ValueError("unknown problem_type")
