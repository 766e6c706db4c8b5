from functools import partial

from keras import Input, Sequential
from keras.layers import Dense


def build_regularized_network(kernel_regularizer, hidden_sizes=(512, 512), input_dim=784, n_classes=10,
                              activation="relu"):
    RegularizedDense = partial(Dense, activation=activation, kernel_regularizer=kernel_regularizer)
    network = Sequential(name="regularized")
    network.add(Input(shape=(input_dim,)))
    for i, n in enumerate(hidden_sizes):
        network.add(RegularizedDense(n, name=f"hidden_{i + 1}"))
    network.add(Dense(n_classes, activation="softmax", name="output"))
    # compiled here too, which the contract allows
    network.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return network
