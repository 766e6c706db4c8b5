import numpy as np
from sklearn.metrics import accuracy_score, mean_absolute_error


def naive_baseline(y_train, y_val, problem_type):
    y_train = np.asarray(y_train)
    y_val = np.asarray(y_val)
    if problem_type == "classification":
        values, counts = np.unique(y_train, return_counts=True)
        guess = values[np.argmax(counts)]
        return float(accuracy_score(y_val, [guess] * len(y_val)))
    if problem_type == "regression":
        mean = float(np.mean(y_train.astype(float)))
        return float(mean_absolute_error(y_val.astype(float), np.full(len(y_val), mean)))
    raise ValueError(f"unknown problem_type: {problem_type}")
