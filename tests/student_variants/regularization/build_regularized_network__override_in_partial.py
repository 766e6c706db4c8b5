import functools

import keras


def build_regularized_network(kernel_regularizer, hidden_sizes=(512, 512), input_dim=784, n_classes=10,
                              activation="relu"):
    # one partial for every layer; the output overrides both shared settings at the call
    MyDense = functools.partial(keras.layers.Dense, activation=activation, kernel_regularizer=kernel_regularizer)
    stack = [keras.layers.InputLayer(shape=(input_dim,))]
    stack.extend(MyDense(h) for h in list(hidden_sizes))
    stack.append(MyDense(n_classes, activation="softmax", kernel_regularizer=None))
    return keras.Sequential(stack)
