def last_layer_for(problem_type):
    if problem_type == "binary_classification":
        return "sigmoid", "binary_crossentropy"
    elif problem_type == "multiclass_classification":
        return "softmax", "categorical_crossentropy"
    elif problem_type == "multilabel_classification":
        return "sigmoid", "binary_crossentropy"
    elif problem_type == "scalar_regression":
        return None, "mse"
    elif problem_type == "regression_0_1":
        return "sigmoid", "mse"
    raise ValueError("Unknown problem type")
