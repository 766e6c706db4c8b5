def count_parameters(input_dim, layer_sizes):
    # pairs (fan_in, fan_out) of consecutive sizes
    sizes = [input_dim, *layer_sizes]
    n = 0
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        n += fan_in * fan_out   # weights
        n += fan_out            # biases
    return int(n)
