import numpy as np


def naive_baseline(y_train, y_val, problem_type):
    if problem_type == "classification":
        counts = {}
        for y in y_train:
            counts[y] = counts.get(y, 0) + 1
        best_label, best_count = None, -1
        for label in sorted(counts):
            if counts[label] > best_count:
                best_label, best_count = label, counts[label]
        correct = 0
        for y in y_val:
            if y == best_label:
                correct += 1
        return correct / len(y_val)
    elif problem_type == "regression":
        y_train = np.asarray(y_train, dtype=float)
        y_val = np.asarray(y_val, dtype=float)
        return np.abs(y_val - y_train.mean()).mean()
    else:
        raise ValueError("problem_type must be 'classification' or 'regression'")
