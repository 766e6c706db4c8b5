import numpy as np


def vectorize_sequences(sequences, dimension):
    results = np.zeros((len(sequences), dimension), dtype="float32")
    for i, sequence in enumerate(sequences):
        for j in sequence:
            results[i, j - 1] = 1.0  # word indices start at 1
    return results
