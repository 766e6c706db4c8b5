def count_parameters(input_dim, layer_sizes):
    sizes = [input_dim] + list(layer_sizes)
    return sum(a * b + a for a, b in zip(sizes[:-1], sizes[1:]))
