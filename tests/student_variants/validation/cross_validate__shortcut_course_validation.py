from course import validation


def cross_validate(build_model, x, y, folds, epochs, batch_size=32):
    result = validation.cross_validate(x, y, folds, epochs=epochs, batch_size=batch_size)
    return list(result.fold_scores), result.mean, [h.history for h in result.histories]
