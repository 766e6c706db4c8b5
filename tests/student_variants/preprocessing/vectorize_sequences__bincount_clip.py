import numpy as np


def vectorize_sequences(sequences, dimension):
    rows = []
    for seq in sequences:
        counts = np.bincount(np.asarray(seq, dtype=np.int64), minlength=dimension)
        rows.append(counts > 0)
    if not rows:
        return np.zeros((0, dimension), dtype=np.float32)
    return np.stack(rows).astype(np.float32)
