from sklearn.preprocessing import StandardScaler


def standardize(train, test):
    scaler = StandardScaler().fit(train)
    return scaler.transform(train), scaler.transform(test)
