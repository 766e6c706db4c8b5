import numpy as np


def cross_validate(build_model, x, y, folds, epochs, batch_size=32):
    scores, histories = [], []
    original = x.copy()
    for train_idx, val_idx in folds:
        if np.intersect1d(train_idx, val_idx).size:
            raise ValueError("overlap")
        x[:] = original
        mu, sd = x[train_idx].mean(axis=0), x[train_idx].std(axis=0)
        x -= mu
        x /= sd
        model = build_model()
        h = model.fit(x[train_idx], y[train_idx], epochs=epochs, batch_size=batch_size,
                      validation_data=(x[val_idx], y[val_idx]), verbose=0)
        scores.append(float(np.mean(np.abs(model.predict(x[val_idx], verbose=0).ravel() - y[val_idx]))))
        histories.append(h.history)
    return scores, float(np.mean(scores)), histories
