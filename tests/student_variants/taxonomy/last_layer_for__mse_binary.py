def last_layer_for(problem_type):
    match problem_type:
        case "binary_classification":
            return "sigmoid", "mse"
        case "multiclass_classification":
            return "softmax", "categorical_crossentropy"
        case "multilabel_classification":
            return "sigmoid", "binary_crossentropy"
        case "scalar_regression":
            return None, "mse"
        case "regression_0_1":
            return "sigmoid", "mse"
    raise ValueError(
        "valid problem types: binary_classification, multiclass_classification, "
        "multilabel_classification, scalar_regression, regression_0_1"
    )
