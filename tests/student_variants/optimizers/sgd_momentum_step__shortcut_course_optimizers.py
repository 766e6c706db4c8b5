from course.optimizers import sgd_momentum_step  # noqa: F401
