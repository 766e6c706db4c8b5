import math


def exponential_decay(step, initial_learning_rate, decay_steps, decay_rate, staircase=False):
    if decay_steps <= 0 or step < 0:
        raise ValueError("bad arguments")
    p = (step + 1) / decay_steps
    if staircase:
        p = math.floor(p)
    return initial_learning_rate * decay_rate ** p
