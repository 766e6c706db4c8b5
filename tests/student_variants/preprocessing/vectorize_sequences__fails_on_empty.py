import numpy as np


def vectorize_sequences(sequences, dimension):
    results = np.zeros((len(sequences), dimension), dtype="float32")
    for i, sequence in enumerate(sequences):
        results[i, np.array(sequence)] = 1.0
    return results
