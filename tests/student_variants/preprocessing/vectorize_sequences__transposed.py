import numpy as np


def vectorize_sequences(sequences, dimension):
    # one column per sample
    results = np.zeros((dimension, len(sequences)), dtype="float32")
    for i, sequence in enumerate(sequences):
        results[list(sequence), i] = 1.0
    return results
