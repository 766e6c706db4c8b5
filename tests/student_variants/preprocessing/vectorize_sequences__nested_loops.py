import numpy as np


def vectorize_sequences(sequences, dimension):
    n = len(sequences)
    out = np.zeros((n, dimension), dtype=np.float32)
    for i in range(n):
        for j in sequences[i]:
            out[i, int(j)] = 1.0
    return out
