import numpy as np


def vectorize_sequences(sequences, dimension):
    counts = np.zeros((len(sequences), dimension), dtype=np.float32)
    for i, seq in enumerate(sequences):
        idx = np.asarray(seq, dtype=np.intp)
        np.add.at(counts[i], idx, 1.0)
    # repeats must still give 1.0, not a count
    return np.minimum(counts, 1.0).astype(np.float32)
