import functools

import keras
from keras import layers


def build_regularized_network(kernel_regularizer, hidden_sizes=(512, 512), input_dim=784, n_classes=10,
                              activation="relu"):
    dense = functools.partial(layers.Dense, activation=activation, kernel_regularizer=kernel_regularizer)
    inputs = keras.Input(shape=(input_dim,))
    x = inputs
    for width in hidden_sizes:
        x = dense(width)(x)
    outputs = layers.Dense(n_classes, activation="softmax")(x)
    return keras.Model(inputs=inputs, outputs=outputs)
