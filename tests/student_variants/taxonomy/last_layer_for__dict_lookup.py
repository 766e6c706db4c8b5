_LAST_LAYER = {
    "binary_classification": ("sigmoid", "binary_crossentropy"),
    "multiclass_classification": ("softmax", "categorical_crossentropy"),
    "multilabel_classification": ("sigmoid", "binary_crossentropy"),
    "scalar_regression": (None, "mse"),
    "regression_0_1": ("sigmoid", "mse"),
}


def last_layer_for(problem_type):
    if problem_type not in _LAST_LAYER:
        raise ValueError(
            f"unknown problem_type {problem_type!r}; expected one of {sorted(_LAST_LAYER)}"
        )
    return _LAST_LAYER[problem_type]
