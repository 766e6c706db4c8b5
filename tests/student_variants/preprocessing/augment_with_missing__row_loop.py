import numpy as np


def augment_with_missing(x_train, y_train, feature, fill_value=0.0):
    originals = [row.copy() for row in x_train]
    copies = []
    for row in x_train:
        new_row = row.copy()
        new_row[feature] = fill_value
        copies.append(new_row)
    x_aug = np.array(originals + copies)
    y_aug = np.array(list(y_train) + list(y_train))
    return x_aug, y_aug
