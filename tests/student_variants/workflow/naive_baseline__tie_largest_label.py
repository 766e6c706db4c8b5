from collections import Counter

import numpy as np


def naive_baseline(y_train, y_val, problem_type):
    if problem_type == "classification":
        counts = Counter(y_train)
        top = max(counts.values())
        label = max(k for k, c in counts.items() if c == top)
        return float(np.mean(np.asarray(y_val) == label))
    if problem_type == "regression":
        return float(np.mean(np.abs(np.asarray(y_val) - np.mean(y_train))))
    raise ValueError("unknown problem_type")
