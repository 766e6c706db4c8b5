def last_layer_for(problem_type):
    match problem_type:
        case "binary_classification" | "multilabel_classification":
            return ("sigmoid", "binary_crossentropy")
        case "multiclass_classification":
            return ("softmax", "categorical_crossentropy")
        case "scalar_regression":
            return (None, "mse")
        case "regression_0_1":
            return ("sigmoid", "mse")
        case _:
            raise ValueError(
                "Unknown problem type. Valid types are 'binary_classification', "
                "'multiclass_classification', 'multilabel_classification', "
                "'scalar_regression' and 'regression_0_1'."
            )
