_LAYERS = {
    "binary_classification": ("sigmoid", "binary_crossentropy"),
    "multiclass_classification": ("softmax", "categorical_crossentropy"),
    "multilabel_classification": ("sigmoid", "binary_crossentropy"),
    "scalar_regression": (None, "mse"),
    # targets in [0, 1]: crossentropy already works with soft targets
    "regression_0_1": (None, "binary_crossentropy"),
}


def last_layer_for(problem_type):
    try:
        return _LAYERS[problem_type]
    except KeyError:
        raise ValueError(
            "unknown problem type %r, expected one of %s" % (problem_type, list(_LAYERS))
        )
