def last_layer_for(problem_type):
    if problem_type == "binary_classification":
        return "sigmoid", "binary_crossentropy"
    elif problem_type == "multiclass_classification":
        return "softmax", "sparse_categorical_crossentropy"
    elif problem_type == "multilabel_classification":
        return "sigmoid", "binary_crossentropy"
    elif problem_type == "scalar_regression":
        return "linear", "mean_squared_error"
    elif problem_type == "regression_0_1":
        return "sigmoid", "binary_crossentropy"
    else:
        raise ValueError(
            "problem_type must be one of: binary_classification, "
            "multiclass_classification, multilabel_classification, "
            "scalar_regression, regression_0_1 (got %r)" % (problem_type,)
        )
