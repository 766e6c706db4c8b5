import keras
from keras import activations, losses


def last_layer_for(problem_type):
    table = {
        "binary_classification": (activations.sigmoid, losses.binary_crossentropy),
        "multiclass_classification": (activations.softmax, losses.sparse_categorical_crossentropy),
        "multilabel_classification": (activations.sigmoid, losses.binary_crossentropy),
        "scalar_regression": (None, losses.mean_squared_error),
        "regression_0_1": (activations.sigmoid, losses.binary_crossentropy),
    }
    try:
        return table[problem_type]
    except KeyError:
        raise ValueError(
            "unsupported problem type %r (valid types: %s)" % (problem_type, ", ".join(table))
        ) from None
