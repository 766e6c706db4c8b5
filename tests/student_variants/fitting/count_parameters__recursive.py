def count_parameters(input_dim, layer_sizes):
    layer_sizes = list(layer_sizes)
    if not layer_sizes:
        return 0
    first = layer_sizes[0]
    return (input_dim + 1) * first + count_parameters(first, layer_sizes[1:])
