import numpy as np


def count_parameters(input_dim, layer_sizes):
    dims = np.array([input_dim] + list(layer_sizes), dtype=np.int64)
    if dims.size < 2:
        return 0
    return int(np.dot(dims[:-1] + 1, dims[1:]))
