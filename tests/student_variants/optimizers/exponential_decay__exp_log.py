import numpy as np


def exponential_decay(step, initial_learning_rate, decay_steps, decay_rate, staircase=False):
    if decay_steps <= 0 or step < 0:
        raise ValueError(f"invalid step {step} or decay_steps {decay_steps}")
    periods = step // decay_steps if staircase else step / decay_steps
    return float(initial_learning_rate * np.exp(periods * np.log(decay_rate)))
