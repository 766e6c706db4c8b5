import statistics


def naive_baseline(y_train, y_val, problem_type):
    if problem_type == "classification":
        label = min(statistics.multimode(list(y_train)))
        hits = sum(1 for y in y_val if y == label)
        return hits / len(y_val)
    if problem_type == "regression":
        mu = statistics.fmean(y_train)
        return statistics.fmean(abs(y - mu) for y in y_val)
    raise ValueError("problem_type: " + str(problem_type))
