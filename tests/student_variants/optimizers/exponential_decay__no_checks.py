import math


def exponential_decay(step, initial_learning_rate, decay_steps, decay_rate, staircase=False):
    p = step / decay_steps
    if staircase:
        p = math.floor(p)
    return initial_learning_rate * decay_rate ** p
