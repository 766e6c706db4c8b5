import numpy as np
from sklearn.preprocessing import StandardScaler


def cross_validate(build_model, x, y, folds, epochs, batch_size=32):
    fold_scores, histories = [], []
    for fold, (tr, va) in enumerate(folds):
        tr, va = np.array(tr), np.array(va)
        if np.isin(va, tr).any():
            raise ValueError(f"fold {fold}: validation indices also in training")
        scaler = StandardScaler().fit(x[tr])
        xtr, xva = scaler.transform(x[tr]), scaler.transform(x[va])
        model = build_model()
        hist = model.fit(xtr, y[tr], epochs=epochs, batch_size=batch_size, verbose=0,
                         validation_data=(xva, y[va]))
        result = model.evaluate(xva, y[va], verbose=0, return_dict=True)
        fold_scores.append(float(result["mae"]))
        histories.append(hist.history)
    return np.array(fold_scores), float(np.mean(fold_scores)), histories
