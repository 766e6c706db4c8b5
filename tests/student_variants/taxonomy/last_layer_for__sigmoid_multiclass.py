_TABLE = {
    "binary_classification": ("sigmoid", "binary_crossentropy"),
    "multiclass_classification": ("sigmoid", "categorical_crossentropy"),
    "multilabel_classification": ("sigmoid", "binary_crossentropy"),
    "scalar_regression": (None, "mse"),
    "regression_0_1": ("sigmoid", "mse"),
}


def last_layer_for(problem_type):
    if problem_type in _TABLE:
        return _TABLE[problem_type]
    raise ValueError("problem_type must be one of %s" % ", ".join(_TABLE))
