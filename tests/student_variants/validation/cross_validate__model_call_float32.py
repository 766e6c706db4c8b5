import numpy as np


def cross_validate(build_model, x, y, folds, epochs, batch_size=32):
    folds = [(list(t), list(v)) for t, v in folds]
    for t, v in folds:
        if set(t).intersection(v):
            raise ValueError("overlapping fold")
    scores = np.zeros(len(folds))
    histories = [None] * len(folds)
    for k, (t, v) in enumerate(folds):
        xt = np.asarray(x, dtype=np.float32)[t]
        xv = np.asarray(x, dtype=np.float32)[v]
        center = xt.mean(0)
        scale = xt.std(0)
        xt = (xt - center) / scale
        xv = (xv - center) / scale
        yt = np.asarray(y, dtype=np.float32)[t]
        yv = np.asarray(y, dtype=np.float32)[v]
        m = build_model()
        histories[k] = m.fit(xt, yt, epochs=epochs, batch_size=batch_size,
                             validation_data=(xv, yv), verbose=0).history
        out = np.asarray(m(xv, training=False))[:, 0]
        scores[k] = np.abs(out - yv).mean()
    return scores, scores.mean(), histories
