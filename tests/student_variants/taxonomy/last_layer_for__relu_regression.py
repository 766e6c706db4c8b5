VALID = [
    "binary_classification",
    "multiclass_classification",
    "multilabel_classification",
    "scalar_regression",
    "regression_0_1",
]


def last_layer_for(problem_type):
    if problem_type not in VALID:
        raise ValueError(f"problem_type must be one of {VALID}, got {problem_type}")
    if problem_type == "multiclass_classification":
        activation, loss = "softmax", "sparse_categorical_crossentropy"
    elif problem_type == "scalar_regression":
        activation, loss = "relu", "mse"  # predictions are real numbers
    elif problem_type == "regression_0_1":
        activation, loss = "sigmoid", "mse"
    else:
        activation, loss = "sigmoid", "binary_crossentropy"
    return activation, loss
