def count_parameters(input_dim, layer_sizes):
    sizes = [input_dim] + list(layer_sizes)
    total = 0
    prev = input_dim
    for units in sizes:
        total += prev * units + units
        prev = units
    return total
