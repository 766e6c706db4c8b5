import numpy as np


def cross_validate(build_model, x, y, folds, epochs, batch_size=32):
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    scores = []
    histories = []
    for train_idx, val_idx in folds:
        if len(set(train_idx) & set(val_idx)) > 0:
            raise ValueError("a fold's training and validation indices overlap")
        x_train, x_val = x[train_idx], x[val_idx]
        mu = x_train.mean(axis=0)
        sigma = x_train.std(axis=0)
        x_train = (x_train - mu) / sigma
        x_val = (x_val - mu) / sigma
        model = build_model()
        h = model.fit(x_train, y[train_idx], epochs=epochs, batch_size=batch_size,
                      validation_data=(x_val, y[val_idx]), verbose=0)
        pred = model.predict(x_val, verbose=0).ravel()
        scores.append(np.mean(np.abs(y[val_idx] - pred)))
        histories.append(h.history)
    return scores, np.mean(scores), histories
