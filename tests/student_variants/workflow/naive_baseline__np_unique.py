import statistics

import numpy as np


def naive_baseline(y_train, y_val, problem_type):
    if problem_type not in ("classification", "regression"):
        raise ValueError("problem_type must be 'classification' or 'regression'")
    if problem_type == "classification":
        labels, counts = np.unique(y_train, return_counts=True)
        majority = labels[np.argmax(counts)]
        return np.mean(np.asarray(y_val) == majority)
    mean = statistics.mean([float(v) for v in y_train])
    total = 0.0
    for v in y_val:
        total += abs(float(v) - mean)
    return total / len(y_val)
