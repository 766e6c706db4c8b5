import keras

VALID_TYPES = (
    "binary_classification",
    "multiclass_classification",
    "multilabel_classification",
    "scalar_regression",
    "regression_0_1",
)


def last_layer_for(problem_type):
    if problem_type == "binary_classification":
        return "sigmoid", keras.losses.BinaryCrossentropy()
    if problem_type == "multiclass_classification":
        return "softmax", keras.losses.CategoricalCrossentropy()
    if problem_type == "multilabel_classification":
        return "sigmoid", keras.losses.BinaryCrossentropy()
    if problem_type == "scalar_regression":
        return None, keras.losses.MeanSquaredError()
    if problem_type == "regression_0_1":
        return "sigmoid", keras.losses.MeanSquaredError()
    raise ValueError(f"{problem_type} is not valid, use one of " + ", ".join(VALID_TYPES))
