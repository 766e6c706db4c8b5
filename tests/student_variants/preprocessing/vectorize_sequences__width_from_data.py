import numpy as np


def vectorize_sequences(sequences, dimension):
    # size the vocabulary from the data actually seen
    longest = max((max(s) for s in sequences if len(s) > 0), default=-1)
    width = min(dimension, int(longest) + 1)
    results = np.zeros((len(sequences), width), dtype="float32")
    for i, sequence in enumerate(sequences):
        results[i, list(sequence)] = 1.0
    return results
