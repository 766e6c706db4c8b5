def last_layer_for(problem_type):
    if problem_type == "binary_classification":
        return "sigmoid", "binary_crossentropy"
    if problem_type in ("multiclass_classification", "multilabel_classification"):
        # several classes -> softmax over the classes
        return "softmax", "categorical_crossentropy"
    if problem_type == "scalar_regression":
        return None, "mse"
    if problem_type == "regression_0_1":
        return "sigmoid", "mse"
    raise ValueError(
        f"Unknown problem_type {problem_type!r}. Valid types: binary_classification, "
        "multiclass_classification, multilabel_classification, scalar_regression, "
        "regression_0_1"
    )
