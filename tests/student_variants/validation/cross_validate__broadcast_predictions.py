import numpy as np


def cross_validate(build_model, x, y, folds, epochs, batch_size=32):
    scores, histories = [], []
    for train_idx, val_idx in folds:
        if np.intersect1d(train_idx, val_idx).size:
            raise ValueError("overlap")
        mu, sd = x[train_idx].mean(axis=0), x[train_idx].std(axis=0)
        xt, xv = (x[train_idx] - mu) / sd, (x[val_idx] - mu) / sd
        model = build_model()
        h = model.fit(xt, y[train_idx], epochs=epochs, batch_size=batch_size,
                      validation_data=(xv, y[val_idx]), verbose=0)
        pred = model.predict(xv, verbose=0)
        scores.append(float(np.mean(np.abs(pred - y[val_idx]))))
        histories.append(h.history)
    return scores, float(np.mean(scores)), histories
