def count_parameters(input_dim, layer_sizes):
    total = 0
    prev = input_dim
    for units in layer_sizes:
        total += prev * units + units  # kernel + bias
        prev = units
    return total
