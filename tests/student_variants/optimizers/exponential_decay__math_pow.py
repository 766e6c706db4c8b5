import math


def exponential_decay(step, initial_learning_rate, decay_steps, decay_rate, staircase=False):
    if decay_steps <= 0:
        raise ValueError("decay_steps must be > 0")
    if step < 0:
        raise ValueError("step must be >= 0")
    p = step / decay_steps
    if staircase:
        p = math.floor(p)
    return initial_learning_rate * math.pow(decay_rate, p)
