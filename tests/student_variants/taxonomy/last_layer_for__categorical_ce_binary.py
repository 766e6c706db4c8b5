import keras


def last_layer_for(problem_type):
    if problem_type == "binary_classification":
        return "sigmoid", keras.losses.CategoricalCrossentropy()
    elif problem_type == "multiclass_classification":
        return "softmax", keras.losses.CategoricalCrossentropy()
    elif problem_type == "multilabel_classification":
        return "sigmoid", keras.losses.BinaryCrossentropy()
    elif problem_type == "scalar_regression":
        return None, keras.losses.MeanSquaredError()
    elif problem_type == "regression_0_1":
        return "sigmoid", keras.losses.MeanSquaredError()
    raise ValueError(
        "problem_type must be 'binary_classification', 'multiclass_classification', "
        "'multilabel_classification', 'scalar_regression' or 'regression_0_1'"
    )
