import numpy as np


def vectorize_sequences(sequences, dimension):
    results = np.zeros((len(sequences), dimension), dtype="float32")
    for i, sequence in enumerate(sequences):
        # list(...) keeps empty sequences working as (integer) indices
        results[i, list(sequence)] = 1.0
    return results
