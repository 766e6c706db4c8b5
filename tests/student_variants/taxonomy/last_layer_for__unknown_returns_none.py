def last_layer_for(problem_type):
    choices = {
        "binary_classification": ("sigmoid", "binary_crossentropy"),
        "multiclass_classification": ("softmax", "categorical_crossentropy"),
        "multilabel_classification": ("sigmoid", "binary_crossentropy"),
        "scalar_regression": (None, "mse"),
        "regression_0_1": ("sigmoid", "mse"),
    }
    return choices.get(problem_type)
