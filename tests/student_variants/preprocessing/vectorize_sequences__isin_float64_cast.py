import numpy as np


def vectorize_sequences(sequences, dimension):
    vocab = np.arange(dimension)
    x = np.zeros((len(sequences), dimension))  # float64 while building
    for i, s in enumerate(sequences):
        x[i] = np.isin(vocab, s)
    return x.astype(np.float32)
