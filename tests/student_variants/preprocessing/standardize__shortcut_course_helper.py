from course.validation import standardize_with_train_stats


def standardize(train, test):
    train_std, test_std = standardize_with_train_stats(train, test)
    return train_std, test_std
