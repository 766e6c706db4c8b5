def count_parameters(input_dim, layer_sizes):
    return sum(input_dim * u + u for u in layer_sizes)
