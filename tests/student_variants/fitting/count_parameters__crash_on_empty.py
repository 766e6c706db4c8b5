def count_parameters(input_dim, layer_sizes):
    total = (input_dim + 1) * layer_sizes[0]
    for prev, units in zip(layer_sizes, layer_sizes[1:]):
        total += (prev + 1) * units
    return total
