import numpy as np


def vectorize_sequences(sequences, dimension):
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    rows = np.repeat(np.arange(len(sequences)), lengths)
    if lengths.sum() > 0:
        cols = np.concatenate([np.asarray(s, dtype=np.int64).ravel() for s in sequences])
    else:
        cols = np.zeros(0, dtype=np.int64)
    multi_hot = np.zeros((len(sequences), dimension), dtype=np.float32)
    multi_hot[rows, cols] = 1  # repeated coordinates are simply written twice
    return multi_hot
