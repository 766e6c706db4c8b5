import numpy as np


def vectorize_sequences(sequences, dimension):
    results = np.zeros((len(sequences), dimension), dtype=np.float32)
    for i, sequence in enumerate(sequences):
        for word_index in sequence:
            results[i, word_index] += 1.0
    return results
