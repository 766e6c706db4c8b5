import keras


def count_parameters(input_dim, layer_sizes):
    if not layer_sizes:
        return 0
    model = keras.Sequential([keras.Input((input_dim,))] + [keras.layers.Dense(units) for units in layer_sizes])
    return int(model.count_params())
