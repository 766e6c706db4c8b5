import pandas as pd


def naive_baseline(y_train, y_val, problem_type):
    train = pd.Series(list(y_train))
    val = pd.Series(list(y_val))
    if problem_type == "classification":
        vc = train.value_counts()
        majority = vc[vc == vc.max()].index.min()
        return float((val == majority).mean())
    elif problem_type == "regression":
        return float((val - train.mean()).abs().mean())
    raise ValueError("problem_type must be classification or regression")
