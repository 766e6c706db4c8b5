from collections import Counter

import numpy as np


def naive_baseline(y_train, y_val, problem_type):
    if problem_type == "classification":
        counts = Counter(y_train)
        top = max(counts.values())
        label = min(k for k, c in counts.items() if c == top)
        return float(np.mean(np.asarray(y_val) == label))
    elif problem_type == "regression":
        pred = np.mean(y_train)
        return float(np.mean(np.abs(np.asarray(y_val, dtype=float) - pred)))
    else:
        raise ValueError(f"unknown problem type: {problem_type!r}")
