def count_parameters(input_dim, layer_sizes):
    sizes = [int(input_dim)] + [int(u) for u in layer_sizes]
    return sum((sizes[i] + 1) * sizes[i + 1] for i in range(len(sizes) - 1))
