def exponential_decay(step, initial_learning_rate, decay_steps, decay_rate, staircase=False):
    if decay_steps <= 0 or step < 0:
        raise ValueError("bad arguments")
    return initial_learning_rate * decay_rate ** (step // decay_steps)
