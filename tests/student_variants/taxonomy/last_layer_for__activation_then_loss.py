ACTIVATIONS = {
    "binary_classification": "sigmoid",
    "multiclass_classification": "softmax",
    "multilabel_classification": "sigmoid",
    "scalar_regression": "linear",
    "regression_0_1": "sigmoid",
}
LOSSES = {
    "binary_classification": "binary_crossentropy",
    "multiclass_classification": "categorical_crossentropy",
    "multilabel_classification": "binary_crossentropy",
    "scalar_regression": "mse",
    "regression_0_1": "mse",
}


def last_layer_for(problem_type):
    if problem_type not in ACTIVATIONS:
        raise ValueError("problem_type should be one of " + repr(list(ACTIVATIONS)))
    activation = ACTIVATIONS[problem_type]
    loss = LOSSES[problem_type]
    return activation, loss
