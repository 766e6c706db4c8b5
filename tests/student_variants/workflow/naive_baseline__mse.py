import numpy as np
from sklearn.metrics import mean_squared_error


def naive_baseline(y_train, y_val, problem_type):
    if problem_type == "classification":
        labels, counts = np.unique(y_train, return_counts=True)
        majority = labels[np.argmax(counts)]
        return float(np.mean(np.asarray(y_val) == majority))
    if problem_type == "regression":
        pred = np.full(len(y_val), np.mean(y_train))
        return float(mean_squared_error(y_val, pred))
    raise ValueError("unknown problem_type")
