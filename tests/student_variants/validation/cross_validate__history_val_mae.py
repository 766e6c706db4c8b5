import numpy as np


def standardize_with(train, other):
    m = np.mean(train, axis=0)
    s = np.std(train, axis=0)
    return (train - m) / s, (other - m) / s


def cross_validate(build_model, x, y, folds, epochs, batch_size=32):
    x = np.asarray(x)
    y = np.asarray(y)
    all_scores = []
    all_histories = []
    for i in range(len(folds)):
        train_idx = np.asarray(folds[i][0])
        val_idx = np.asarray(folds[i][1])
        common = np.intersect1d(train_idx, val_idx)
        if common.size != 0:
            raise ValueError("leak: " + str(common))
        xt, xv = standardize_with(x[train_idx], x[val_idx])
        net = build_model()
        history = net.fit(xt, y[train_idx], batch_size=batch_size, epochs=epochs,
                          validation_data=(xv, y[val_idx]), verbose=0)
        # the last epoch's validation MAE is the MAE of the trained model on the validation fold
        all_scores.append(history.history["val_mae"][-1])
        all_histories.append(history.history)
    return all_scores, sum(all_scores) / len(all_scores), all_histories
