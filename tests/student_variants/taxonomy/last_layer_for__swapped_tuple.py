def last_layer_for(problem_type):
    if problem_type == "binary_classification":
        return "binary_crossentropy", "sigmoid"
    if problem_type == "multiclass_classification":
        return "categorical_crossentropy", "softmax"
    if problem_type == "multilabel_classification":
        return "binary_crossentropy", "sigmoid"
    if problem_type == "scalar_regression":
        return "mse", None
    if problem_type == "regression_0_1":
        return "mse", "sigmoid"
    raise ValueError(
        "problem_type must be one of binary_classification, multiclass_classification, "
        "multilabel_classification, scalar_regression, regression_0_1"
    )
