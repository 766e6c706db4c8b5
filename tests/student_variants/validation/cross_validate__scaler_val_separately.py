import numpy as np
from sklearn.preprocessing import StandardScaler


def cross_validate(build_model, x, y, folds, epochs, batch_size=32):
    scores, histories = [], []
    for train_idx, val_idx in folds:
        if np.intersect1d(train_idx, val_idx).size:
            raise ValueError("overlap")
        xt = StandardScaler().fit_transform(x[train_idx])
        xv = StandardScaler().fit_transform(x[val_idx])
        model = build_model()
        h = model.fit(xt, y[train_idx], epochs=epochs, batch_size=batch_size,
                      validation_data=(xv, y[val_idx]), verbose=0)
        scores.append(float(np.mean(np.abs(model.predict(xv, verbose=0).ravel() - y[val_idx]))))
        histories.append(h.history)
    return scores, float(np.mean(scores)), histories
