def exponential_decay(step, initial_learning_rate, decay_steps, decay_rate, staircase=False):
    if decay_steps <= 0 or step < 0:
        raise ValueError("bad arguments")
    p = step / decay_steps
    if staircase:
        p = round(p)
    return initial_learning_rate * decay_rate ** p
