def count_parameters(input_dim, layer_sizes):
    sizes = [input_dim] + list(layer_sizes)
    total = (input_dim + 1) * sizes[1] if len(sizes) > 1 else 0
    for a, b in zip(sizes, sizes[2:]):
        total += (a + 1) * b
    return total
